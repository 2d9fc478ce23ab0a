/**
 * The simulator library: the in-repo proxy-wasm host (`./host/`) running the real filter module,
 * the route simulator over it, and the Envoy glue it plays. The policy server's console and the
 * CLIs in `tools/` use it; it imports from neither (nor from any other folder of the repository),
 * so it sits below both.
 *
 * @example
 * ```ts ignore
 * import { checkSimRequest, Simulator } from "./mod.ts";
 * const sim = Simulator.start(pluginConfig, await Deno.readFile("filter/build/filter.wasm"));
 * sim.decide(checkSimRequest({ host: "my-server", path: "/", headers: { version: "new" } })).backend;
 * ```
 *
 * @module
 */
export {
  checkKeys,
  checkSimRequest,
  clusterLabel,
  type HeaderInput,
  type MeshSource,
  type SimDecision,
  SimInputError,
  type SimRequest,
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
