/**
 * Durable state of the policy server in Deno KV: the admitted objects of every kind and the compiled
 * rule blob with its history.
 *
 * Keys:
 * - `["meta","revision"]` → number: bumped by every write and checked by it, so writers in other
 *   processes cannot interleave (optimistic concurrency with a single check, whatever the batch size).
 * - `["objects", kind, namespace, name]` → the object as stored (`namespace` is "" for cluster-scoped
 *   kinds, i.e. Namespaces), so one kind, or one kind in one namespace, is one prefix scan.
 * - `["blob","current"]` and `["blob","history",generation]` → {@linkcode BlobMeta} (who wrote it,
 *   and for a rollback the generation whose rules it restored)
 * - `["blob","chunks",generation,i]` → bytes: KV values are limited to 64 KiB and blobs may be larger,
 *   so blob bytes live in chunks that the current and history records share.
 * - `["changes", revision, i]` → bytes: what the write at `revision` replaced, as DEFLATE'd JSON in
 *   chunks: each object it wrote or deleted as it was before (`null` if there was none). Walking
 *   these back from the stored objects gives the objects any kept blob generation was compiled
 *   from ({@linkcode Store.objectsAt}, with {@linkcode BlobMeta.revision}), which a rollback restores.
 *   Compressed before-images cost a write about a tenth of its size and one or two mutations,
 *   whatever the number of objects; once no kept generation needs them they are dropped, after the
 *   write that made them stale.
 *
 * @module
 */
import { sha256Hex } from "../compile/mod.ts";
import type { ObjectOfKind, StoredKind, StoredObject } from "../model/types.ts";
import { KvBatch, StoreConflictError } from "./kv_batch.ts";
import { StoreDamagedError } from "./store_damaged_error.ts";
import { stampMetadata } from "./metadata.ts";

/** Identifies an object of a known kind (an HTTPRoute, where route status is concerned). */
export interface RouteKey {
  namespace: string;
  name: string;
}

/** Identifies any stored object; `namespace` is "" for cluster-scoped kinds. */
export interface ObjectKey extends RouteKey {
  kind: StoredKind;
}

/** What is known about one blob version without reading its bytes. */
export interface BlobMeta {
  generation: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
  /** RFC 3339 time of the write. */
  createdAt: string;
  /** Name of the token whose request wrote it, `anonymous` on an open server, `system` at start-up. */
  createdBy?: string;
  /**
   * Set on a blob written by a rollback: the generation whose rules it carries again. While the
   * current blob has it, it is pinned: start-up keeps it instead of recompiling; the next write of
   * any object recompiles and replaces it.
   */
  rollbackOf?: number;
  /** Number of `["blob","chunks",generation,i]` entries. */
  chunks: number;
  /**
   * The store revision of the write that made this blob current: the objects it was compiled from
   * are the ones stored at that revision. Absent on blobs written before objects had versions.
   */
  revision?: number;
}

export interface BlobRecord extends BlobMeta {
  blob: Uint8Array;
}

/** A consistent-enough read to base one write on: {@linkcode Store.commit} fails if it is stale. */
export interface Snapshot {
  readonly revision: number;
  readonly versionstamp: string | null;
  /** Every stored object, of every kind, in key order. */
  readonly objects: StoredObject[];
  /** The same objects by {@linkcode keyString}. */
  readonly byKey: ReadonlyMap<string, StoredObject>;
  readonly blob: BlobMeta | null;
}

export interface Change {
  /** Objects as they are to be stored, stamped by {@linkcode Store.prepare}. */
  put?: StoredObject[];
  delete?: ObjectKey[];
  /** A new blob; written only when its bytes differ from the current one. */
  blob?: NewBlob;
}

/** A blob to write as the next generation. */
export interface NewBlob {
  generation: number;
  bytes: Uint8Array;
  /** See {@linkcode BlobMeta.createdBy}. */
  createdBy?: string;
  /** See {@linkcode BlobMeta.rollbackOf}. */
  rollbackOf?: number;
}

