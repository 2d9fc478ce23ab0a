/**
 * The simulator library: the in-repo proxy-wasm host (`./host/`) running the real filter module,
 * and the route simulator over it, which the policy server's console and the CLIs in `tools/` use.
 * It imports from `policy-server/` (the compiler) and `filter/` only, never from `tools/`.
 *
 * @example
 * ```ts ignore
 * import { simulate } from "./mod.ts";
 * const [d] = await simulate(routes, [{ host: "my-server", path: "/", headers: { version: "new" } }]);
 * d.backend; // "devopssong/my-server-v2:80"
 * ```
 *
 * @module
 */
export {
  checkKeys,
  checkSimRequest,
  clusterLabel,
  describeFsError,
  FILTER_WASM,
  type HeaderInput,
  loadResources,
  type MeshSource,
  parseResourcesText,
  type SimDecision,
  SimInputError,
  type SimRequest,
  simulate,
  Simulator,
} from "./simulate.ts";
export {
  AUTHORITY_HEADER,
  CLUSTER_HEADER,
  CLUSTER_HEADER_ROUTE,
  decidedCluster,
  INTERNAL_HEADERS,
  STRIP_INTERNAL_HEADERS,
} from "./envoy_glue.ts";
