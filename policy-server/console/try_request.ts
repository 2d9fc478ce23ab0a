/**
 * "Try a request": the real filter module, configured with the serving blob's bytes, decides one
 * request (the simulator's decision logic over a host emulator that runs exactly that blob).
 *
 * @module
 */
import { checkSimRequest, SimInputError, Simulator } from "../../simulator/mod.ts";
import type { SimDecision, SimRequest } from "../../simulator/mod.ts";
import { stringify } from "yaml";
import { decodeBlob } from "../blob/decode_blob.ts";
import { FlavourError, parseGatewayRef } from "../delivery/wasmplugin/flavours.ts";
import { renderWasmPlugin } from "../delivery/wasmplugin/render_wasmplugin.ts";
import { explainedRequestOf, explainRequest } from "../ir/explain_request.ts";
import type { Explanation } from "../ir/explain_request.ts";
import type { Backend, ServiceFrontend } from "../ir/types.ts";

export { SimInputError };
export type { SimDecision, SimRequest };

/** The form's fields, as typed. */
export interface TryForm {
  method?: string;
  host?: string;
  path?: string;
  headers?: string;
  gateway?: string;
  /** The listener or Service port (a mesh route on 9080 is tried on 9080); `host:port` says it too. */
  port?: string;
  /** Makes it a mesh request from a client in this namespace, to the Service `host` names. */
  clientNamespace?: string;
  /**
   * A mesh request's destination Service as the client names it (`ratings`, `ratings.shop`), when it
   * is not the one the Host header names: the connection goes to its cluster IP.
   */
  destinationService?: string;
  /** A mesh request's destination IP, instead of its Service's cluster IP (a pod, another Service). */
  destinationAddress?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Service as a client names it: its name, optionally with namespace, `svc` and domain labels. */
const SERVICE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `name: value` lines → pairs; blank lines are skipped. Throws {@linkcode SimInputError}. */
export function parseHeaderLines(text: string): [string, string][] {
  const out: [string, string][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const at = line.indexOf(":", line.startsWith(":") ? 1 : 0);
    const name = at > 0 ? line.slice(0, at).trim() : "";
    if (!name || /\s/.test(name)) {
      throw new SimInputError(`headers line ${i + 1}: write it as "name: value"`);
    }
    out.push([name.toLowerCase(), line.slice(at + 1).trim()]);
  });
  return out;
}

/** `host:port` → its parts; a bare host has no port. */
function splitHostPort(text: string): { host: string; port?: number } {
  const m = /^(.+?):(\d+)$/.exec(text);
  return m && !m[1].includes(":") ? { host: m[1], port: Number(m[2]) } : { host: text };
}

/** The port field, or the one `host:port` gave; `undefined` for neither. */
function portOf(field: string | undefined, fromHost: number | undefined): number | undefined {
  const text = field?.trim();
  if (!text) return fromHost;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new SimInputError(`port: "${text}" is not a port (1-65535)`);
  }
  return port;
}

/** The form as a checked simulator request. */
export function requestOf(form: TryForm): SimRequest {
  const path = form.path?.trim() || "/";
  const { host, port: hostPort } = splitHostPort(form.host?.trim() ?? "");
  const port = portOf(form.port, hostPort);
  const req: Record<string, unknown> = {
    method: (form.method?.trim() || "GET").toUpperCase(),
    host,
    path: path.startsWith("/") ? path : `/${path}`,
    headers: parseHeaderLines(form.headers ?? ""),
    ...(port !== undefined && { port }),
  };
  if (!req.host) throw new SimInputError("host: give the request's host, e.g. my-server or example.com");
  const clientNamespace = form.clientNamespace?.trim();
  const destinationService = form.destinationService?.trim().toLowerCase();
  const destinationAddress = form.destinationAddress?.trim();
  if (!clientNamespace && (destinationService || destinationAddress)) {
    throw new SimInputError("destination: only a mesh request has one; give the client namespace too");
  }
  if (clientNamespace) {
    if (!NAME.test(clientNamespace)) {
      throw new SimInputError(`client namespace: "${clientNamespace}" is not a namespace name`);
    }
    if (destinationService && !SERVICE_NAME.test(destinationService)) {
      throw new SimInputError(`destination Service: "${destinationService}" is not a Service name`);
    }
    // A sidecar sends it to the Service the client connects to (by default the one its Host names),
    // on the port it addresses, at the Service's cluster IP unless another address is given.
    req.mesh = {
      clientNamespace,
      destinationService: destinationService || host,
      destinationPort: port ?? 80,
      ...(destinationAddress && { destinationAddress }),
    };
  }
  const gateway = form.gateway?.trim();
  if (gateway) {
    try {
      parseGatewayRef(gateway);
    } catch (error) {
      if (error instanceof FlavourError) throw new SimInputError(error.message);
      throw error;
    }
    req.gateway = gateway;
  }
  return checkSimRequest(req);
}

