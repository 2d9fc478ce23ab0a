/**
 * The write path: every change to the stored objects is compiled, together with all other objects
 * of every kind, into the rule blob, and objects and blob are committed in one atomic write.
 *
 * @module
 */
import { BlobFormatError, decodeBlob } from "../../blob/decode_blob.ts";
import { encodeBlob } from "../../blob/encode_blob.ts";
import { type PackedBlob, packSegments } from "../../blob/pack_blob.ts";
import { type CompileFn, type Compiler, type ObjectChange, wholeCompiler } from "../../compile/compiler.ts";
import type { RouteParentStatus, StoredObject } from "../../model/types.ts";
import { checkPreconditions } from "../../store/check_preconditions.ts";
import type { Precondition } from "../../store/check_preconditions.ts";
import { StoreConflictError } from "../../store/kv_batch.ts";
import { compareKeys, keyOf, keyString } from "../../store/store.ts";
import type { BlobMeta, NewBlob, ObjectKey, RouteKey, Snapshot, Store } from "../../store/store.ts";
import { Mutex } from "./mutex.ts";
import { samePackedRules, sameRules } from "./same_rules.ts";
import { StatusError } from "../../model/kube_status.ts";

export type { CompileFn } from "../../compile/compiler.ts";

export interface ResourceChange {
  /** Admitted objects, of any kinds, to create or replace. */
  put?: StoredObject[];
  delete?: ObjectKey[];
  /** Checked against the stored objects in the same critical section as the write. */
  preconditions?: Precondition[];
}

export interface ApplyOptions {
  /** Validate, check preconditions and compile, but store nothing (`?dryRun=All`). */
  dryRun?: boolean;
  /** Recorded as the new blob's `createdBy`: the token's name. */
  actor?: string;
}

export interface Published {
  /** The objects of `put`, as stored. */
  objects: StoredObject[];
  /** How many of them did not exist before. */
  created: number;
  /** The objects of `delete` that existed (and are gone). */
  deleted: ObjectKey[];
  /** The current blob after the change (for a dry run: what it would be). */
  blob: BlobMeta;
  /** Whether this change produced (or, dry, would produce) a new blob version. */
  blobChanged: boolean;
  /** Status of the HTTPRoutes of `put` after the change, by `namespace/name`. */
  statuses: ReadonlyMap<string, RouteParentStatus[]>;
  dryRun: boolean;
}

/**
 * `blob`'s rules as generation `next`, packed as compile() packs them; a blob this server cannot
 * read cannot be rolled back to.
 */
function restamp(blob: Uint8Array, generation: number, next: number): PackedBlob {
  try {
    // Marked: a filter that pulls takes it even if it serves a newer generation than `generation`.
    return packSegments(encodeBlob({ ...decodeBlob(blob), generation: next, rollback: true }));
  } catch (error) {
    if (!(error instanceof BlobFormatError)) throw error;
    throw new RollbackError(
      409,
      `blob generation ${generation} cannot be read by this server: ${error.message}`,
    );
  }
}

/** What a rollback does to one stored object, to bring back the objects a generation was compiled from. */
export interface ObjectRestore {
  key: ObjectKey;
  /**
   * `restored`: changed since, written back as it was; `recreated`: deleted since, created again;
   * `deleted`: created since, deleted.
   */
  action: "restored" | "recreated" | "deleted";
  /** The object now (absent when recreated). */
  current?: StoredObject;
  /** The object as the generation was compiled from it (absent when deleted). */
  target?: StoredObject;
}

/** The outcome of {@linkcode Publisher.rollback}. */
export interface RolledBack {
  /** The new current blob (for a dry run: what it would be). */
  blob: BlobMeta;
  /**
   * Whether the generation recorded its objects (blobs written before objects had versions did
   * not: then only the blob is rolled back, and the next write recompiles the stored objects).
   */
  objectsRecorded: boolean;
  /** The objects the rollback changed (or, dry, would change), in key order. */
  objects: ObjectRestore[];
  dryRun: boolean;
}

/** A rollback asked for a generation that cannot be rolled back to. */
export class RollbackError extends StatusError<404 | 409> {
  override name = "RollbackError";
}

/** Concurrent writers in other processes are retried this many times before giving up. */
const ATTEMPTS = 3;

const routeString = (k: RouteKey) => `${k.namespace}/${k.name}`;

export class Publisher {
  readonly #store: Store;
  readonly #compiler: Compiler;
  readonly #mutex = new Mutex();
  #ready?: Promise<BlobMeta>;
  #isReady = false;
  /**
   * The rules of the blob this process last saw current (`sha256`), so most changes need not read
   * them back: its bytes, or those of a blob this process packed and found to hold the same rules
   * at another generation; with where their segments begin when this process packed them.
   */
  #current?: { sha256: string; bytes: Uint8Array; cuts?: readonly number[] };

  /**
   * `compiler` holds the stored set between writes (the server's `IncrementalCompiler`), so that a
   * write costs what it changes; a `compile`-like function compiles every object each time.
   */
  constructor(store: Store, compiler: CompileFn | Compiler) {
    this.#store = store;
    this.#compiler = typeof compiler === "function" ? wholeCompiler(compiler) : compiler;
  }

