/**
 * The Envoys of the Envoy benchmark: an Istio-shaped gateway (simulator/envoy/istio_bootstrap.ts,
 * listeners bound directly on loopback) in one of three configurations, plus a second listener in
 * the same Envoy that every upstream cluster points at and that answers with a `direct_response`, so
 * the backend's cost is tiny and the same in every configuration.
 *
 * - **native** (a): the routes as istiod writes them (native_routes.ts), no wasm filter;
 * - **noop** (b): the same native routes, and the baseline wasm module (testdata/baseline.ts: reads
 *   `:authority` and `:path`, returns Continue) as a WasmPlugin: what running any wasm filter costs;
 * - **wasmroute** (c): the real filter with the compiled blob as its pluginConfig, and the EnvoyFilter
 *   glue (manifests/istio): the header_mutation strip, the `cluster_header` route. Istio's own
 *   route configuration knows none of the hostnames (the routes live in the policy server);
 * - **glue**: (a) with the EnvoyFilter's glue and no wasm, and **callbacks**: (b) with a module that
 *   also exports the two per-stream callbacks the filter exports and the baseline does not (empty),
 *   for the A/B runs that say where (c)'s time goes.
 *
 * Stats are limited as Istio's bootstrap limits them (its inclusion list), plus each cluster's
 * `upstream_rq_total`, which {@linkcode checkRouting} reads: 10,000 clusters with every stat cost
 * Envoy hundreds of MB more.
 *
 * @module
 */
import { join } from "node:path";
import { parse } from "yaml";
import type { EnvoyFilterSpec } from "../../simulator/envoy/apply_envoy_filter.ts";
import { type EnvoyProcess, startEnvoy } from "../../simulator/envoy/envoy_process.ts";
import { ENVOY_FILTER_MANIFEST } from "../../simulator/envoy/envoy_host.ts";
import { httpExchange } from "../../simulator/envoy/http_exchange.ts";
import { istioBootstrap, wasmExtensionConfig } from "../../simulator/envoy/istio_bootstrap.ts";
import type { EnvoyBenchTable } from "./envoy_bench_table.ts";
import { baselineCallbacksWasm, baselineWasm, filterWasm } from "./fixtures.ts";
import { nativeVirtualHosts } from "./native_routes.ts";

type Json = Record<string, unknown>;

/** The configurations compared. */
export type Configuration = "native" | "noop" | "wasmroute" | "glue" | "callbacks";
export const CONFIGURATIONS: Configuration[] = ["native", "noop", "wasmroute"];
/** How the report names them. */
export const CONFIGURATION_LABELS: Record<Configuration, string> = {
  native: "(a) native routes",
  noop: "(b) no-op wasm + native routes",
  wasmroute: "(c) wasmroute",
  glue: "(a) + the EnvoyFilter glue",
  callbacks: "(b) + the filter's 2 more callbacks, empty",
};

/** The module each wasm configuration runs. */
const MODULES = { noop: baselineWasm, callbacks: baselineCallbacksWasm, wasmroute: filterWasm };

/** The listener Envoy's upstream clusters point at. */
export const BACKEND_LISTENER = "bench_backend";
/** What the backend answers. */
export const BACKEND_BODY = "ok";
const PLUGIN_NAMESPACE = "istio-system";

/** Where one bench Envoy listens. */
export interface BenchPorts {
  /** Istio's listener (`0.0.0.0_P`), the port requests go to; the Gateway listener's port. */
  listener: number;
  /** The direct_response backend. */
  backend: number;
}

/** Options of {@linkcode benchBootstrap}. */
export interface BenchBootstrapOptions {
  configuration: Configuration;
  /** Drops the wasm filter from the chain (what the WasmPlugin's VM costs is the difference). */
  withoutWasm?: boolean;
  table: EnvoyBenchTable;
  ports: BenchPorts;
  /** The ECDS file the wasm filter's configuration is read from (unused by native). */
  ecdsPath: string;
  envoyFilter: EnvoyFilterSpec;
}

