/**
 * Durable state of the policy server in Deno KV: the HTTPRoutes as submitted and the compiled rule
 * blob with its history.
 *
 * Keys:
 * - `["meta","revision"]` → number: bumped by every write and checked by it, so writers in other
 *   processes cannot interleave (optimistic concurrency with a single check, whatever the batch size).
 * - `["routes", namespace, name]` → HTTPRoute
 * - `["blob","current"]` and `["blob","history",generation]` → {@linkcode BlobMeta}
 * - `["blob","chunks",generation,i]` → bytes: KV values are limited to 64 KiB and blobs may be larger,
 *   so blob bytes live in chunks that the current and history records share.
 *
 * @module
 */
import { sha256Hex } from "../compile/mod.ts";
import type { HTTPRoute } from "../model/types.ts";
import { KvBatch, StoreConflictError } from "./kv_batch.ts";
import { stampMetadata } from "./metadata.ts";

export interface RouteKey {
  namespace: string;
  name: string;
}

/** What is known about one blob version without reading its bytes. */
export interface BlobMeta {
  generation: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
  /** RFC 3339 time of the write. */
  createdAt: string;
  /** Number of `["blob","chunks",generation,i]` entries. */
  chunks: number;
}

export interface BlobRecord extends BlobMeta {
  blob: Uint8Array;
}

/** A consistent-enough read to base one write on: {@linkcode Store.commit} fails if it is stale. */
export interface Snapshot {
  readonly revision: number;
  readonly versionstamp: string | null;
  readonly routes: HTTPRoute[];
  readonly blob: BlobMeta | null;
}

export interface Change {
  /** Routes as they are to be stored, stamped by {@linkcode Store.prepare}. */
  put?: HTTPRoute[];
  delete?: RouteKey[];
  /** A new blob; written only when its bytes differ from the current one. */
  blob?: { generation: number; bytes: Uint8Array };
}

export interface CommitResult {
  revision: number;
  /** The current blob after the write. */
  blob: BlobMeta | null;
  blobChanged: boolean;
}

export interface StoreOptions {
  /** Blob versions kept, the current one included (default 20). */
  historyLimit?: number;
}

const REVISION = ["meta", "revision"];
const CURRENT = ["blob", "current"];
const historyKey = (generation: number) => ["blob", "history", generation];
const chunkKey = (generation: number, i: number) => ["blob", "chunks", generation, i];
const routeKey = (k: RouteKey) => ["routes", k.namespace, k.name];
/** Under KV's 64 KiB value limit. */
const CHUNK_SIZE = 60_000;

const keyOf = (route: HTTPRoute): RouteKey => route.metadata;
const sameKey = (a: RouteKey, b: RouteKey) => a.namespace === b.namespace && a.name === b.name;

export class Store {
  readonly #kv: Deno.Kv;
  readonly #historyLimit: number;

  constructor(kv: Deno.Kv, options: StoreOptions = {}) {
    this.#kv = kv;
    this.#historyLimit = Math.max(1, options.historyLimit ?? 20);
  }

  /** Opens (creating if needed) the KV database at `path`, e.g. `<dataDir>/wasmroute.kv`. */
  static async open(path: string, options?: StoreOptions): Promise<Store> {
    return new Store(await Deno.openKv(path), options);
  }

  async snapshot(): Promise<Snapshot> {
    const revision = await this.#kv.get<number>(REVISION);
    const [routes, blob] = await Promise.all([this.list(), this.blobMeta()]);
    return { revision: revision.value ?? 0, versionstamp: revision.versionstamp, routes, blob };
  }

  /** Stamps server-owned metadata on `routes` as a write based on `snapshot` will store them. */
  prepare(snapshot: Snapshot, routes: HTTPRoute[], now = new Date()): HTTPRoute[] {
    return routes.map((route) =>
      stampMetadata(
        route,
        snapshot.routes.find((r) => sameKey(keyOf(r), keyOf(route))),
        snapshot.revision + 1,
        now,
      )
    );
  }

