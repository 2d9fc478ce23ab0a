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
 * - `["blob","parts",sha256]` → bytes: a blob's bytes in parts of at most 60,000 bytes (KV values are
 *   limited to 64 KiB), cut where the writer says its content allows (`NewBlob.cuts`: a packed
 *   blob's segments, so that the next version shares every part a write did not change), each under the hex SHA-256 of its bytes, listed in order by the meta records
 *   (`parts`), which the current and history records share; `["blob","part-index",sha256]` → its
 *   size, written with it, so that parts no record lists can be found without reading their bytes.
 *   A blob may be larger than one atomic operation (800 KB): its parts are written first, in as many
 *   operations as they need, and the write that makes it current checks that no part was collected
 *   meanwhile (`["blob","epoch"]`, bumped by every collection). Every read checks each part against
 *   its digest. Blobs stored before parts existed keep `["blob","chunks",generation,i]`.
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
import { PieceDigests } from "./piece_digests.ts";
import type { ObjectOfKind, StoredKind, StoredObject } from "../model/types.ts";
import { isBusy, KvBatch, StoreConflictError } from "./kv_batch.ts";
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
  /** Number of parts the bytes are stored in. */
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
  readonly objects: readonly StoredObject[];
  /** The stored object with this key, found in {@linkcode objects} by bisection (no map to build). */
  get(key: ObjectKey): StoredObject | undefined;
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
  /**
   * Ascending offsets where the bytes may be cut into parts (a packed blob's segment starts,
   * `PackedBlob.cuts`): parts cut where content decides, not at fixed offsets, stay the same parts
   * when a change elsewhere shifts the bytes, so a write stores only the parts it changed.
   */
  cuts?: readonly number[];
  /** The bytes' hex SHA-256, when the writer has it already (the compiler does): not worked out again. */
  sha256?: string;
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
  /** The revision's versionstamp after the write: names the objects it left (the snapshot's for a dry run). */
  versionstamp: string | null;
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
const EPOCH = ["blob", "epoch"];
const historyKey = (generation: number) => ["blob", "history", generation];
/** Where blobs stored before parts existed keep their bytes. */
const chunkKey = (generation: number, i: number) => ["blob", "chunks", generation, i];
const PARTS = "parts";
const PART_INDEX = "part-index";
const partKey = (sha256: string) => ["blob", PARTS, sha256];
const partIndexKey = (sha256: string) => ["blob", PART_INDEX, sha256];
const OBJECTS = "objects";
const objectKey = (k: ObjectKey) => [OBJECTS, k.kind, k.namespace, k.name];
const CHANGES = "changes";
const changeKey = (revision: number, i: number) => [CHANGES, revision, i];

/** One write's before-images: each object key it touched, with the object as it was (or `null`). */
type BeforeImages = [ObjectKey, StoredObject | null][];
/** Under KV's 64 KiB value limit. */
const CHUNK_SIZE = 60_000;
/** Blob parts written by one atomic operation: 13 × 60,000 bytes stay under its 800 KB. */
const PARTS_PER_WRITE = 13;
/** Parts deleted by one atomic operation (two mutations each, under its 1,000). */
const PARTS_PER_COLLECT = 400;

/** A blob meta record as stored: with the digests of its parts, in order (absent on older blobs). */
interface StoredMeta extends BlobMeta {
  parts?: string[];
}

/** What a snapshot read besides what it shows: the current record's parts, the collection epoch. */
interface SnapshotBasis {
  parts: ReadonlySet<string>;
  epoch: string | null;
}

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
  readonly #bases = new WeakMap<Snapshot, SnapshotBasis>();
  /** The names of the last written blob's pieces, so a write hashes only the pieces it changed. */
  readonly #pieceDigests = new PieceDigests();

  constructor(kv: Deno.Kv, options: StoreOptions = {}) {
    this.#kv = kv;
    this.#historyLimit = Math.max(1, options.historyLimit ?? 20);
  }

  /** Opens (creating if needed) the KV database at `path`, e.g. `<dataDir>/wasmroute.kv`. */
  static async open(path: string, options?: StoreOptions): Promise<Store> {
    return new Store(await Deno.openKv(path), options);
  }

  async snapshot(): Promise<Snapshot> {
    const [revision, blob, epoch] = await this.#kv.getMany<[number, StoredMeta, unknown]>([
      REVISION,
      CURRENT,
      EPOCH,
    ]);
    let view = this.#view;
    if (!view || view.versionstamp !== revision.versionstamp) {
      // Tagged with the versionstamp read before the scan: a write landing during the scan leaves a
      // tag that never matches again, so the view is read afresh next time.
      view = { versionstamp: revision.versionstamp, objects: await this.list() };
      this.#view = view;
    }
    const objects = view.objects;
    const snapshot: Snapshot = {
      revision: revision.value ?? 0,
      versionstamp: revision.versionstamp,
      objects,
      get: (key) => {
        const at = position(objects, key);
        return at < objects.length && compareKeys(keyOf(objects[at]), key) === 0 ? objects[at] : undefined;
      },
      blob: blob.value && publicMeta(blob.value),
    };
    this.#bases.set(snapshot, { parts: new Set(blob.value?.parts), epoch: epoch.versionstamp });
    return snapshot;
  }

  /** Stamps server-owned metadata on `objects` as a write based on `snapshot` will store them. */
  prepare<T extends StoredObject>(snapshot: Snapshot, objects: T[], now = new Date()): T[] {
    return objects.map((obj) =>
      stampMetadata(
        obj,
        snapshot.get(keyOf(obj)) as T | undefined,
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
    const blob = change.blob &&
      await this.#writeBlob(batch, snapshot, change.blob, now, revision, options.dryRun ?? false);
    if (options.dryRun) {
      await batch.probe();
      return {
        revision,
        versionstamp: snapshot.versionstamp,
        blob: blob ?? snapshot.blob,
        blobChanged: blob !== undefined,
      };
    }
    const versionstamp = await batch.commitVersioned();
    if (versionstamp === null) {
      throw new StoreConflictError("the store changed while this write was prepared; retry");
    }
    this.#advanceView(snapshot, change, versionstamp);
    if (blob) {
      this.#keep({ ...blob, blob: change.blob!.bytes });
      this.#announce(blob);
      try {
        await this.#pruneChanges(blob.generation);
        await this.#collectParts(versionstamp);
      } catch (error) {
        // The write is done; housekeeping another process keeps busy is left for the next write.
        if (!isBusy(error)) throw error;
      }
    }
    return { revision, versionstamp, blob: blob ?? snapshot.blob, blobChanged: blob !== undefined };
  }

  /**
   * After a commit based on `snapshot`: the view becomes the objects this write left, if it was
   * the view the snapshot came from; otherwise it is dropped. A new array (a copy of references,
   * well under a millisecond at 100,000 objects; no map to copy): snapshots handed out before keep
   * what they saw.
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
    const at = (key: ObjectKey) => {
      const i = position(objects, key);
      return { i, present: i < objects.length && compareKeys(keyOf(objects[i]), key) === 0 };
    };
    for (const key of deletes) {
      const { i, present } = at(key);
      if (present) objects.splice(i, 1);
    }
    for (const obj of puts) {
      const { i, present } = at(keyOf(obj));
      objects.splice(i, present ? 1 : 0, obj);
    }
    this.#view = { versionstamp, objects };
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

  /**
   * Adds a new blob version to `batch`, its parts written first (unless `dryRun`); `undefined` when
   * the bytes equal the current blob's.
   */
  async #writeBlob(
    batch: KvBatch,
    snapshot: Snapshot,
    { generation, bytes, cuts, sha256: known, createdBy, rollbackOf }: NewBlob,
    now: Date,
    revision: number,
    dryRun: boolean,
  ): Promise<BlobMeta | undefined> {
    const current = snapshot.blob;
    const sha256 = known ?? await sha256Hex(bytes);
    if (sha256 === current?.sha256) return undefined;
    const expected = (current?.generation ?? 0) + 1;
    if (generation !== expected) {
      throw new RangeError(`the next blob generation is ${expected}, not ${generation}`);
    }
    const pieces = piecesOf(bytes, cuts ?? []);
    const parts = await this.#pieceDigests.of(pieces);
    const basis = this.#bases.get(snapshot)!;
    if (!dryRun) await this.#writeParts(pieces, parts, basis.parts);
    const meta: BlobMeta = {
      generation,
      sha256,
      size: bytes.length,
      createdAt: now.toISOString(),
      ...(createdBy !== undefined && { createdBy }),
      ...(rollbackOf !== undefined && { rollbackOf }),
      chunks: parts.length,
      revision,
    };
    const record: StoredMeta = { ...meta, parts };
    // No part may have been collected since the snapshot: a collection bumps the epoch.
    batch.check({ key: EPOCH, versionstamp: basis.epoch });
    batch.set(CURRENT, record, "blob meta").set(historyKey(generation), record, "blob meta");
    // History is bounded: drop the version that falls out of it (older ones went the same way). Its
    // parts go with the next collection, once no kept version lists them.
    const expired = await this.#kv.get<StoredMeta>(historyKey(generation - this.#historyLimit));
    if (expired.value) {
      batch.delete(expired.key);
      if (!expired.value.parts) {
        for (let i = 0; i < expired.value.chunks; i++) batch.delete(chunkKey(expired.value.generation, i));
      }
    }
    return meta;
  }

  /**
   * Writes the parts `known` (the current blob's) does not hold, each with its index entry, in as
   * many atomic operations as they need. Ahead of the write that lists them: a part nothing lists
   * yet (its write failed, or lost a race) is garbage the next collection removes.
   */
  async #writeParts(pieces: Uint8Array[], parts: string[], known: ReadonlySet<string>): Promise<void> {
    const missing = parts.map((sha256, i) => ({ sha256, bytes: pieces[i] })).filter((p) =>
      !known.has(p.sha256)
    );
    for (let i = 0; i < missing.length; i += PARTS_PER_WRITE) {
      const batch = new KvBatch(this.#kv);
      for (const part of missing.slice(i, i + PARTS_PER_WRITE)) {
        batch.set(partKey(part.sha256), part.bytes, "blob part").set(
          partIndexKey(part.sha256),
          part.bytes.length,
        );
      }
      await batch.commit();
    }
  }

  /**
   * Deletes the blob parts no kept version lists: those of versions gone from history and those a
   * failed write left. Every commit of a new blob does it; returns how many parts went.
   */
  async collectParts(): Promise<number> {
    const revision = await this.#kv.get(REVISION);
    return await this.#collectParts(revision.versionstamp);
  }

  /**
   * {@linkcode collectParts} if no write has landed since the one at `versionstamp` (whose history
   * this reads); bumps the epoch with the deletes, so that a write that may have counted on one of
   * them fails its check and is retried. Leaves them for the next collection when another write
   * came first.
   */
  async #collectParts(versionstamp: string | null): Promise<number> {
    const kept = new Set<string>();
    for await (const entry of this.#kv.list<StoredMeta>({ prefix: ["blob", "history"] })) {
      for (const part of entry.value.parts ?? []) kept.add(part);
    }
    for (const part of (await this.#kv.get<StoredMeta>(CURRENT)).value?.parts ?? []) kept.add(part);
    const garbage: string[] = [];
    for await (const entry of this.#kv.list({ prefix: ["blob", PART_INDEX] })) {
      const sha256 = entry.key[2] as string;
      if (!kept.has(sha256)) garbage.push(sha256);
    }
    for (let i = 0; i < garbage.length; i += PARTS_PER_COLLECT) {
      const op = this.#kv.atomic().check({ key: REVISION, versionstamp }).sum(EPOCH, 1n);
      for (const sha256 of garbage.slice(i, i + PARTS_PER_COLLECT)) {
        op.delete(partKey(sha256)).delete(partIndexKey(sha256));
      }
      if (!(await op.commit()).ok) return i;
    }
    return garbage.length;
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
    const images: BeforeImages = keys.map((k) => [k, snapshot.get(k) ?? null]);
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
    if (!snapshot.get(key)) return false;
    await this.commit(snapshot, { delete: [key] });
    return true;
  }

  async blobMeta(): Promise<BlobMeta | null> {
    const record = (await this.#kv.get<StoredMeta>(CURRENT)).value;
    return record && publicMeta(record);
  }

  /** The current blob with its bytes, or `null` before the first compile. */
  async currentBlob(): Promise<BlobRecord | null> {
    const record = (await this.#kv.get<StoredMeta>(CURRENT)).value;
    return record && await this.#withBytes(record);
  }

  /** The blob versions still in history, newest first (metadata only). */
  async blobHistory(): Promise<BlobMeta[]> {
    const metas: BlobMeta[] = [];
    for await (const entry of this.#kv.list<StoredMeta>({ prefix: ["blob", "history"] })) {
      metas.push(publicMeta(entry.value));
    }
    return metas.reverse();
  }

  /** A blob version still in history, or `null`. */
  async blobAt(generation: number): Promise<BlobRecord | null> {
    const record = (await this.#kv.get<StoredMeta>(historyKey(generation))).value;
    return record && await this.#withBytes(record);
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

  /**
   * The bytes `record` lists, each part checked against its digest and the whole against the
   * blob's: damaged bytes are never served under the ETag of the good ones.
   */
  async #withBytes(record: StoredMeta): Promise<BlobRecord> {
    const meta = publicMeta(record);
    const blob = record.parts ? await this.#readParts(meta, record.parts) : await this.#readChunks(meta);
    const sha256 = await sha256Hex(blob);
    if (sha256 !== meta.sha256) {
      throw new StoreDamagedError(
        `blob ${meta.generation} is damaged: its bytes hash to ${sha256}, not the ${meta.sha256} it was written with`,
      );
    }
    const out = { ...meta, blob };
    this.#keep(out);
    return out;
  }

  async #readParts(meta: BlobMeta, parts: string[]): Promise<Uint8Array> {
    const blob = new Uint8Array(meta.size);
    let offset = 0;
    // getMany takes at most 10 keys.
    for (let i = 0; i < parts.length; i += 10) {
      const entries = await this.#kv.getMany<Uint8Array[]>(parts.slice(i, i + 10).map(partKey));
      for (const [j, entry] of entries.entries()) {
        const n = i + j;
        if (!entry.value) {
          throw new StoreDamagedError(
            `blob ${meta.generation} is incomplete: part ${n} (${parts[n]}) is missing`,
          );
        }
        const sha256 = await sha256Hex(entry.value);
        if (sha256 !== parts[n]) {
          throw new StoreDamagedError(
            `blob ${meta.generation} is damaged: its bytes hash to ${sha256} in part ${n}, not the ${
              parts[n]
            } that part was written with`,
          );
        }
        if (offset + entry.value.length > meta.size) break;
        blob.set(entry.value, offset);
        offset += entry.value.length;
      }
    }
    if (offset !== meta.size) {
      throw new StoreDamagedError(`blob ${meta.generation} is incomplete: ${offset} of ${meta.size} bytes`);
    }
    return blob;
  }

  /** Bytes of a blob stored before parts: chunks under its generation. */
  async #readChunks(meta: BlobMeta): Promise<Uint8Array> {
    const blob = new Uint8Array(meta.size);
    let offset = 0;
    for await (const chunk of this.#kv.list<Uint8Array>({ prefix: ["blob", "chunks", meta.generation] })) {
      if (offset + chunk.value.length > meta.size) break;
      blob.set(chunk.value, offset);
      offset += chunk.value.length;
    }
    if (offset !== meta.size) {
      throw new StoreDamagedError(`blob ${meta.generation} is incomplete: ${offset} of ${meta.size} bytes`);
    }
    return blob;
  }

  close(): void {
    this.#kv.close();
  }
}

/** The meta as callers see it: the part list is the store's business. */
function publicMeta({ parts: _parts, ...meta }: StoredMeta): BlobMeta {
  return meta;
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

/** `bytes` cut at `cuts` (those inside it), then each piece cut again every `CHUNK_SIZE` bytes. */
function piecesOf(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  const ends = [...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
  let start = 0;
  for (const end of ends) {
    for (let at = start; at < end; at += CHUNK_SIZE) {
      pieces.push(bytes.subarray(at, Math.min(end, at + CHUNK_SIZE)));
    }
    start = Math.max(start, end);
  }
  return pieces;
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