/** The bootstrap of one bench Envoy. */
export function benchBootstrap(o: BenchBootstrapOptions): Json {
  const wasmroute = o.configuration === "wasmroute";
  const backend = { address: "127.0.0.1", port: o.ports.backend };
  const clusters = new Set(o.table.generated.rules.map((r) => r.cluster));
  const bootstrap = istioBootstrap({
    plugins: [{ filterName: filterName(o.configuration), ecdsPath: o.ecdsPath, flavour: "gateway" }],
    ports: [o.ports.listener],
    upstreams: [...clusters].map((cluster) => ({ cluster, ...backend })),
    passthrough: backend,
    envoyFilter: wasmroute || o.configuration === "glue" ? o.envoyFilter : { configPatches: [] },
    listen: "loopback",
  });
  const resources = bootstrap.static_resources as { listeners: Json[] };
  const hcm = connectionManager(resources.listeners[0]);
  if (!wasmroute) {
    const config = hcm.route_config as Json;
    const native = nativeVirtualHosts(o.table.ir, o.ports.listener);
    // The glue's route, which the EnvoyFilter put first in Istio's one virtual host, goes first in each.
    const glue = o.configuration === "glue"
      ? ((config.virtual_hosts as Json[])[0].routes as Json[])[0]
      : undefined;
    if (glue) { for (const v of native) (v.routes as Json[]).unshift(structuredClone(glue)); }
    config.virtual_hosts = [...native, ...config.virtual_hosts as Json[]];
  }
  if (o.configuration === "native" || o.configuration === "glue" || o.withoutWasm) {
    hcm.http_filters = (hcm.http_filters as Json[]).filter((f) => f.name !== filterName(o.configuration));
  }
  resources.listeners.push(backendListener(o.ports.backend));
  return { ...bootstrap, stats_config: ISTIO_STATS };
}

/** Istio's WasmPlugin filter name for a configuration. */
const filterName = (c: Configuration) => `${PLUGIN_NAMESPACE}.${c === "wasmroute" ? "wasmroute" : "noop"}`;

function connectionManager(listener: Json): Json {
  const chain = (listener.filter_chains as Json[])[0];
  return (chain.filters as Json[])[0].typed_config as Json;
}

/** Istio's default stats inclusion list (its bootstrap), plus the counter the routing check reads. */
const ISTIO_STATS = {
  stats_matcher: {
    inclusion_list: {
      patterns: [
        { prefix: "reporter=" },
        { prefix: "cluster_manager" },
        { prefix: "listener_manager" },
        { prefix: "server" },
        { prefix: "cluster.xds-grpc" },
        { prefix: "wasm" },
        { prefix: "component" },
        { prefix: "istio" },
        { prefix: "extension_config_discovery" },
        { suffix: ".upstream_rq_total" },
      ],
    },
  },
};

function backendListener(port: number): Json {
  const typed = (type: string, rest: Json = {}) => ({ "@type": `type.googleapis.com/${type}`, ...rest });
  return {
    name: BACKEND_LISTENER,
    address: { socket_address: { address: "127.0.0.1", port_value: port } },
    filter_chains: [{
      filters: [{
        name: "envoy.filters.network.http_connection_manager",
        typed_config: typed(
          "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
          {
            stat_prefix: BACKEND_LISTENER,
            route_config: {
              virtual_hosts: [{
                name: "backend",
                domains: ["*"],
                routes: [{
                  match: { prefix: "/" },
                  direct_response: { status: 200, body: { inline_string: BACKEND_BODY } },
                }],
              }],
            },
            http_filters: [{
              name: "envoy.filters.http.router",
              typed_config: typed("envoy.extensions.filters.http.router.v3.Router"),
            }],
          },
        ),
      }],
    }],
  };
}

