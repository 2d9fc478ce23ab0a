/**
 * The pull side of delivery, on the policy server's HTTP API:
 *
 * - `GET /v1/blob`: the raw rule blob (what the filter's pull mode fetches), `ETag` = its SHA-256,
 *   `If-None-Match` → `304`. With `?wait=30s` (at most 60 s) and a matching `If-None-Match` the
 *   request is held until a new generation is committed — then `200` with it — or the wait ends
 *   (`304`). `?format=config` answers the `pluginConfig` JSON the filter's configure takes instead
 *   (`?gateway=NS/NAME` adds that Gateway's `scope`).
 * - `GET /v1/blob/sha256/:hex`: a kept generation's bytes by their SHA-256, what a filter fetches when
 *   its WasmPlugin names the blob by URL (a blob past `--inline-blob-max-bytes`). The bytes of a
 *   digest never change, so caches may keep them for good.
 * - `GET /v1/filter.wasm`: the filter module, `Content-Type: application/wasm`, `ETag` and
 *   `X-Wasm-Sha256`, so a WasmPlugin can name `url: http://…/v1/filter.wasm` with `sha256`.
 * - `GET /v1/delivery`: what the push deliveries are doing (targets, last success and failure).
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Store } from "../store/store.ts";
import { BlobFeed } from "../delivery/transports/blob_feed.ts";
import type { DeliveryRouteOptions } from "../delivery/transports/delivery_service.ts";
import { DEFAULT_FILTER_WASM, FilterModule } from "../delivery/transports/filter_module.ts";
import { flavourOptions } from "../delivery/wasmplugin/flavours.ts";
import { renderWasmPlugin } from "../delivery/wasmplugin/render_wasmplugin.ts";
import type { WasmPluginOptions } from "../delivery/wasmplugin/render_wasmplugin.ts";
import { gatewayQuery } from "./gateway_query.ts";
import { VERSION_HEADER } from "./version_header.ts";

export interface DeliveryRoutesDeps {
  store: Store;
  plugin?: WasmPluginOptions;
  /** From `startDelivery`; without it the routes make their own feed and serve the default module. */
  delivery?: DeliveryRouteOptions;
  /** Long polls held at once (default {@linkcode MAX_WAITING}); more are answered 429 at once. */
  maxWaiting?: number;
}

/** The longest `?wait=`. */
export const MAX_WAIT_MS = 60_000;
/**
 * Long polls held at once by default. Each held request costs its connection's memory (about 50 KB
 * measured); 1,000 keep that near 50 MB, under the Deployment's 256 Mi with room for the rest.
 */
export const MAX_WAITING = 1000;

/**
 * `?wait=` as milliseconds: `30s`, `500ms`, `1m`, or a bare number of seconds; longer than
 * {@linkcode MAX_WAIT_MS} is cut to it. `undefined` when absent; throws a 400 when unreadable.
 */
export function parseWait(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const m = /^(\d{1,9})(ms|s|m)?$/.exec(value);
  if (!m) {
    throw new HTTPException(400, { message: `wait "${value}" must be a duration like 30s, 500ms or 1m` });
  }
  const ms = Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000);
  return Math.min(ms, MAX_WAIT_MS);
}

/** `If-None-Match` holds `*` or a list of (possibly weak) entity tags. */
export function etagMatches(header: string | undefined, sha256: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim().replace(/^W\//, "");
    return t === "*" || t === `"${sha256}"`;
  });
}

