/**
 * Runs a scenario (docs/scenario-format.md) in a real Envoy ({@linkcode EnvoyHost}) and reports it in
 * the shape of the in-repo host's report, read off the wire: what the client got, what the upstream
 * received, the mirrored copies, and whether Envoy applied each configuration. Then
 * {@linkcode envoyDisagreements} compares the two hosts' decisions.
 *
 * What only an emulator can express is refused with a reason: properties other than Istio's node
 * metadata and `destination.address` (the original destination every request then connects to),
 * scripted http-call answers, a VM configuration, and timing runs.
 *
 * @module
 */
import { configSourceBytes } from "../host/run_scenario.ts";
import { parseScenario, type RequestStep, type Scenario } from "../host/parse_scenario.ts";
import { AUTHORITY_HEADER, CLUSTER_HEADER } from "../envoy_glue.ts";
import { authorityPort, EnvoyHost } from "./envoy_host.ts";
import { EXCHANGE_HEADER, ISTIO_ROUTE_HEADER, type ProxyFlavour } from "./istio_bootstrap.ts";
import type { ReceivedRequest } from "./upstreams.ts";

type Pairs = [string, string][];
/** Istio's node metadata as Envoy exposes it to a filter: properties a scenario may set here. */
const NODE_METADATA = "xds.node.metadata.";
/** The original destination: a scenario may set it here too, every request then connects there. */
const DESTINATION = "destination.address";

/** `10.96.0.20:9080` or `[fd00::14]:9080` → address and port; undefined for anything else. */
export function parseDestination(value: string): { address: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : 0;
  return m && port >= 1 && port <= 65535 ? { address: m[1] ?? m[2], port } : undefined;
}

/** A request step as Envoy ran it, in the in-repo report's terms. */
export interface EnvoyStepReport {
  /** The request as forwarded (`:authority`, `:path`, `:method` and the headers the upstream got), with the cluster wasmroute chose as `x-wasmroute-cluster`. */
  requestHeaders: Pairs;
  /** The response headers the client got from an upstream. */
  responseHeaders: Pairs;
  localReply: { status: number; headers: Pairs; body: string } | null;
  httpCalls: { upstream: string }[];
  /** Whether wasmroute's route (the cluster_header route) served the request. */
  routeReselected: boolean;
  /** Set when Istio's own route (not wasmroute's) forwarded the request. */
  istioRoute?: string;
}

/** The report. */
export interface EnvoyReport {
  plugins: { name: string; accepted: boolean }[];
  steps: (EnvoyStepReport | { configure: string; accepted: boolean })[];
}

/** Options of {@linkcode runScenarioInEnvoy}. */
export interface EnvoyScenarioOptions {
  envoy: string;
  /** Every cluster the scenario's tables name (Envoy must know a cluster to route to it). */
  clusters: string[];
  /** Proxy flavour per plugin name; default sidecar. */
  flavours?: Record<string, ProxyFlavour>;
  baseDir?: string;
  verbose?: boolean;
}

const isHttps = (r: RequestStep) => r.requestHeaders.some(([k, v]) => k === ":scheme" && v === "https");

/** Why a scenario cannot run in Envoy, or undefined when it can. */
export function envoyCannotRun(s: Scenario): string | undefined {
  const requests = s.steps.filter((st): st is RequestStep => st.kind === "request");
  const both = requests.filter(isHttps).map((r) => authorityPort(r.requestHeaders))
    .find((port) => requests.some((r) => !isHttps(r) && authorityPort(r.requestHeaders) === port));
  if (both !== undefined) return `sends http and https to port ${both} (a listener is one or the other)`;
  const props = Object.keys(s.properties).filter((k) => !k.startsWith(NODE_METADATA) && k !== DESTINATION);
  if (props.length) return `sets properties Envoy derives itself (${props.join(", ")})`;
  const destination = s.properties[DESTINATION];
  if (destination !== undefined) {
    const to = parseDestination(destination);
    if (!to) return `sets ${DESTINATION} to "${destination}", which is no IP address and port`;
    const elsewhere = requests.find((r) => authorityPort(r.requestHeaders) !== to.port);
    if (elsewhere) {
      return `sends to another port than ${DESTINATION}'s (${authorityPort(elsewhere.requestHeaders)})`;
    }
  }
  if (s.timing) return "times the filter in the emulators (Envoy is timed by `deno task bench`)";
  if (s.steps.some((st) => st.kind === "request" && st.httpCallResponses.length)) {
    return "scripts http-call answers";
  }
  return undefined;
}

