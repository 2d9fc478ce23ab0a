/**
 * The wasmroute policy server: accepts Gateway API HTTPRoutes, Gateways and ReferenceGrants, and the
 * Services, ServiceImports and Namespaces they refer to, over HTTP; stores them in Deno KV, compiles
 * them into one versioned rule blob and serves it to the proxy-wasm filter, directly
 * (`GET /v1/blob`) or as an Istio WasmPlugin (`GET /v1/wasmplugin`).
 *
 * @example
 * ```ts
 * import { createApp, Store } from "./mod.ts";
 * const store = await Store.open(await Deno.makeTempFile({ suffix: ".kv" }));
 * const app = createApp({ store });
 * const res = await app.request("/v1/wasmplugin?format=json");
 * console.log((await res.json()).spec.pluginConfig.version); // "1"
 * store.close();
 * ```
 *
 * @module
 */
export { createApp } from "./app.ts";
export type { AppDeps } from "./app.ts";
export { ConfigError, parseConfig, USAGE } from "./config.ts";
export type { Config } from "./config.ts";
export * from "./delivery/mod.ts";
export * from "./model/mod.ts";
export * from "./store/mod.ts";
export * from "./security/mod.ts";
export * from "./budget/mod.ts";
export { Counter, createServerMetrics, Gauge, Histogram, METRICS_CONTENT_TYPE, Registry } from "./metrics.ts";
export type { Labels, ServerMetrics } from "./metrics.ts";
export { openApiDocument } from "./api/openapi_document.ts";
export type { OpenApiDocument, PathItem } from "./api/openapi_document.ts";