  /**
   * Compiles the stored objects once per process: route status lives in memory (it is derived),
   * and a blob that is missing or was written by an older compiler is replaced. Memoised; retried
   * after a failure.
   */
  ready(): Promise<BlobMeta> {
    this.#ready ??= this.apply({}, { actor: "system" }).then((p) => {
      this.#isReady = true;
      return p.blob;
    }, (error) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** Whether {@linkcode ready} has completed: the stored objects were compiled by this process. */
  get isReady(): boolean {
    return this.#isReady;
  }

  /**
   * Applies `change`, recompiles every stored object and commits objects and (if the rules changed)
   * the new blob atomically. Calls are serialised, so compiles and writes never interleave. Nothing
   * is written when compiling throws.
   */
  apply(change: ResourceChange, options: ApplyOptions = {}): Promise<Published> {
    return this.#mutex.run(async () => {
      for (let attempt = 1;; attempt++) {
        try {
          return await this.#applyOnce(change, options);
        } catch (error) {
          if (!(error instanceof StoreConflictError) || attempt === ATTEMPTS) throw error;
        }
      }
    });
  }

  /** Status of an HTTPRoute from the last compile, as Gateway API's `status` member. */
  statusOf(route: RouteKey): { parents: RouteParentStatus[] } | undefined {
    const parents = this.#compiler.statusOf(routeString(route));
    return parents && { parents };
  }

  /**
   * Makes blob `generation` current again, as a new generation (re-stamped, so the blob's own
   * header and checksum name the new generation and every proxy sees a change), and restores the
   * objects it was compiled from in the same atomic write: each changed object is written back
   * (with a new resourceVersion, so a writer holding the old one gets a conflict), objects deleted
   * since are created again and objects created since are deleted. The next write therefore
   * compiles the rolled-back rules, not the ones rolled away from.
   *
   * A generation from before objects had versions rolls back only the blob, which is then pinned
   * until the next write of any object ({@linkcode BlobMeta.rollbackOf}).
   *
   * @throws {RollbackError} 404 when `generation` is no longer in history, 409 when it is current.
   */
  rollback(generation: number, options: ApplyOptions = {}): Promise<RolledBack> {
    return this.#mutex.run(async () => {
      for (let attempt = 1;; attempt++) {
        try {
          return await this.#rollbackOnce(generation, options);
        } catch (error) {
          if (!(error instanceof StoreConflictError) || attempt === ATTEMPTS) throw error;
        }
      }
    });
  }

  async #rollbackOnce(generation: number, options: ApplyOptions): Promise<RolledBack> {
    const snapshot = await this.#store.snapshot();
    const record = await this.#store.blobAt(generation);
    if (!record) throw new RollbackError(404, `blob generation ${generation} is not in the history`);
    if (snapshot.blob?.generation === generation) {
      throw new RollbackError(409, `blob generation ${generation} is already current`);
    }
    const next = (snapshot.blob?.generation ?? 0) + 1;
    const { bytes, cuts } = restamp(record.blob, generation, next);
    const blob: NewBlob = { generation: next, bytes, cuts, createdBy: options.actor, rollbackOf: generation };
    const then = record.revision === undefined ? null : await this.#store.objectsAt(record.revision);
    const objectsRecorded = then !== null;
    const objects = then ? restoresOf(snapshot.objects, then) : [];
    const put = this.#store.prepare(snapshot, objects.flatMap((o) => o.target ? [o.target] : []));
    const deleted = objects.filter((o) => o.action === "deleted").map((o) => o.key);
    const committed = await this.#store.commit(snapshot, { put, delete: deleted, blob }, new Date(), options);
    if (!options.dryRun) {
      if (committed.blobChanged) this.#current = { sha256: committed.blob!.sha256, bytes, cuts };
      // Route status after a rollback: compiled from the objects it left stored (the blob compiled
      // on the way is not the one stored: that is the generation's own, re-stamped).
      if (objectsRecorded) {
        await this.#compiler.compileChange(changeOf(snapshot, put, deleted), { generation: next });
        this.#compiler.settle(committed.versionstamp!);
      }
    }
    return { blob: committed.blob!, objectsRecorded, objects, dryRun: options.dryRun ?? false };
  }

  async #applyOnce(change: ResourceChange, options: ApplyOptions): Promise<Published> {
    const snapshot = await this.#store.snapshot();
    checkPreconditions(snapshot, change.preconditions ?? []);
    const put = this.#store.prepare(snapshot, change.put ?? []);
    const deleted = (change.delete ?? []).filter((k) => snapshot.get(k));
    const writes = put.length > 0 || deleted.length > 0;
    let committed;
    let statuses;
    let newBlob;
    try {
      const { result, blob } = await this.#compileNext(
        changeOf(snapshot, put, deleted),
        snapshot,
        options.actor,
      );
      // A rolled-back blob stays until a write: a bare recompile (start-up) keeps it.
      const keep = !writes && snapshot.blob?.rollbackOf !== undefined;
      newBlob = keep ? undefined : blob;
      committed = writes || newBlob
        ? await this.#store.commit(snapshot, { put, delete: deleted, blob: newBlob }, new Date(), options)
        : { blob: snapshot.blob, blobChanged: false, versionstamp: snapshot.versionstamp };
      statuses = new Map(
        put.filter((o) => o.kind === "HTTPRoute").flatMap((o) => {
          const parents = result.statusOf(routeString(keyOf(o)));
          return parents ? [[routeString(keyOf(o)), parents] as const] : [];
        }),
      );
    } catch (error) {
      this.#compiler.revert();
      throw error;
    }
    if (options.dryRun || committed.versionstamp === null) this.#compiler.revert();
    else this.#compiler.settle(committed.versionstamp);
    if (!options.dryRun && committed.blobChanged) {
      this.#current = { sha256: committed.blob!.sha256, bytes: newBlob!.bytes, cuts: newBlob!.cuts };
    }
    return {
      objects: put,
      created: put.filter((o) => !snapshot.get(keyOf(o))).length,
      deleted,
      blob: committed.blob!,
      blobChanged: committed.blobChanged,
      statuses,
      dryRun: options.dryRun ?? false,
    };
  }

  /**
   * Compiles once, at the next generation, and keeps the result as a new blob only if its rules
   * differ from the current blob's ({@linkcode sameRules} ignores the generation and the checksum
   * that covers it). Generations therefore only count real changes.
   */
  async #compileNext(change: ObjectChange, snapshot: Snapshot, actor?: string) {
    const current = snapshot.blob;
    const generation = (current?.generation ?? 0) + 1;
    const result = await this.#compiler.compileChange(change, { generation });
    // Compared segment by segment when this process packed both (the current blob is its last):
    // inflating both costs more than the compile of one route at 100,000 routes.
    const mine = this.#current?.sha256 === current?.sha256 ? this.#current : undefined;
    const changed = mine?.cuts && result.cuts
      ? !samePackedRules({ bytes: result.blob, cuts: result.cuts }, { bytes: mine.bytes, cuts: mine.cuts })
      : await this.#changedFrom(current, result.blob);
    // The same rules as the stored blob (one read back after a restart, or a write that changed no
    // rule): the next comparison takes this process's segments instead of inflating both again.
    if (!changed && current && result.cuts) {
      this.#current = { sha256: current.sha256, bytes: result.blob, cuts: result.cuts };
    }
    const blob: NewBlob | undefined = changed
      ? {
        generation,
        bytes: result.blob,
        cuts: result.cuts,
        sha256: result.sha256,
        ...(actor !== undefined && { createdBy: actor }),
      }
      : undefined;
    return { result, blob };
  }

  /**
   * Whether `blob`'s rules differ from those of `current`; unreadable current bytes (pruned by a
   * concurrent writer) count as a change: the commit then fails its revision check and the retry
   * sees the new state.
   */
  async #changedFrom(current: BlobMeta | null, blob: Uint8Array): Promise<boolean> {
    const currentBytes = current && await this.#bytesOf(current);
    return !currentBytes || !sameRules(blob, currentBytes);
  }

  async #bytesOf(meta: BlobMeta): Promise<Uint8Array | undefined> {
    if (this.#current?.sha256 !== meta.sha256) {
      const record = await this.#store.blobAt(meta.generation);
      if (!record) return undefined;
      this.#current = { sha256: record.sha256, bytes: record.blob };
    }
    return this.#current.bytes;
  }
}