/** The pull routes as a route group (mount it after the `/v1` guards). */
export function deliveryRoutes(deps: DeliveryRoutesDeps): Hono {
  const { store } = deps;
  const feed = deps.delivery?.feed ?? new BlobFeed(store);
  const filterModule = deps.delivery?.filterModule ?? new FilterModule(DEFAULT_FILTER_WASM);
  const app = new Hono();

  app.get("/v1/blob", async (c) => {
    const format = c.req.query("format") ?? "raw";
    if (format !== "raw" && format !== "config") {
      throw new HTTPException(400, { message: `format "${format}" is not supported (raw or config)` });
    }
    const gateway = c.req.query("gateway");
    if (gateway !== undefined && format !== "config") {
      throw new HTTPException(400, { message: "?gateway= goes with ?format=config" });
    }
    const ref = gatewayQuery(gateway);
    const options = ref ? flavourOptions({ kind: "gateway", ...ref }, deps.plugin) : deps.plugin;
    const wait = parseWait(c.req.query("wait"));

    let meta = await store.blobMeta();
    if (!meta) throw new HTTPException(503, { message: "no blob has been compiled yet" });
    // Filters and tools poll: let caches keep the bytes but always ask first.
    c.header("Cache-Control", "no-cache");
    if (etagMatches(c.req.header("If-None-Match"), meta.sha256)) {
      if (wait && feed.waiting >= (deps.maxWaiting ?? MAX_WAITING)) {
        c.header("Retry-After", "5");
        throw new HTTPException(429, {
          message:
            `${feed.waiting} clients already wait for a new blob; retry in 5 s, or poll without ?wait=`,
        });
      }
      const next = wait ? await feed.waitForChange(meta.sha256, wait, c.req.raw.signal) : null;
      if (!next) return notModified(c, meta);
      meta = next;
    }
    // The bytes of this meta's generation, so bytes and headers agree even if a write lands meanwhile.
    const record = await store.blobFor(meta);
    if (!record) throw new HTTPException(503, { message: `blob ${meta.generation} was replaced; retry` });
    c.header("ETag", `"${record.sha256}"`);
    c.header(VERSION_HEADER, String(record.generation));
    if (format === "config") return c.json(renderWasmPlugin(record, options).spec.pluginConfig);
    c.header("Content-Type", "application/octet-stream");
    return c.body(record.blob as Uint8Array<ArrayBuffer>);
  });

  app.get("/v1/blob/sha256/:sha256{[0-9a-f]+}", async (c) => {
    const sha256 = c.req.param("sha256");
    const meta = sha256.length === 64
      ? (await store.blobHistory()).find((m) => m.sha256 === sha256)
      : undefined;
    // Read through the store, which checks the bytes against the digest they were written with.
    const record = meta && await store.blobFor(meta);
    if (!record) throw new HTTPException(404, { message: `no kept blob generation has sha256 ${sha256}` });
    c.header("ETag", `"${record.sha256}"`);
    c.header(VERSION_HEADER, String(record.generation));
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    if (etagMatches(c.req.header("If-None-Match"), record.sha256)) return c.body(null, 304);
    c.header("Content-Type", "application/octet-stream");
    return c.body(record.blob as Uint8Array<ArrayBuffer>);
  });

  app.get("/v1/filter.wasm", async (c) => {
    const module = await filterModule.read();
    if (!module) {
      throw new HTTPException(404, {
        message:
          `the filter module ${filterModule.path} does not exist (deno task build:filter, or --filter-wasm)`,
      });
    }
    c.header("ETag", `"${module.sha256}"`);
    c.header("X-Wasm-Sha256", module.sha256);
    c.header("Cache-Control", "no-cache");
    if (etagMatches(c.req.header("If-None-Match"), module.sha256)) return c.body(null, 304);
    c.header("Content-Type", "application/wasm");
    return c.body(module.bytes as Uint8Array<ArrayBuffer>);
  });

  app.get(
    "/v1/delivery",
    (c) => c.json(deps.delivery?.status?.() ?? { flavours: [], waiting: feed.waiting, targets: [] }),
  );
  return app;
}

function notModified(c: Context, meta: { sha256: string; generation: number }) {
  c.header("ETag", `"${meta.sha256}"`);
  c.header(VERSION_HEADER, String(meta.generation));
  return c.body(null, 304);
}
