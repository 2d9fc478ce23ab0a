/**
 * The rule tables of the Envoy benchmark: the generated HTTPRoutes (generate_routes.ts) attached to a
 * Gateway whose one listener has the port Envoy's listener is bound to (so the filter's
 * `destination.port` matches, as in a gateway), compiled as the policy server compiles them, and the
 * requests sent.
 *
 * Two shapes: `perHost`, ten rules per hostname, each request for a rule drawn from the whole table;
 * `oneHost`, every rule on one hostname, each request for one of the last routes of its list (native
 * Envoy's worst case: it walks the list to the end).
 *
 * @module
 */
import { compile } from "../../policy-server/compile/mod.ts";
import { renderWasmPlugin } from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import type { RouteTable } from "../../policy-server/ir/types.ts";
import type { Gateway } from "../../policy-server/model/types.ts";
import {
  type GeneratedRequest,
  type GeneratedTable,
  generateRequests,
  generateRoutes,
} from "./generate_routes.ts";

/** How the rules are spread over hostnames. */
export type TableShape = "perHost" | "oneHost";

/** A table, compiled, with the requests the benchmark sends. */
export interface EnvoyBenchTable {
  rules: number;
  shape: TableShape;
  generated: GeneratedTable;
  /** The compiler's IR: the native routes are written from it, in its order. */
  ir: RouteTable;
  /** The WasmPlugin's pluginConfig (JSON), as Istio hands it to the filter. */
  pluginConfig: string;
  /** Distinct requests, sent in turn. */
  requests: GeneratedRequest[];
  /** The port of the Gateway's listener (and of Envoy's). */
  port: number;
}

/** How many of the last routes of the one hostname the `oneHost` requests go to. */
export const LAST_ROUTES = 10;

/** The Gateway the generated routes attach to (`istio-system/ingress`), one HTTP listener on `port`. */
export function benchGateway(port: number): Gateway {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "ingress", namespace: "istio-system" },
    spec: {
      gatewayClassName: "istio",
      listeners: [{ name: "http", port, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }],
    },
  };
}

/** Generates and compiles a table of `rules` rules in `shape`, with `requests` distinct requests. */
export async function envoyBenchTable(
  rules: number,
  shape: TableShape,
  port: number,
  requests = 256,
): Promise<EnvoyBenchTable> {
  const generated = generateRoutes(rules, shape === "oneHost" ? { hostnames: 1 } : {});
  const generation = 1;
  const { table: ir, blob, sha256 } = await compile([benchGateway(port), ...generated.routes], {
    generation,
  });
  const { pluginConfig } = renderWasmPlugin({ blob, sha256, generation }).spec;
  const targets = shape === "oneHost" ? lastRules(generated, ir) : generated;
  return {
    rules,
    shape,
    generated,
    ir,
    pluginConfig: JSON.stringify(pluginConfig),
    requests: generateRequests(targets, requests),
    port,
  };
}

/** The table narrowed to the rules of the last {@linkcode LAST_ROUTES} routes of the one hostname's list. */
function lastRules(generated: GeneratedTable, ir: RouteTable): GeneratedTable {
  if (ir.vhosts.length !== 1) throw new Error(`expected one virtual host, got ${ir.vhosts.length}`);
  const last = ir.vhosts[0].routes.slice(-LAST_ROUTES).map((e) => `${e.action.route}#${e.action.rule}`);
  const rules = generated.rules.filter((r) => last.includes(`${r.route}#${r.ruleIndex}`));
  if (rules.length !== last.length) throw new Error("the last routes do not map back to generated rules");
  return { ...generated, rules };
}

/** A short label: `1,000 rules, 10 per hostname`. */
export function tableLabel(t: { rules: number; shape: TableShape }): string {
  const n = t.rules.toLocaleString("en-US");
  return t.shape === "oneHost" ? `${n} rules, one hostname` : `${n} rules, 10 per hostname`;
}
