/**
 * Getting the rule blob to the filters: the serialised compile-and-commit write path and the Istio
 * WasmPlugin that carries the blob.
 *
 * @module
 */
export { Publisher } from "./publisher.ts";
export type { CompileFn, Published, ResourceChange } from "./publisher.ts";
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
