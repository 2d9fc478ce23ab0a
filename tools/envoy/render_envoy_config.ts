import { parse } from "yaml";
import type { CompileResult } from "../../policy-server/compile/mod.ts";
import { renderWasmPlugin } from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import type { EnvoyFilterSpec } from "../../simulator/envoy/apply_envoy_filter.ts";
import { ENVOY_FILTER_MANIFEST, FILTER_NAME, PASSTHROUGH } from "../../simulator/envoy/envoy_host.ts";
import {
  istioBootstrap,
  parseIstioCluster,
  type UpstreamAddress,
  wasmExtensionConfig,
} from "../../simulator/envoy/istio_bootstrap.ts";
import { tableBackends } from "./table_backends.ts";
import {
  AUTHORITY_HEADER,
  CLUSTER_HEADER,
  CLUSTER_HEADER_ROUTE,
  decidedCluster,
  INTERNAL_HEADERS,
  STRIP_INTERNAL_HEADERS,
} from "../../simulator/envoy_glue.ts";

// The glue's facts are defined once, in the simulator library (which plays them); re-exported for
// this folder's users.
export {
  AUTHORITY_HEADER,
  CLUSTER_HEADER,
  CLUSTER_HEADER_ROUTE,
  decidedCluster,
  INTERNAL_HEADERS,
  STRIP_INTERNAL_HEADERS,
};

/** Options of {@linkcode renderEnvoyConfig}. */
export interface EnvoyConfigOptions {
  /** Absolute path of the filter module, e.g. `filter/build/filter.wasm`. */
  wasmPath: string;
  /** Where envoy.yaml's ECDS reference points: the file holding the wasm filter's configuration. */
  ecdsPath: string;
  /** The loopback port of the first service port; further ports get the next ones. Default 10000. */
  listenerPort?: number;
  /** Envoy's admin interface on loopback; default 9901. */
  adminPort?: number;
}

/** What the local loop writes: Envoy's bootstrap, the ECDS file, and which loopback port stands for which service port. */
export interface LocalEnvoyConfig {
  bootstrap: Record<string, unknown>;
  ecds: Record<string, unknown>;
  /** Service (or Gateway listener) port → loopback port a client connects to. */
  ports: Map<number, number>;
}

/**
 * The Envoy a sidecar runs, as istiod configures it (simulator/envoy/istio_bootstrap.ts) with the
 * EnvoyFilter of manifests/istio applied, for `func-e run -c envoy.yaml`: the wasm filter delivered
 * by ECDS from `ecdsPath` with the very `pluginConfig` the policy server renders into the
 * WasmPlugin; one loopback listener per port of the table's routes, restoring the service port as
 * the sidecar's traffic capture does (so `destination.port` is what it is in the mesh); Istio's
 * clusters for every backend of the table, at `upstreams`.
 *
 * @throws {Error} when a backend of the table has no address in `upstreams`.
 */
export async function renderEnvoyConfig(
  compiled: Pick<CompileResult, "table" | "blob" | "sha256">,
  upstreams: UpstreamAddress[],
  options: EnvoyConfigOptions,
): Promise<LocalEnvoyConfig> {
  const known = new Set(upstreams.map((u) => u.cluster));
  const missing = tableBackends(compiled.table).filter((b) => !known.has(b.cluster));
  if (missing.length) {
    throw new Error(`no address for cluster(s): ${missing.map((b) => b.cluster).join(", ")}`);
  }
  const { pluginConfig } = renderWasmPlugin({
    generation: compiled.table.generation,
    sha256: compiled.sha256,
    blob: compiled.blob,
  }).spec;
  const first = options.listenerPort ?? 10000;
  const servicePorts = [...new Set(compiled.table.vhosts.map((v) => v.port || 80))].sort((a, b) => a - b);
  const ports = new Map(servicePorts.map((p, i) => [p, first + i]));
  const passthrough = upstreams.find((u) => u.cluster === PASSTHROUGH);
  const envoyFilter = parse(await Deno.readTextFile(ENVOY_FILTER_MANIFEST)).spec as EnvoyFilterSpec;
  const bootstrap = istioBootstrap({
    plugins: [{ filterName: FILTER_NAME, ecdsPath: options.ecdsPath, flavour: "sidecar" }],
    ports: servicePorts,
    clientPorts: Object.fromEntries(ports),
    adminPort: options.adminPort ?? 9901,
    upstreams: upstreams.filter((u) => parseIstioCluster(u.cluster) !== undefined),
    passthrough: passthrough ?? { address: "127.0.0.1", port: 9 },
    envoyFilter,
    accessLog: true,
  });
  const ecds = wasmExtensionConfig({
    filterName: FILTER_NAME,
    wasmPath: options.wasmPath,
    pluginConfig: JSON.stringify(pluginConfig),
    failStrategy: "FAIL_CLOSE",
  });
  return { bootstrap, ecds, ports };
}
