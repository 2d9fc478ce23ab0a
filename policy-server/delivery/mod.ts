/**
 * Getting the rule blob to the filters: the serialised compile-and-commit write path, the Istio
 * WasmPlugin that carries the blob, and its delivery — pushed (Kubernetes server-side apply, a
 * GitOps folder) or pulled (`GET /v1/blob` with long-poll, `GET /v1/filter.wasm`, served by
 * `api/delivery_routes.ts`).
 *
 * @module
 */
export { Publisher, RollbackError } from "./publisher.ts";
export type { ApplyOptions, CompileFn, Published, ResourceChange } from "./publisher.ts";
export { sameRules } from "./same_rules.ts";
export { DEFAULT_PLUGIN_URL, renderWasmPlugin, wasmPluginToYaml } from "./render_wasmplugin.ts";
export type {
  BlobInfo,
  FailStrategy,
  PluginPhase,
  WasmPlugin,
  WasmPluginOptions,
} from "./render_wasmplugin.ts";
export { Mutex } from "./mutex.ts";
export { startDelivery } from "./delivery_service.ts";
export type {
  Delivery,
  DeliveryDeps,
  DeliveryMetrics,
  DeliveryRouteOptions,
  DeliveryStatus,
} from "./delivery_service.ts";
export {
  DELIVERY_FLAGS,
  DELIVERY_USAGE,
  DeliveryConfigError,
  parseDeliveryConfig,
} from "./delivery_config.ts";
export type { DeliveryConfig } from "./delivery_config.ts";
export { BlobFeed } from "./blob_feed.ts";
export { LatestPusher } from "./latest_pusher.ts";
export type { Offer, PusherOptions, PusherStatus, PushResult, PushTarget } from "./latest_pusher.ts";
export { FlavourError, flavourFileName, flavourOptions, parseFlavour, parseGatewayRef } from "./flavours.ts";
export type { Flavour } from "./flavours.ts";
export { KubeApiError, KubeClient, WasmPluginApplyTarget } from "./kube_apply.ts";
export { inClusterCredentials, kubeconfigCredentials, KubeCredentialsError } from "./kube_credentials.ts";
export type { KubeCredentials } from "./kube_credentials.ts";
export { GitOpsFileTarget, writeFileAtomic } from "./gitops_writer.ts";
export { FilterModule } from "./filter_module.ts";
