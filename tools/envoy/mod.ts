/**
 * The local loop: the real filter in a real Envoy (started by func-e), configured the way Istio
 * configures a sidecar (simulator/envoy), in front of loopback echo servers named like Istio's clusters.
 *
 * `deno task envoy [examples/<name> | route file]`; see docs/getting-started.md.
 *
 * @module
 */
export {
  CLUSTER_HEADER,
  CLUSTER_HEADER_ROUTE,
  decidedCluster,
  INTERNAL_HEADERS,
  renderEnvoyConfig,
  STRIP_INTERNAL_HEADERS,
} from "./render_envoy_config.ts";
export type { EnvoyConfigOptions, LocalEnvoyConfig } from "./render_envoy_config.ts";
export { tableBackends } from "./table_backends.ts";
export type { TableBackend } from "./table_backends.ts";
export { loadRoutes } from "./load_routes.ts";
export type { AdmittedResources, LoadedRoutes } from "./load_routes.ts";
export { findExecutable, FUNC_E_INSTALL } from "./find_executable.ts";
export { envoyCommand, runLocalEnvoy } from "./main.ts";
export type { RunOptions } from "./main.ts";
