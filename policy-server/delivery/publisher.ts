/**
 * The write path: every change to the stored objects is compiled, together with all other objects
 * of every kind, into the rule blob, and objects and blob are committed in one atomic write.
 *
 * @module
 */
import type { CompileOptions, CompileResult } from "../compile/mod.ts";
import type { KubeObject, RouteParentStatus, StoredObject } from "../model/types.ts";
import { StoreConflictError } from "../store/kv_batch.ts";
import { keyOf, keyString } from "../store/store.ts";
import type { BlobMeta, ObjectKey, RouteKey, Snapshot, Store } from "../store/store.ts";
import { Mutex } from "./mutex.ts";
import { sameRules } from "./same_rules.ts";

/** The compiler's signature (`compile` of `compile/mod.ts`); tests may pass another. */
export type CompileFn = (resources: KubeObject[], options: CompileOptions) => Promise<CompileResult>;

export interface ResourceChange {
  /** Admitted objects, of any kinds, to create or replace. */
  put?: StoredObject[];
  delete?: ObjectKey[];
}

export interface Published {
  /** The objects of `put`, as stored. */
  objects: StoredObject[];
  /** How many of them did not exist before. */
  created: number;
  /** The objects of `delete` that existed (and are gone). */
  deleted: ObjectKey[];
  /** The current blob after the change. */
  blob: BlobMeta;
  /** Whether this change produced a new blob version. */
  blobChanged: boolean;
}

/** Concurrent writers in other processes are retried this many times before giving up. */
const ATTEMPTS = 3;

const routeString = (k: RouteKey) => `${k.namespace}/${k.name}`;

export class Publisher {
  readonly #store: Store;
  readonly #compile: CompileFn;
  readonly #mutex = new Mutex();
  #statuses = new Map<string, RouteParentStatus[]>();
  #ready?: Promise<BlobMeta>;
  /** The bytes of the blob this process last saw current, so most changes need not read them back. */
  #current?: { sha256: string; bytes: Uint8Array };

  constructor(store: Store, compile: CompileFn) {
    this.#store = store;
    this.#compile = compile;
  }

  /**
   * Compiles the stored objects once per process: route status lives in memory (it is derived),
   * and a blob that is missing or was written by an older compiler is replaced. Memoised; retried
   * after a failure.
   */
  ready(): Promise<BlobMeta> {
    this.#ready ??= this.apply({}).then((p) => p.blob, (error) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /**
   * Applies `change`, recompiles every stored object and commits objects and (if the rules changed)
   * the new blob atomically. Calls are serialised, so compiles and writes never interleave. Nothing
   * is written when compiling throws.
   */
  apply(change: ResourceChange): Promise<Published> {
    return this.#mutex.run(async () => {
      for (let attempt = 1;; attempt++) {
        try {
          return await this.#applyOnce(change);
        } catch (error) {
          if (!(error instanceof StoreConflictError) || attempt === ATTEMPTS) throw error;
        }
      }
    });
  }

  /** Status of an HTTPRoute from the last compile, as Gateway API's `status` member. */
  statusOf(route: RouteKey): { parents: RouteParentStatus[] } | undefined {
    const parents = this.#statuses.get(routeString(route));
    return parents && { parents };
  }

  async #applyOnce(change: ResourceChange): Promise<Published> {
    const snapshot = await this.#store.snapshot();
    const existing = new Map(snapshot.objects.map((o) => [keyString(keyOf(o)), o]));
    const put = this.#store.prepare(snapshot, change.put ?? []);
    const deleted = (change.delete ?? []).filter((k) => existing.has(keyString(k)));
    const next = new Map(existing);
    for (const k of deleted) next.delete(keyString(k));
    for (const o of put) next.set(keyString(keyOf(o)), o);

    const { result, blob } = await this.#compileNext([...next.values()], snapshot);
    const committed = put.length || deleted.length || blob
      ? await this.#store.commit(snapshot, { put, delete: deleted, blob })
      : { blob: snapshot.blob, blobChanged: false };
    if (committed.blobChanged) this.#current = { sha256: committed.blob!.sha256, bytes: result.blob };
    this.#statuses = new Map(result.statuses.map((s) => [s.route, s.parents]));
    return {
      objects: put,
      created: put.filter((o) => !existing.has(keyString(keyOf(o)))).length,
      deleted,
      blob: committed.blob!,
      blobChanged: committed.blobChanged,
    };
  }

  /**
   * Compiles once, at the next generation, and keeps the result as a new blob only if its rules
   * differ from the current blob's ({@linkcode sameRules} ignores the generation and the checksum
   * that covers it). Generations therefore only count real changes.
   */
  async #compileNext(objects: StoredObject[], snapshot: Snapshot) {
    const current = snapshot.blob;
    const generation = (current?.generation ?? 0) + 1;
    const result = await this.#compile(objects, { generation });
    const currentBytes = current && await this.#bytesOf(current);
    // Unreadable current bytes (pruned by a concurrent writer) count as a change: the commit then
    // fails its revision check and the retry sees the new state.
    const changed = !currentBytes || !sameRules(result.blob, currentBytes);
    return { result, blob: changed ? { generation, bytes: result.blob } : undefined };
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