/** Runs `scenario` (parsed JSON, configurations already materialised) in a fresh Envoy. */
export async function runScenarioInEnvoy(scenario: unknown, o: EnvoyScenarioOptions): Promise<EnvoyReport> {
  const s = parseScenario(scenario);
  const why = envoyCannotRun(s);
  if (why) throw new Error(`this scenario cannot run in Envoy: it ${why}`);
  const baseDir = o.baseDir ?? Deno.cwd();
  const text = async (source: Parameters<typeof configSourceBytes>[0], field: string) => {
    const bytes = await configSourceBytes(source, baseDir, field);
    return bytes.length ? new TextDecoder().decode(bytes) : null;
  };
  const requests = s.steps.filter((st): st is RequestStep => st.kind === "request");
  const ports = [...new Set([80, ...requests.map((r) => authorityPort(r.requestHeaders))])];
  const httpsPorts = [...new Set(requests.filter(isHttps).map((r) => authorityPort(r.requestHeaders)))];
  const nodeMetadata = Object.fromEntries(
    Object.entries(s.properties).filter(([k]) => k.startsWith(NODE_METADATA))
      .map(([k, v]) => [k.slice(NODE_METADATA.length), v]),
  );
  const destination = s.properties[DESTINATION] === undefined
    ? undefined
    : parseDestination(s.properties[DESTINATION]);
  // Each plugin starts empty; its configuration then comes by ECDS, so a refusal is seen as istiod would see it.
  const host = await EnvoyHost.start({
    envoy: o.envoy,
    wasmPath: s.wasm.startsWith("/") ? s.wasm : `${baseDir}/${s.wasm}`,
    plugins: s.plugins.map((p) => ({ name: p.name, flavour: o.flavours?.[p.name], pluginConfig: null })),
    ports,
    ...(destination && { frontends: [destination] }),
    httpsPorts,
    clusters: o.clusters,
    failStrategy: s.failStrategy,
    nodeMetadata,
    verbose: o.verbose,
    onLog: o.verbose ? console.error : undefined,
  });
  try {
    const report: EnvoyReport = { plugins: [], steps: [] };
    for (const [i, p] of s.plugins.entries()) {
      const { accepted } = await host.push(await text(p.config, `plugins[${i}].config`), p.name);
      report.plugins.push({ name: p.name, accepted });
    }
    const tags: (string | undefined)[] = [];
    for (const [i, step] of s.steps.entries()) {
      if (step.kind === "configure") {
        const c = step.configure;
        const { accepted } = await host.push(await text(c.config, `steps[${i}].configure.config`), c.name);
        report.steps.push({ configure: c.name, accepted });
        tags.push(undefined);
        continue;
      }
      const x = await host.request(step.requestHeaders, {
        plugin: step.plugin,
        ...(destination && { address: destination.address, port: destination.port }),
        body: step.requestBody,
        responseHeaders: step.responseHeaders,
      });
      tags.push(x.tag);
      report.steps.push(stepReport(step, x.forwarded, x.response));
    }
    await host.settle();
    tags.forEach((tag, i) => {
      if (tag) {
        (report.steps[i] as EnvoyStepReport).httpCalls = host.mirroredCopies(tag).map((r) => ({
          upstream: r.cluster,
        }));
      }
    });
    return report;
  } finally {
    await host.close();
  }
}

function stepReport(
  step: RequestStep,
  forwarded: ReceivedRequest | null,
  response: { status: number; headers: Pairs; body: string },
): EnvoyStepReport {
  if (!forwarded) {
    return {
      requestHeaders: step.requestHeaders,
      responseHeaders: [],
      localReply: response,
      httpCalls: [],
      routeReselected: false,
    };
  }
  const istioRoute = forwarded.headers.find(([k]) => k === ISTIO_ROUTE_HEADER)?.[1];
  const plain = forwarded.headers.filter(([k]) =>
    k !== "host" && k !== EXCHANGE_HEADER && k !== ISTIO_ROUTE_HEADER
  );
  const requestHeaders: Pairs = [
    [":authority", forwarded.headers.find(([k]) => k === "host")?.[1] ?? ""],
    [":path", forwarded.path],
    [":method", forwarded.method],
    ...plain,
    ...(istioRoute === undefined ? [[CLUSTER_HEADER, forwarded.cluster] as [string, string]] : []),
  ];
  return {
    requestHeaders,
    responseHeaders: [[":status", String(response.status)], ...response.headers],
    localReply: null,
    httpCalls: [],
    routeReselected: istioRoute === undefined,
    ...(istioRoute ? { istioRoute } : {}),
  };
}