export interface CommitOptions {
  /**
   * Check everything a commit checks (KV limits, the generation) and answer as it would, without
   * writing: what `?dryRun=All` needs.
   */
  dryRun?: boolean;
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
const OBJECTS = "objects";
const objectKey = (k: ObjectKey) => [OBJECTS, k.kind, k.namespace, k.name];
const CHANGES = "changes";
const changeKey = (revision: number, i: number) => [CHANGES, revision, i];

/** One write's before-images: each object key it touched, with the object as it was (or `null`). */
type BeforeImages = [ObjectKey, StoredObject | null][];
/** Under KV's 64 KiB value limit. */
const CHUNK_SIZE = 60_000;

/** The key of a stored object. */
export const keyOf = (obj: StoredObject): ObjectKey => ({
  kind: obj.kind,
  namespace: obj.metadata.namespace ?? "",
  name: obj.metadata.name,
});
/** One string per object key, for maps and sets. */
export const keyString = (k: ObjectKey): string => `${k.kind}/${k.namespace}/${k.name}`;
/** Orders object keys as KV orders them: by kind, namespace, name. */
export const compareKeys = (a: ObjectKey, b: ObjectKey): number =>
  a.kind < b.kind
    ? -1
    : a.kind > b.kind
    ? 1
    : a.namespace < b.namespace
    ? -1
    : a.namespace > b.namespace
    ? 1
    : a.name < b.name
    ? -1
    : a.name > b.name
    ? 1
    : 0;
/** How messages name an object: `Gateway apps/web`, `Namespace apps`. */
const describe = (k: ObjectKey) => `${k.kind} ${k.namespace ? `${k.namespace}/` : ""}${k.name}`;

/** The stored objects as of one revision's versionstamp. */
interface ObjectView {
  versionstamp: string | null;
  objects: StoredObject[];
  byKey: Map<string, StoredObject>;
}

export class Store {
  readonly #kv: Deno.Kv;
  readonly #historyLimit: number;
  readonly #blobListeners = new Set<(blob: BlobMeta) => void>();
  /** The newest generation this handle wrote or read, with its bytes (which never change). */
  #newest: BlobRecord | null = null;
  /**
   * The stored objects as this handle last read or wrote them, good while the revision key keeps
   * that versionstamp: a write through any handle (another process's too) changes it, and the next
   * snapshot reads every object again. So a write costs one read of the revision instead of a scan
   * of every object.
   */
  #view: ObjectView | null = null;

  constructor(kv: Deno.Kv, options: StoreOptions = {}) {
    this.#kv = kv;
    this.#historyLimit = Math.max(1, options.historyLimit ?? 20);
  }

  /** Opens (creating if needed) the KV database at `path`, e.g. `<dataDir>/wasmroute.kv`. */
  static async open(path: string, options?: StoreOptions): Promise<Store> {
    return new Store(await Deno.openKv(path), options);
  }

  async snapshot(): Promise<Snapshot> {
    const [revision, blob] = await this.#kv.getMany<[number, BlobMeta]>([REVISION, CURRENT]);
    let view = this.#view;
    if (!view || view.versionstamp !== revision.versionstamp) {
      // Tagged with the versionstamp read before the scan: a write landing during the scan leaves a
      // tag that never matches again, so the view is read afresh next time.
      const objects = await this.list();
      view = { versionstamp: revision.versionstamp, objects, byKey: byKeyOf(objects) };
      this.#view = view;
    }
    return {
      revision: revision.value ?? 0,
      versionstamp: revision.versionstamp,
      objects: view.objects,
      byKey: view.byKey,
      blob: blob.value,
    };
  }

