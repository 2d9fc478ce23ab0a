/**
 * The rule blob as an Istio `WasmPlugin`: Istio hands `spec.pluginConfig` to the filter's
 * `proxy_on_configure` as JSON, so shipping a new routing table is `kubectl apply` of this object.
 *
 * @module
 */
import { VERSION } from "../../version.ts";
import { stringify } from "yaml";

export type PluginPhase = "UNSPECIFIED_PHASE" | "AUTHN" | "AUTHZ" | "STATS";
export type FailStrategy = "FAIL_CLOSE" | "FAIL_OPEN" | "FAIL_RELOAD";

export interface WasmPluginOptions {
  /**
   * The object delivered: `WasmPlugin` (default) or, on Istio 1.30+, `TrafficExtension` with the same
   * fields (render_plugin.ts). {@linkcode renderWasmPlugin} itself always renders a WasmPlugin.
   */
  kind?: "WasmPlugin" | "TrafficExtension";
  /** Default `wasmroute`. */
  name?: string;
  /** Default `istio-system`: Istio's root namespace, where a WasmPlugin applies to every proxy. */
  namespace?: string;
  /** Where proxies fetch the filter module from; default {@linkcode DEFAULT_PLUGIN_URL}. */
  url?: string;
  /** SHA-256 of the filter module, pinned when known. */
  moduleSha256?: string;
  /** Default `STATS`; see {@linkcode renderWasmPlugin}. */
  phase?: PluginPhase;
  /** Default `FAIL_CLOSE`; see {@linkcode renderWasmPlugin}. */
  failStrategy?: FailStrategy;
  /** Narrows the proxies the plugin applies to, e.g. `{ "istio.io/gateway-name": "web" }`. */
  selector?: Record<string, string>;
  /**
   * `pluginConfig.scope`: `gateway:NAMESPACE/NAME` makes the filter serve only that Gateway's routes
   * (the gateway flavour), `mesh` only GAMMA routes; absent, every route (docs/blob-format.md).
   */
  scope?: string;
}

/** The parts of a stored blob a WasmPlugin carries. */
export interface BlobInfo {
  generation: number;
  sha256: string;
  blob: Uint8Array;
}

export interface WasmPlugin {
  apiVersion: "extensions.istio.io/v1alpha1";
  kind: "WasmPlugin";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    selector?: { matchLabels: Record<string, string> };
    url: string;
    sha256?: string;
    imagePullPolicy: "IfNotPresent";
    phase: PluginPhase;
    failStrategy: FailStrategy;
    pluginConfig: { blob: string; version: string; sha256: string; scope?: string };
  };
}

/**
 * The filter's OCI image of this release, as the manifests pin it. Deployments may override it
 * (`--plugin-url`) with a digest, their own registry, a `file://` path mounted into the proxies, or
 * an `https://` URL.
 */
export const DEFAULT_PLUGIN_URL = `oci://ghcr.io/wasmroute/filter:${VERSION}`;

/**
 * Renders the Istio WasmPlugin that delivers `blob` to the filter.
 *
 * Choices:
 * - `phase: STATS` puts the filter after Istio's authentication and authorization filters and before
 *   its stats filters, all of them ahead of the router. Security policies thus judge the request as
 *   the client sent it (route filters rewrite headers on the way to the backend, as Gateway API
 *   means), while telemetry records the backend the route chose and the filter's own 500s.
 * - `failStrategy: FAIL_CLOSE`: if the module cannot be fetched or traps, requests fail with 5xx
 *   instead of bypassing the filter. Bypassing would route around every HTTPRoute rule (weights,
 *   header matches, header changes) without anyone noticing; a failing route is visible. A bad blob
 *   is a different matter: `proxy_on_configure` refuses it and the previous table keeps serving.
 * - `imagePullPolicy: IfNotPresent`: Istio defaults to `Always` for a `:latest` url (one a user may
 *   give), which re-pulls the module on every change of this object, i.e. on every new blob; the
 *   module changes far less often.
 */
export function renderWasmPlugin(blob: BlobInfo, options: WasmPluginOptions = {}): WasmPlugin {
  return {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: {
      name: options.name ?? "wasmroute",
      namespace: options.namespace ?? "istio-system",
      labels: { "app.kubernetes.io/managed-by": "wasmroute" },
    },
    spec: {
      ...(options.selector && { selector: { matchLabels: options.selector } }),
      url: options.url ?? DEFAULT_PLUGIN_URL,
      ...(options.moduleSha256 && { sha256: options.moduleSha256 }),
      imagePullPolicy: "IfNotPresent",
      phase: options.phase ?? "STATS",
      failStrategy: options.failStrategy ?? "FAIL_CLOSE",
      // The filter reads `blob` and `scope`; `version` and `sha256` are for people and tooling.
      pluginConfig: {
        blob: blob.blob.toBase64(),
        version: String(blob.generation),
        sha256: blob.sha256,
        ...(options.scope && { scope: options.scope }),
      },
    },
  };
}

/** YAML for `kubectl apply -f -`; the base64 blob stays on one line. */
export function wasmPluginToYaml(plugin: WasmPlugin): string {
  return `# Rendered by the wasmroute policy server: blob generation ${plugin.spec.pluginConfig.version}.\n` +
    stringify(plugin, { lineWidth: 0 });
}