  /**
   * Applies `change` in one atomic operation: all of it or nothing.
   *
   * @throws {StoreConflictError} another write landed since `snapshot` was read.
   * @throws {StoreLimitError} the change does not fit one KV atomic operation.
   * @throws {RangeError} a new blob's generation is not the current one plus one.
   */
  async commit(snapshot: Snapshot, change: Change, now = new Date()): Promise<CommitResult> {
    const revision = snapshot.revision + 1;
    const batch = new KvBatch(this.#kv)
      .check({ key: REVISION, versionstamp: snapshot.versionstamp })
      .set(REVISION, revision);
    for (const route of change.put ?? []) {
      batch.set(
        routeKey(keyOf(route)),
        route,
        `HTTPRoute ${route.metadata.namespace}/${route.metadata.name}`,
      );
    }
    for (const key of change.delete ?? []) batch.delete(routeKey(key));
    const blob = change.blob && await this.#writeBlob(batch, snapshot.blob, change.blob, now);
    if (!await batch.commit()) {
      throw new StoreConflictError("the store changed while this write was prepared; retry");
    }
    return { revision, blob: blob ?? snapshot.blob, blobChanged: blob !== undefined };
  }

  /** Adds a new blob version to `batch`; `undefined` when the bytes equal the current blob's. */
  async #writeBlob(
    batch: KvBatch,
    current: BlobMeta | null,
    { generation, bytes }: { generation: number; bytes: Uint8Array },
    now: Date,
  ): Promise<BlobMeta | undefined> {
    const sha256 = await sha256Hex(bytes);
    if (sha256 === current?.sha256) return undefined;
    const expected = (current?.generation ?? 0) + 1;
    if (generation !== expected) {
      throw new RangeError(`the next blob generation is ${expected}, not ${generation}`);
    }
    const meta: BlobMeta = {
      generation,
      sha256,
      size: bytes.length,
      createdAt: now.toISOString(),
      chunks: Math.ceil(bytes.length / CHUNK_SIZE),
    };
    for (let i = 0; i < meta.chunks; i++) {
      batch.set(
        chunkKey(generation, i),
        bytes.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE),
        `blob chunk ${i}`,
      );
    }
    batch.set(CURRENT, meta).set(historyKey(generation), meta);
    // History is bounded: drop the version that falls out of it (older ones went the same way).
    const expired = await this.#kv.get<BlobMeta>(historyKey(generation - this.#historyLimit));
    if (expired.value) {
      batch.delete(expired.key);
      for (let i = 0; i < expired.value.chunks; i++) batch.delete(chunkKey(expired.value.generation, i));
    }
    return meta;
  }

  /** Stores `routes` atomically (create or replace), stamping metadata; returns them as stored. */
  async putAll(routes: HTTPRoute[]): Promise<HTTPRoute[]> {
    const snapshot = await this.snapshot();
    const put = this.prepare(snapshot, routes);
    await this.commit(snapshot, { put });
    return put;
  }

  /** Routes in key order (namespace, then name), optionally of one namespace. */
  async list(namespace?: string): Promise<HTTPRoute[]> {
    const routes: HTTPRoute[] = [];
    const prefix = namespace === undefined ? ["routes"] : ["routes", namespace];
    for await (const entry of this.#kv.list<HTTPRoute>({ prefix })) routes.push(entry.value);
    return routes;
  }

  async get(namespace: string, name: string): Promise<HTTPRoute | null> {
    return (await this.#kv.get<HTTPRoute>(routeKey({ namespace, name }))).value;
  }

  /** Deletes one route; `false` if there was none. */
  async delete(namespace: string, name: string): Promise<boolean> {
    const snapshot = await this.snapshot();
    if (!snapshot.routes.some((r) => sameKey(keyOf(r), { namespace, name }))) return false;
    await this.commit(snapshot, { delete: [{ namespace, name }] });
    return true;
  }

  async blobMeta(): Promise<BlobMeta | null> {
    return (await this.#kv.get<BlobMeta>(CURRENT)).value;
  }

  /** The current blob with its bytes, or `null` before the first compile. */
  async currentBlob(): Promise<BlobRecord | null> {
    const meta = await this.blobMeta();
    return meta && await this.#withBytes(meta);
  }

  /** A blob version still in history, or `null`. */
  async blobAt(generation: number): Promise<BlobRecord | null> {
    const meta = (await this.#kv.get<BlobMeta>(historyKey(generation))).value;
    return meta && await this.#withBytes(meta);
  }

  async #withBytes(meta: BlobMeta): Promise<BlobRecord> {
    const blob = new Uint8Array(meta.size);
    let offset = 0;
    // Chunks of a generation are written once and never changed, so reading them apart from the
    // meta record is safe.
    for await (const chunk of this.#kv.list<Uint8Array>({ prefix: ["blob", "chunks", meta.generation] })) {
      blob.set(chunk.value, offset);
      offset += chunk.value.length;
    }
    if (offset !== meta.size) {
      throw new Error(`blob ${meta.generation} is incomplete: ${offset} of ${meta.size} bytes`);
    }
    return { ...meta, blob };
  }

  close(): void {
    this.#kv.close();
  }
}