  /** Stamps server-owned metadata on `objects` as a write based on `snapshot` will store them. */
  prepare<T extends StoredObject>(snapshot: Snapshot, objects: T[], now = new Date()): T[] {
    return objects.map((obj) =>
      stampMetadata(
        obj,
        snapshot.byKey.get(keyString(keyOf(obj))) as T | undefined,
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
  async commit(
    snapshot: Snapshot,
    change: Change,
    now = new Date(),
    options: CommitOptions = {},
  ): Promise<CommitResult> {
    const revision = snapshot.revision + 1;
    const batch = new KvBatch(this.#kv)
      .check({ key: REVISION, versionstamp: snapshot.versionstamp })
      .set(REVISION, revision);
    for (const obj of change.put ?? []) batch.set(objectKey(keyOf(obj)), obj, describe(keyOf(obj)));
    for (const key of change.delete ?? []) batch.delete(objectKey(key));
    await this.#recordChange(batch, snapshot, change, revision);
    const blob = change.blob && await this.#writeBlob(batch, snapshot.blob, change.blob, now, revision);
    if (options.dryRun) {
      await batch.probe();
      return { revision, blob: blob ?? snapshot.blob, blobChanged: blob !== undefined };
    }
    const versionstamp = await batch.commitVersioned();
    if (versionstamp === null) {
      throw new StoreConflictError("the store changed while this write was prepared; retry");
    }
    this.#advanceView(snapshot, change, versionstamp);
    if (blob) {
      this.#keep({ ...blob, blob: change.blob!.bytes });
      this.#announce(blob);
      await this.#pruneChanges(blob.generation);
    }
    return { revision, blob: blob ?? snapshot.blob, blobChanged: blob !== undefined };
  }

  /**
   * After a commit based on `snapshot`: the view becomes the objects this write left, if it was
   * the view the snapshot came from; otherwise it is dropped. New arrays and maps: snapshots handed
   * out before keep what they saw.
   */
  #advanceView(snapshot: Snapshot, change: Change, versionstamp: string): void {
    const view = this.#view;
    if (!view || view.versionstamp !== snapshot.versionstamp || view.objects !== snapshot.objects) {
      this.#view = null;
      return;
    }
    const puts = change.put ?? [];
    const deletes = change.delete ?? [];
    if (puts.length === 0 && deletes.length === 0) {
      this.#view = { ...view, versionstamp };
      return;
    }
    const objects = [...view.objects];
    const byKey = new Map(view.byKey);
    for (const key of deletes) {
      const k = keyString(key);
      if (!byKey.delete(k)) continue;
      objects.splice(position(objects, key), 1);
    }
    for (const obj of puts) {
      const key = keyOf(obj);
      const at = position(objects, key);
      const replaces = byKey.has(keyString(key));
      objects.splice(at, replaces ? 1 : 0, obj);
      byKey.set(keyString(key), obj);
    }
    this.#view = { versionstamp, objects, byKey };
  }

  /**
   * Drops the change records no kept generation needs: rebuilding the oldest one takes only the
   * writes after it. Outside the write's atomic operation, so that they never count against its
   * limits; each delete stands alone (a record is never needed again once its generation has gone).
   */
  async #pruneChanges(newest: number): Promise<void> {
    const oldest = await this.#kv.get<BlobMeta>(historyKey(newest - this.#historyLimit + 1));
    const revision = oldest.value?.revision;
    if (revision === undefined) return;
    const stale = this.#kv.list({ start: [CHANGES], end: [CHANGES, revision + 1] });
    for await (const entry of stale) await this.#kv.delete(entry.key);
  }

  /**
   * Calls `listener` with every blob a commit through this handle makes current, right after the
   * commit; returns the function that removes it. Writes by other processes are not reported:
   * poll {@linkcode Store.blobMeta} for those. A listener that throws is ignored.
   */
  onBlobCommitted(listener: (blob: BlobMeta) => void): () => void {
    this.#blobListeners.add(listener);
    return () => this.#blobListeners.delete(listener);
  }

  #announce(blob: BlobMeta): void {
    for (const listener of this.#blobListeners) {
      try {
        listener(blob);
      } catch {
        // The write is done; a listener's failure is its own.
      }
    }
  }

  /** Adds a new blob version to `batch`; `undefined` when the bytes equal the current blob's. */
  async #writeBlob(
    batch: KvBatch,
    current: BlobMeta | null,
    { generation, bytes, createdBy, rollbackOf }: NewBlob,
    now: Date,
    revision: number,
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
      ...(createdBy !== undefined && { createdBy }),
      ...(rollbackOf !== undefined && { rollbackOf }),
      chunks: Math.ceil(bytes.length / CHUNK_SIZE),
      revision,
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

  /** Stores `objects` (any mix of kinds) atomically, creating or replacing; returns them as stored. */
  async putAll<T extends StoredObject>(objects: T[]): Promise<T[]> {
    const snapshot = await this.snapshot();
    const put = this.prepare(snapshot, objects);
    await this.commit(snapshot, { put });
    return put;
  }

  /**
   * Stored objects in key order: every kind (by kind, namespace, name), or one kind, optionally in
   * one namespace.
   */
  list(): Promise<StoredObject[]>;
  list<K extends StoredKind>(kind: K, namespace?: string): Promise<ObjectOfKind<K>[]>;
  async list(kind?: StoredKind, namespace?: string): Promise<StoredObject[]> {
    const prefix = kind === undefined
      ? [OBJECTS]
      : namespace === undefined
      ? [OBJECTS, kind]
      : [OBJECTS, kind, namespace];
    const objects: StoredObject[] = [];
    for await (const entry of this.#kv.list<StoredObject>({ prefix })) objects.push(entry.value);
    return objects;
  }

  /** Adds to `batch` the before-images of the objects `change` writes or deletes. */
  async #recordChange(batch: KvBatch, snapshot: Snapshot, change: Change, revision: number): Promise<void> {
    const keys = [...(change.put ?? []).map(keyOf), ...(change.delete ?? [])];
    if (keys.length === 0) return;
    const images: BeforeImages = keys.map((k) => [k, snapshot.byKey.get(keyString(k)) ?? null]);
    const bytes = await deflate(new TextEncoder().encode(JSON.stringify(images)));
    for (let i = 0; i * CHUNK_SIZE < bytes.length; i++) {
      batch.set(changeKey(revision, i), bytes.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), "change record");
    }
  }

