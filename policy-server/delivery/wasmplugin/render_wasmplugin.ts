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
  /**
   * Delivery by URL: a blob larger than `maxInlineBytes` is not carried in `pluginConfig`, which then
   * names where the filter fetches it and pins its SHA-256 ({@linkcode BlobByUrl}). Absent, every blob
   * is carried inline.
   */
  blobUrl?: BlobUrlOptions;
}

/** Where proxies fetch a blob too large for a WasmPlugin, and from which size on. */
export interface BlobUrlOptions {
  /** Blobs of more bytes than this are delivered by URL (0: every blob). */
  maxInlineBytes: number;
  /** The policy server's Envoy cluster, `outbound|PORT||HOST` in Istio. */
  cluster: string;
  /** The `:authority` the filter sends, `HOST:PORT`. */
  authority: string;
  /** The bearer token the filter sends, when the server requires one (a reader for every namespace). */
  token?: string;
}

/** The default of `--inline-blob-max-bytes`: why 180 KiB, in docs/configuration.md. */
export const DEFAULT_MAX_INLINE_BYTES = 180 * 1024;

/** The default of `--blob-service`: the Service in `manifests/policy-server/service.yaml`. */
export const DEFAULT_BLOB_SERVICE = "wasmroute-policy-server.wasmroute-system.svc.cluster.local:8080";

/** The `blobUrl` options of a Service `HOST:PORT` as Istio names its cluster. */
export function blobUrlOptions(service: string, maxInlineBytes: number, token?: string): BlobUrlOptions {
  const at = service.lastIndexOf(":");
  const host = service.slice(0, at), port = service.slice(at + 1);
  return {
    maxInlineBytes,
    cluster: `outbound|${port}||${host}`,
    authority: `${host}:${port}`,
    ...(token !== undefined && { token }),
  };
}

/** The blob inline, base64: the filter reads `blob` (and `scope`). */
export type InlineBlob = {
  blob: string;
  version: string;
  sha256: string;
  scope?: string;
};

/**
 * The blob by URL: the filter fetches `blobPath` through the Envoy cluster `blobCluster` and serves
 * the bytes only if their SHA-256 is `sha256`.
 */
export type BlobByUrl = {
  blobCluster: string;
  blobAuthority: string;
  blobPath: string;
  blobToken?: string;
  version: string;
  sha256: string;
  scope?: string;
};

/** The path that serves a kept blob by its SHA-256 (`api/delivery_routes.ts`). */
export const blobPathOf = (sha256: string): string => `/v1/blob/sha256/${sha256}`;

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
    pluginConfig: InlineBlob | BlobByUrl;
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
      pluginConfig: pluginConfigOf(blob, options),
    },
  };
}

/**
 * Inline, the filter reads `blob` and `scope`, and `version` and `sha256` are for people and tooling;
 * by URL, `sha256` is what the fetched bytes must hash to.
 */
function pluginConfigOf(blob: BlobInfo, options: WasmPluginOptions): InlineBlob | BlobByUrl {
  const version = String(blob.generation);
  const scope = options.scope ? { scope: options.scope } : {};
  const byUrl = options.blobUrl;
  if (byUrl === undefined || blob.blob.length <= byUrl.maxInlineBytes) {
    return { blob: blob.blob.toBase64(), version, sha256: blob.sha256, ...scope };
  }
  return {
    blobCluster: byUrl.cluster,
    blobAuthority: byUrl.authority,
    blobPath: blobPathOf(blob.sha256),
    ...(byUrl.token !== undefined && { blobToken: byUrl.token }),
    version,
    sha256: blob.sha256,
    ...scope,
  };
}

/** YAML for `kubectl apply -f -`; the base64 blob stays on one line. */
export function wasmPluginToYaml(plugin: WasmPlugin): string {
  return `# Rendered by the wasmroute policy server: blob generation ${plugin.spec.pluginConfig.version}.\n` +
    stringify(plugin, { lineWidth: 0 });
}