/** Options of {@linkcode startBenchEnvoy}. */
export interface StartBenchEnvoyOptions {
  envoy: string;
  configuration: Configuration;
  withoutWasm?: boolean;
  table: EnvoyBenchTable;
  /** Ports to bind; default two free ones. The table's Gateway port must be `listener` for wasmroute. */
  ports?: BenchPorts;
  /** Worker threads; default 1. */
  concurrency?: number;
}

/** A bench Envoy: the process and where it listens. */
export interface BenchEnvoy {
  envoy: EnvoyProcess;
  ports: BenchPorts;
  configuration: Configuration;
}

/** Starts one bench Envoy and waits until it is live. */
export async function startBenchEnvoy(o: StartBenchEnvoyOptions): Promise<BenchEnvoy> {
  const ports = o.ports ?? { listener: o.table.port, backend: await freePort() };
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-bench-envoy-" });
  const ecdsPath = join(dir, "ecds.json");
  if (o.configuration === "noop" || o.configuration === "callbacks" || o.configuration === "wasmroute") {
    const wasmPath = join(dir, `${o.configuration}.wasm`);
    await Deno.writeFile(wasmPath, await MODULES[o.configuration as keyof typeof MODULES]());
    await Deno.writeTextFile(
      ecdsPath,
      JSON.stringify(wasmExtensionConfig({
        filterName: filterName(o.configuration),
        wasmPath,
        pluginConfig: o.configuration === "wasmroute" ? o.table.pluginConfig : "",
        failStrategy: "FAIL_CLOSE",
      })),
    );
  }
  const envoyFilter = parse(await Deno.readTextFile(ENVOY_FILTER_MANIFEST)).spec as EnvoyFilterSpec;
  const bootstrap = benchBootstrap({ ...o, ports, ecdsPath, envoyFilter });
  const envoy = await startEnvoy({ envoy: o.envoy, bootstrap, dir, concurrency: o.concurrency ?? 1 });
  return { envoy, ports, configuration: o.configuration };
}

/** A port nothing listens on now (bound and released: Envoy binds it next). */
export async function freePort(): Promise<number> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await Promise.resolve();
  return port;
}

/** What a routing check found. */
export interface RoutingCheck {
  sent: number;
  /** Requests answered 200 by the backend through the cluster of the rule they were made for. */
  correct: number;
  /** The first few problems, for the report. */
  problems: string[];
}

/**
 * Sends each of the table's first `count` requests once and checks, from each cluster's
 * `upstream_rq_total`, that it went to the cluster of the rule it was made for.
 */
export async function checkRouting(b: BenchEnvoy, table: EnvoyBenchTable, count = 32): Promise<RoutingCheck> {
  const requests = table.requests.slice(0, count);
  const expected = new Map<string, number>();
  for (const r of requests) expected.set(r.cluster, (expected.get(r.cluster) ?? 0) + 1);
  const before = await clusterRequests(b.envoy);
  const problems: string[] = [];
  let answered = 0;
  for (const r of requests) {
    const res = await httpExchange(b.ports.listener, [...r.headers, ["connection", "close"]]);
    if (res.status === 200 && res.body === BACKEND_BODY) answered++;
    else if (problems.length < 5) problems.push(`${r.hostname}${r.path}: ${res.status}`);
  }
  const after = await clusterRequests(b.envoy);
  let routed = 0;
  for (const [cluster, n] of expected) {
    const got = (after.get(cluster) ?? 0) - (before.get(cluster) ?? 0);
    routed += Math.min(n, got);
    if (got !== n && problems.length < 5) problems.push(`${cluster}: ${got} requests, expected ${n}`);
  }
  return { sent: requests.length, correct: Math.min(answered, routed), problems };
}

async function clusterRequests(envoy: EnvoyProcess): Promise<Map<string, number>> {
  const stats = await envoy.stats("^cluster\\.outbound.*\\.upstream_rq_total$");
  return new Map([...stats].map(([k, v]) => [k.slice("cluster.".length, -".upstream_rq_total".length), v]));
}