/** What a request step of either host decided, in terms both hosts can be read in. */
interface Decided {
  cluster: string | null;
  localReply: number | null;
  headers: Record<string, string | null>;
  mirroredTo: string[];
}

/** Headers Envoy's router consumes (timeouts, retries) or adds: they are not the filter's decision as seen upstream. */
const ENVOY_OWN = /^(x-envoy-|x-forwarded-|x-request-id$|content-length$|date$|server$|transfer-encoding$)/;

const get = (pairs: Pairs | undefined, name: string) => {
  const values = (pairs ?? []).filter(([k]) => k === name).map(([, v]) => v);
  return values.length ? values.join(",") : null;
};

/**
 * The decision of step `i` as seen from outside the proxy: the cluster; the local reply status and
 * the headers the filter put in it; the request as forwarded (effective host, path, and every
 * header the client sent or the filter set); the response headers; the mirrored clusters.
 */
function decided(
  step: RequestStep,
  ours: Record<string, unknown>,
  report: Record<string, unknown>,
  envoy: boolean,
): Decided {
  const req = report.requestHeaders as Pairs;
  const reply = report.localReply as { status: number; headers?: Pairs } | null;
  const headers: Record<string, string | null> = {};
  if (reply) {
    for (const [k] of (ours.localReply as { headers?: Pairs } | null)?.headers ?? []) {
      if (!ENVOY_OWN.test(k) && k !== "content-type") headers[`reply ${k}`] = get(reply.headers, k);
    }
  } else {
    const authority = envoy ? get(req, ":authority") : (get(req, AUTHORITY_HEADER) || get(req, ":authority"));
    headers[":authority"] = authority;
    headers[":path"] = get(req, ":path");
    const names = new Set([...step.requestHeaders, ...(ours.requestHeaders as Pairs)].map(([k]) => k));
    for (const k of names) {
      if (!k.startsWith(":") && !ENVOY_OWN.test(k) && k !== CLUSTER_HEADER) headers[k] = get(req, k);
    }
    if (step.responseHeaders) {
      const responseNames = new Set(
        [...step.responseHeaders, ...(ours.responseHeaders as Pairs)].map(([k]) => k),
      );
      for (const k of responseNames) {
        if (!ENVOY_OWN.test(k) && k !== "content-type") {
          headers[`response ${k}`] = get(report.responseHeaders as Pairs, k);
        }
      }
    }
  }
  return {
    cluster: get(req, CLUSTER_HEADER),
    localReply: reply?.status ?? null,
    headers,
    mirroredTo: ((report.httpCalls ?? []) as { upstream: string }[]).map((c) => c.upstream).sort(),
  };
}

/**
 * Where Envoy's report decides otherwise than the in-repo host's for the same scenario, one line per
 * difference; empty when they agree.
 */
export function envoyDisagreements(
  scenario: unknown,
  ours: { plugins: { accepted: boolean }[]; steps: unknown[] },
  envoy: EnvoyReport,
): string[] {
  const s = parseScenario(scenario);
  const out: string[] = [];
  s.plugins.forEach((_, i) => {
    if (ours.plugins[i].accepted !== envoy.plugins[i].accepted) {
      out.push(
        `plugins[${i}] accepted: in-repo ${ours.plugins[i].accepted}, Envoy ${envoy.plugins[i].accepted}`,
      );
    }
  });
  s.steps.forEach((step, i) => {
    const a = ours.steps[i] as Record<string, unknown>;
    const b = envoy.steps[i] as unknown as Record<string, unknown>;
    if (step.kind === "configure") {
      if (a.accepted !== b.accepted) {
        out.push(`steps[${i}] accepted: in-repo ${a.accepted}, Envoy ${b.accepted}`);
      }
      return;
    }
    if (!a.filterRan) {
      out.push(`steps[${i}]: the filter did not run in the in-repo host (${a.failAction})`);
      return;
    }
    const mine = decided(step, a, a, false);
    const theirs = decided(step, a, b, true);
    for (const key of ["cluster", "localReply", "mirroredTo"] as const) {
      if (JSON.stringify(mine[key]) !== JSON.stringify(theirs[key])) {
        out.push(
          `steps[${i}] ${key}: in-repo ${JSON.stringify(mine[key])}, Envoy ${JSON.stringify(theirs[key])}`,
        );
      }
    }
    for (const [k, v] of Object.entries(mine.headers)) {
      if (v !== theirs.headers[k]) {
        out.push(
          `steps[${i}] ${k}: in-repo ${JSON.stringify(v)}, Envoy ${JSON.stringify(theirs.headers[k])}`,
        );
      }
    }
  });
  return out;
}
