import type { CompileResult } from "../../policy-server/compile/mod.ts";
import { renderWasmPlugin } from "../../policy-server/delivery/render_wasmplugin.ts";
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

/** Where the local stand-in for one Istio cluster listens. */
export interface BackendAddress {
  /** Istio's cluster name, used verbatim as the Envoy cluster name. */
  cluster: string;
  address: string;
  port: number;
}

/** Options of {@linkcode renderEnvoyConfig}. */
export interface EnvoyConfigOptions {
  /** Absolute path of the filter module, e.g. `filter/build/filter.wasm`. */
  wasmPath: string;
  /** Default `127.0.0.1`. */
  listenerAddress?: string;
  /** Default 10000. */
  listenerPort?: number;
  /** Envoy's admin interface (stats, logging levels) on the listener address; default 9901. */
  adminPort?: number;
}

/**
 * An Envoy bootstrap that runs the filter as Istio would, for `func-e run -c envoy.yaml`:
 *
 * - one HTTP listener whose chain is {@linkcode STRIP_INTERNAL_HEADERS}, the wasm filter (V8, the
 *   local module, and as configuration the very JSON Istio builds from the WasmPlugin's
 *   `pluginConfig`), then the router;
 * - routes as `manifests/istio/envoyfilter-cluster-header.yaml` makes them: first the
 *   `cluster_header` route, then a fallback standing in for Istio's own routes;
 * - one cluster per backend of the rule table, named exactly as Istio names it, at `backends`.
 *
 * Pure: the result is a plain object to serialise as YAML or JSON.
 *
 * @throws {Error} when a backend of the table has no address in `backends`.
 */
export function renderEnvoyConfig(
  compiled: Pick<CompileResult, "table" | "blob" | "sha256">,
  backends: BackendAddress[],
  options: EnvoyConfigOptions,
): Record<string, unknown> {
  const address = options.listenerAddress ?? "127.0.0.1";
  const byCluster = new Map(backends.map((b) => [b.cluster, b]));
  const missing = tableBackends(compiled.table).filter((b) => !byCluster.has(b.cluster));
  if (missing.length) {
    throw new Error(`no address for cluster(s): ${missing.map((b) => b.cluster).join(", ")}`);
  }
  // The same pluginConfig the policy server renders into the WasmPlugin: Istio passes it as JSON.
  const { pluginConfig } = renderWasmPlugin({
    generation: compiled.table.generation,
    sha256: compiled.sha256,
    blob: compiled.blob,
  }).spec;

  const socket = (port: number, host = address) => ({ socket_address: { address: host, port_value: port } });
  return {
    admin: { address: socket(options.adminPort ?? 9901) },
    static_resources: {
      listeners: [{
        name: "wasmroute_local",
        address: socket(options.listenerPort ?? 10000),
        filter_chains: [{
          filters: [{
            name: "envoy.filters.network.http_connection_manager",
            typed_config: {
              "@type":
                "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
              stat_prefix: "wasmroute_local",
              // Every Istio proxy sets x-request-id; the filter keys weighted picks on it.
              generate_request_id: true,
              access_log: [{
                name: "envoy.access_loggers.stdout",
                typed_config: {
                  "@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
                  log_format: {
                    text_format_source: {
                      inline_string:
                        "[envoy] %REQ(:METHOD)% %REQ(:AUTHORITY)%%REQ(:PATH)% -> %RESPONSE_CODE% " +
                        "route=%ROUTE_NAME% cluster=%UPSTREAM_CLUSTER% details=%RESPONSE_CODE_DETAILS%\n",
                    },
                  },
                },
              }],
              route_config: {
                name: "wasmroute_local",
                virtual_hosts: [{
                  name: "all",
                  domains: ["*"],
                  routes: [
                    CLUSTER_HEADER_ROUTE,
                    {
                      // In the mesh, requests the filter does not decide keep Istio's own routes.
                      name: "istio-routes-stand-in",
                      match: { prefix: "/" },
                      direct_response: {
                        status: 404,
                        body: {
                          inline_string: "wasmroute did not decide this request (no virtual host for its " +
                            "authority); in the mesh, Istio's own routes would serve it\n",
                        },
                      },
                    },
                  ],
                }],
              },
              http_filters: [
                STRIP_INTERNAL_HEADERS,
                {
                  name: "envoy.filters.http.wasm",
                  typed_config: {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
                    config: {
                      // Istio names the plugin `<namespace>.<name>` of the WasmPlugin.
                      name: "istio-system.wasmroute",
                      configuration: {
                        "@type": "type.googleapis.com/google.protobuf.StringValue",
                        value: JSON.stringify(pluginConfig),
                      },
                      vm_config: {
                        runtime: "envoy.wasm.runtime.v8",
                        code: { local: { filename: options.wasmPath } },
                      },
                    },
                  },
                },
                {
                  name: "envoy.filters.http.router",
                  typed_config: {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
                  },
                },
              ],
            },
          }],
        }],
      }],
      clusters: backends.map((b) => ({
        name: b.cluster,
        type: "STATIC",
        connect_timeout: "1s",
        load_assignment: {
          cluster_name: b.cluster,
          endpoints: [{ lb_endpoints: [{ endpoint: { address: socket(b.port, b.address) } }] }],
        },
      })),
    },
  };
}