export interface TryResult {
  decision: SimDecision;
  /** How the table treats the request, step by step (the filter decided; this says why). */
  explanation: Explanation;
  /** The request and what the filter did, as a `check-routes` test case (YAML). */
  testCase: string;
  /** The matched rule's backends with weights (the split), when a rule matched. */
  split?: Backend[];
  generation: number;
  sha256: string;
}

type Sim = { decide(req: SimRequest): SimDecision };
const cache = new Map<string, Sim>();

/** A simulator over `wasm` configured with `blob`, as the WasmPlugin's `pluginConfig` carries it. */
export function simulatorFor(
  wasm: Uint8Array,
  blob: { generation: number; sha256: string; blob: Uint8Array },
): Sim {
  const key = `${blob.sha256}:${wasm.length}:${hashOf(wasm)}`;
  const cached = cache.get(key);
  if (cached) return cached;
  // The pluginConfig the server renders for this blob: the filter reads exactly what Istio hands it.
  // A mesh request connects to its Service's cluster IP, as the blob's frontends list it.
  const sim = Simulator.start(renderWasmPlugin(blob).spec.pluginConfig, wasm, {
    serviceAddresses: serviceAddresses(decodeBlob(blob.blob).frontends ?? []),
  });
  if (cache.size > 8) cache.clear();
  cache.set(key, sim);
  return sim;
}

/** Each Service's primary cluster IP (its first frontend's) by `namespace/name`. */
export function serviceAddresses(frontends: ServiceFrontend[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of frontends) out[f.service] ??= f.address;
  return out;
}

/** A cheap fingerprint of the module (its size and a sample of bytes) for the cache key. */
function hashOf(bytes: Uint8Array): number {
  let h = 2166136261;
  const step = Math.max(1, Math.floor(bytes.length / 4096));
  for (let i = 0; i < bytes.length; i += step) h = Math.imul(h ^ bytes[i], 16777619);
  return h >>> 0;
}

/** Runs `form` through the filter with the given blob. */
export function tryRequest(
  wasm: Uint8Array,
  blob: { generation: number; sha256: string; blob: Uint8Array },
  form: TryForm,
): TryResult {
  const req = requestOf(form);
  const decision = simulatorFor(wasm, blob).decide(req);
  let split: Backend[] | undefined;
  if (decision.matchedRoute !== undefined && decision.matchedRule !== undefined) {
    const table = decodeBlob(blob.blob);
    for (const v of table.vhosts) {
      const e = v.routes.find((e) =>
        e.action.route === decision.matchedRoute && e.action.rule === decision.matchedRule
      );
      if (e) {
        split = e.action.backends;
        break;
      }
    }
  }
  const explanation = explainRequest(decodeBlob(blob.blob), explainedRequestOf(req));
  return {
    decision,
    explanation,
    testCase: testCaseOf(req, decision),
    split,
    generation: blob.generation,
    sha256: blob.sha256,
  };
}

/** A `check-routes` test (docs/route-tests.md) that expects what the filter just did. */
export function testCaseOf(req: SimRequest, d: SimDecision): string {
  const { headers, ...rest } = req;
  const request = {
    ...rest,
    ...(headers && (headers as [string, string][]).length &&
      { headers: Object.fromEntries(headers as [string, string][]) }),
  };
  const expect = {
    status: d.status,
    backend: d.backend,
    ...(d.matchedRoute !== undefined && { matchedRoute: d.matchedRoute, matchedRule: d.matchedRule }),
    ...(d.redirectLocation && { redirectLocation: d.redirectLocation }),
    ...(d.passthrough && { passthrough: true }),
  };
  // A mesh request's destination, when its Host does not name it.
  const m = req.mesh;
  const to = m?.destinationAddress ??
    (m && req.host !== undefined && req.host !== m.destinationService ? m.destinationService : undefined);
  const name = `${request.method ?? "GET"} ${req.host ?? m?.destinationService}${req.path}${
    to ? ` to ${to}` : ""
  }`;
  return stringify({ tests: [{ name, request, expect }] }, { lineWidth: 0 });
}
