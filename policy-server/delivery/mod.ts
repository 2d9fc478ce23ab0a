/**
 * Getting the rule blob to the filters, in three parts:
 *
 * - `write/`: the write path — every change compiled with everything stored and committed with its
 *   blob, one at a time ({@linkcode Publisher}); a rollback to a kept generation
 * - `wasmplugin/`: the Istio WasmPlugin (or TrafficExtension) that carries a blob, and its
 *   flavours (the mesh's, one per Gateway)
 * - `transports/`: how a blob reaches Envoy — pushed (Kubernetes server-side apply, a GitOps
 *   folder) by {@linkcode startDelivery}, or pulled over the API (`api/delivery_routes.ts`: `GET
 *   /v1/blob` with long-poll through {@linkcode BlobFeed}, `GET /v1/filter.wasm`)
 *
 * @module
 */
export { Publisher, RollbackError } from "./write/publisher.ts";
export type { ApplyOptions, CompileFn, Published, ResourceChange } from "./write/publisher.ts";
export { sameRules } from "./write/same_rules.ts";
export { DEFAULT_PLUGIN_URL, renderWasmPlugin, wasmPluginToYaml } from "./wasmplugin/render_wasmplugin.ts";
export type {
  BlobInfo,
  FailStrategy,
  PluginPhase,
  WasmPlugin,
  WasmPluginOptions,
} from "./wasmplugin/render_wasmplugin.ts";
export { Mutex } from "./write/mutex.ts";
export { startDelivery } from "./transports/delivery_service.ts";
export type {
  Delivery,
  DeliveryDeps,
  DeliveryMetrics,
  DeliveryRouteOptions,
  DeliveryStatus,
} from "./transports/delivery_service.ts";
export {
  DELIVERY_FLAGS,
  DELIVERY_USAGE,
  DeliveryConfigError,
  parseDeliveryConfig,
} from "./transports/delivery_config.ts";
export type { DeliveryConfig } from "./transports/delivery_config.ts";
export { BlobFeed } from "./transports/blob_feed.ts";
export { LatestPusher } from "./transports/latest_pusher.ts";
export type {
  Offer,
  PusherOptions,
  PusherStatus,
  PushResult,
  PushTarget,
} from "./transports/latest_pusher.ts";
export {
  FlavourError,
  flavourFileName,
  flavourOptions,
  parseFlavour,
  parseGatewayRef,
} from "./wasmplugin/flavours.ts";
export type { Flavour } from "./wasmplugin/flavours.ts";
export { KubeApiError, KubeClient, WasmPluginApplyTarget } from "./transports/kube_apply.ts";
export {
  inClusterCredentials,
  kubeconfigCredentials,
  KubeCredentialsError,
} from "./transports/kube_credentials.ts";
export type { KubeCredentials } from "./transports/kube_credentials.ts";
export { GitOpsFileTarget, writeFileAtomic } from "./transports/gitops_writer.ts";
export { FilterModule } from "./transports/filter_module.ts";