  /**
   * The objects as stored right after the write at `revision` (a {@linkcode BlobMeta.revision}),
   * in key order: the stored objects with every later write's before-images put back, newest
   * first. `null` when a write after it left no record (it was written before records were kept,
   * or its generation has left history).
   */
  async objectsAt(revision: number): Promise<StoredObject[] | null> {
    const snapshot = await this.snapshot();
    const objects = new Map(snapshot.objects.map((o) => [keyString(keyOf(o)), o]));
    const chunks = new Map<number, Uint8Array[]>();
    for await (
      const entry of this.#kv.list<Uint8Array>({ start: [CHANGES, revision + 1], end: [CHANGES, Infinity] })
    ) {
      const written = entry.key[1] as number;
      chunks.set(written, [...chunks.get(written) ?? [], entry.value]);
    }
    // Every write bumps the revision by one and records what it changed.
    for (let r = snapshot.revision; r > revision; r--) {
      const parts = chunks.get(r);
      if (!parts) return null;
      const images = JSON.parse(new TextDecoder().decode(await inflate(concat(parts)))) as BeforeImages;
      for (const [key, before] of images) {
        if (before) objects.set(keyString(key), before);
        else objects.delete(keyString(key));
      }
    }
    return [...objects.values()].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  }

  /** One object; `namespace` is "" for cluster-scoped kinds. */
  async get<K extends StoredKind>(kind: K, namespace: string, name: string): Promise<ObjectOfKind<K> | null> {
    return (await this.#kv.get<ObjectOfKind<K>>(objectKey({ kind, namespace, name }))).value;
  }

  /** Deletes one object; `false` if there was none. */
  async delete(kind: StoredKind, namespace: string, name: string): Promise<boolean> {
    const key = { kind, namespace, name };
    const snapshot = await this.snapshot();
    if (!snapshot.byKey.has(keyString(key))) return false;
    await this.commit(snapshot, { delete: [key] });
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

  /** The blob versions still in history, newest first (metadata only). */
  async blobHistory(): Promise<BlobMeta[]> {
    const metas: BlobMeta[] = [];
    for await (const entry of this.#kv.list<BlobMeta>({ prefix: ["blob", "history"] })) {
      metas.push(entry.value);
    }
    return metas.reverse();
  }

  /** A blob version still in history, or `null`. */
  async blobAt(generation: number): Promise<BlobRecord | null> {
    const meta = (await this.#kv.get<BlobMeta>(historyKey(generation))).value;
    return meta && await this.#withBytes(meta);
  }

  /**
   * The bytes of the generation `meta` (from {@linkcode Store.blobMeta}) describes, or `null` once it
   * has left history. The newest generation is served from memory: polling clients ask for the
   * current blob again and again, and each KV read costs about 0.1 ms.
   */
  async blobFor(meta: BlobMeta): Promise<BlobRecord | null> {
    const newest = this.#newest;
    if (newest?.generation === meta.generation && newest.sha256 === meta.sha256) {
      return { ...meta, blob: newest.blob };
    }
    return await this.blobAt(meta.generation);
  }

  #keep(record: BlobRecord): void {
    if (!this.#newest || record.generation >= this.#newest.generation) this.#newest = record;
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
      throw new StoreDamagedError(`blob ${meta.generation} is incomplete: ${offset} of ${meta.size} bytes`);
    }
    // Every read is checked against the digest the blob was written with: damaged bytes are never
    // served under the ETag of the good ones.
    const sha256 = await sha256Hex(blob);
    if (sha256 !== meta.sha256) {
      throw new StoreDamagedError(
        `blob ${meta.generation} is damaged: its bytes hash to ${sha256}, not the ${meta.sha256} it was written with`,
      );
    }
    const record = { ...meta, blob };
    this.#keep(record);
    return record;
  }

  close(): void {
    this.#kv.close();
  }
}

function byKeyOf(objects: StoredObject[]): Map<string, StoredObject> {
  return new Map(objects.map((o) => [keyString(keyOf(o)), o]));
}

/** Where `key` is, or would go, in `objects` (in key order). */
function position(objects: StoredObject[], key: ObjectKey): number {
  let lo = 0, hi = objects.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keyOf(objects[mid]), key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