/** The change a write makes to the objects `snapshot` read, for the compiler. */
function changeOf(snapshot: Snapshot, put: StoredObject[], deleted: ObjectKey[]): ObjectChange {
  return {
    base: snapshot.versionstamp,
    put,
    delete: deleted,
    objects: () => {
      const objects = new Map(snapshot.objects.map((o) => [keyString(keyOf(o)), o]));
      for (const k of deleted) objects.delete(keyString(k));
      for (const o of put) objects.set(keyString(keyOf(o)), o);
      return [...objects.values()];
    },
  };
}

/**
 * What turns the stored objects `current` back into `target`: objects compare by resourceVersion,
 * since every write gives a changed object a new one.
 */
export function restoresOf(
  current: readonly StoredObject[],
  target: readonly StoredObject[],
): ObjectRestore[] {
  const now = new Map(current.map((o) => [keyString(keyOf(o)), o]));
  const then = new Map(target.map((o) => [keyString(keyOf(o)), o]));
  const out: ObjectRestore[] = [];
  for (const [k, obj] of then) {
    const present = now.get(k);
    if (!present) out.push({ key: keyOf(obj), action: "recreated", target: obj });
    else if (present.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      out.push({ key: keyOf(obj), action: "restored", current: present, target: obj });
    }
  }
  for (const [k, obj] of now) {
    if (!then.has(k)) out.push({ key: keyOf(obj), action: "deleted", current: obj });
  }
  return out.sort((a, b) => compareKeys(a.key, b.key));
}
