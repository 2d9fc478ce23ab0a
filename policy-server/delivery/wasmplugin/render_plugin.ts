/**
 * The Istio object that runs the filter, of either kind:
 *
 * - `WasmPlugin` (`extensions.istio.io/v1alpha1`), every Istio the project supports;
 * - `TrafficExtension` (same group, Istio 1.30+), which newer Istio recommends over WasmPlugin (and
 *   converts each WasmPlugin into): the same targeting and ordering fields (`selector`,
 *   `targetRefs`, `phase`, `priority`, `match`), with the Wasm ones (`url`, `sha256`,
 *   `imagePullPolicy`, `failStrategy`, `pluginConfig`) under `spec.wasm`.
 *
 * Both carry the same blob in the same `pluginConfig`, so the filter cannot tell them apart.
 *
 * @module
 */
import { stringify } from "yaml";
import {
  type BlobInfo,
  renderWasmPlugin,
  type WasmPlugin,
  type WasmPluginOptions,
} from "./render_wasmplugin.ts";

export type PluginKind = NonNullable<WasmPluginOptions["kind"]>;
export const PLUGIN_KINDS: readonly PluginKind[] = ["WasmPlugin", "TrafficExtension"];

type WasmFields = Omit<WasmPlugin["spec"], "selector" | "phase">;

export interface TrafficExtension {
  apiVersion: "extensions.istio.io/v1alpha1";
  kind: "TrafficExtension";
  metadata: WasmPlugin["metadata"];
  spec: Pick<WasmPlugin["spec"], "selector" | "phase"> & { wasm: WasmFields };
}

/** The TrafficExtension that carries `blob`: the WasmPlugin's fields, the Wasm ones moved under `wasm`. */
export function renderTrafficExtension(blob: BlobInfo, options: WasmPluginOptions = {}): TrafficExtension {
  const { metadata, spec: { selector, phase, ...wasm } } = renderWasmPlugin(blob, options);
  return {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "TrafficExtension",
    metadata,
    spec: { ...(selector && { selector }), phase, wasm },
  };
}

/** The object of `options.kind` carrying `blob`. */
export function renderPlugin(blob: BlobInfo, options: WasmPluginOptions = {}): WasmPlugin | TrafficExtension {
  const { kind, ...rest } = options;
  return kind === "TrafficExtension" ? renderTrafficExtension(blob, rest) : renderWasmPlugin(blob, rest);
}

/** The `pluginConfig` an object carries (the filter's configuration). */
export function pluginConfigOf(plugin: WasmPlugin | TrafficExtension): WasmPlugin["spec"]["pluginConfig"] {
  return plugin.kind === "TrafficExtension" ? plugin.spec.wasm.pluginConfig : plugin.spec.pluginConfig;
}

/** The API path of such an object. */
export function pluginPath(kind: PluginKind, namespace: string, name: string): string {
  const resource = kind === "TrafficExtension" ? "trafficextensions" : "wasmplugins";
  return `/apis/extensions.istio.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/${resource}/${
    encodeURIComponent(name)
  }`;
}

/** YAML for `kubectl apply -f -`; the base64 blob stays on one line. */
export function pluginToYaml(plugin: WasmPlugin | TrafficExtension): string {
  return `# Rendered by the wasmroute policy server: blob generation ${pluginConfigOf(plugin).version}.\n` +
    stringify(plugin, { lineWidth: 0 });
}
