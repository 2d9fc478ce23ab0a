/**
 * Kubernetes delivery: each new blob generation is server-side applied to the WasmPlugin, as
 * `curl /v1/wasmplugin | kubectl apply --server-side --field-manager=wasmroute --force-conflicts -f -`
 * would:
 *
 * ```
 * PATCH /apis/extensions.istio.io/v1alpha1/namespaces/NS/wasmplugins/NAME?fieldManager=wasmroute&force=true
 * Content-Type: application/apply-patch+yaml
 * ```
 *
 * with the rendered WasmPlugin as the body (JSON, which is YAML): apiVersion, kind, metadata name,
 * namespace and the `managed-by` label, `spec.pluginConfig`, and the fields the manifests share
 * (`url`, `imagePullPolicy`, `phase`, `failStrategy`, and `sha256`/`selector` when configured).
 * Nothing else: `match`, `targetRefs` and `priority` stay the manifests'. `force=true` makes a
 * shared field that disagrees the server's instead of failing every push with a conflict.
 *
 * Unless creating is allowed, a GET first checks that the WasmPlugin exists: the server adds the
 * routing table to the object the manifests made, and never makes one of its own that lacks their
 * `match` or `targetRefs` (or brings back one somebody deleted to switch wasmroute off).
 *
 * @module
 */
import type { BlobRecord, Store } from "../../store/store.ts";
import type { Flavour } from "../wasmplugin/flavours.ts";
import { flavourObject, flavourOptions } from "../wasmplugin/flavours.ts";
import type { KubeCredentials } from "./kube_credentials.ts";
import { httpClientFor } from "./kube_credentials.ts";
import type { Offer, PushTarget } from "./latest_pusher.ts";
import { pluginPath, renderPlugin } from "../wasmplugin/render_plugin.ts";
import type { WasmPluginOptions } from "../wasmplugin/render_wasmplugin.ts";

export const FIELD_MANAGER = "wasmroute";
export const APPLY_PATCH_CONTENT_TYPE = "application/apply-patch+yaml";

/** An answer of the API server other than success; `status` 0 when none came. */
export class KubeApiError extends Error {
  override name = "KubeApiError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The API path of a WasmPlugin. */
export function wasmPluginPath(namespace: string, name: string): string {
  return pluginPath("WasmPlugin", namespace, name);
}

/** One connection to an API server: its credentials and, for a custom CA or client cert, a client. */
export class KubeClient {
  readonly credentials: KubeCredentials;
  readonly #client?: Deno.HttpClient;

  constructor(credentials: KubeCredentials) {
    this.credentials = credentials;
    this.#client = httpClientFor(credentials);
  }

  async request(
    method: string,
    path: string,
    init: {
      query?: Record<string, string>;
      headers?: Record<string, string>;
      body?: string;
      signal?: AbortSignal;
    } = {},
  ): Promise<Response> {
    const url = new URL(this.credentials.server + path);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const headers = new Headers({ Accept: "application/json", "User-Agent": "wasmroute-policy-server" });
    for (const [k, v] of Object.entries(init.headers ?? {})) headers.set(k, v);
    const authorization = await this.credentials.authorization();
    if (authorization) headers.set("Authorization", authorization);
    try {
      return await fetch(url, {
        method,
        headers,
        body: init.body,
        signal: init.signal,
        ...(this.#client && { client: this.#client }),
      });
    } catch (error) {
      throw new KubeApiError(0, `${method} ${url.pathname}: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.#client?.close();
  }
}

/** The message of a Kubernetes `Status` answer, or the start of whatever else came. */
async function failure(res: Response, what: string): Promise<KubeApiError> {
  const text = await res.text().catch(() => "");
  let message = text.slice(0, 300);
  try {
    const status = JSON.parse(text);
    if (typeof status?.message === "string") message = status.message;
  } catch { /* not JSON */ }
  return new KubeApiError(res.status, `${what}: ${res.status} ${message}`.trim());
}

export interface WasmPluginApplyOptions {
  client: KubeClient;
  store: Pick<Store, "blobAt" | "currentBlob">;
  flavour: Flavour;
  plugin?: WasmPluginOptions;
  /** Create the WasmPlugin when it does not exist (default: wait for the manifests to create it). */
  create?: boolean;
}

/** A {@linkcode PushTarget} applying one flavour's WasmPlugin. */
export class WasmPluginApplyTarget implements PushTarget {
  readonly kind = "kubernetes";
  readonly name: string;
  readonly #options: WasmPluginApplyOptions;
  readonly #path: string;

  constructor(options: WasmPluginApplyOptions) {
    this.#options = options;
    const { namespace, name } = flavourObject(options.flavour, options.plugin);
    this.name = `kubernetes ${namespace}/${name}`;
    this.#path = pluginPath(options.plugin?.kind ?? "WasmPlugin", namespace, name);
  }

  async push(offer: Offer, signal: AbortSignal): Promise<number> {
    const { client, store, flavour, plugin, create } = this.#options;
    const record: BlobRecord | null = await store.blobAt(offer.generation) ?? await store.currentBlob();
    if (!record) throw new Error(`blob generation ${offer.generation} is gone and there is no current blob`);
    const body = renderPlugin(record, flavourOptions(flavour, plugin));
    const object = `${body.kind} ${body.metadata.namespace}/${body.metadata.name}`;

    if (!create) {
      const res = await client.request("GET", this.#path, { signal });
      if (res.status === 404) {
        await res.body?.cancel();
        throw new KubeApiError(
          404,
          `${object} does not exist yet: apply its manifest (manifests/istio/mesh or .../gateway), or run with --kube-create`,
        );
      }
      if (!res.ok) throw await failure(res, `GET ${object}`);
      await res.body?.cancel();
    }

    const res = await client.request("PATCH", this.#path, {
      query: { fieldManager: FIELD_MANAGER, force: "true" },
      headers: { "Content-Type": APPLY_PATCH_CONTENT_TYPE },
      body: JSON.stringify(body),
      signal,
    });
    if (!res.ok) throw await failure(res, `apply ${object}`);
    await res.body?.cancel();
    return record.generation;
  }
}
