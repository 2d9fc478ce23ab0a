/**
 * The write path: every change to the stored routes is compiled, together with all other routes,
 * into the rule blob, and routes and blob are committed in one atomic write.
 *
 * @module
 */
import type { CompileOptions, CompileResult } from "../compile/mod.ts";
import type { HTTPRoute, KubeObject, RouteParentStatus } from "../model/types.ts";
import { StoreConflictError } from "../store/kv_batch.ts";
import type { BlobMeta, RouteKey, Snapshot, Store } from "../store/store.ts";
import { Mutex } from "./mutex.ts";

/** The compiler's signature (`compile` of `compile/mod.ts`); tests may pass another. */
export type CompileFn = (resources: KubeObject[], options: CompileOptions) => Promise<CompileResult>;

export interface RouteChange {
  /** Admitted routes to create or replace. */
  put?: HTTPRoute[];
  delete?: RouteKey[];
}

export interface Published {
  /** The routes of `put`, as stored. */
  routes: HTTPRoute[];
  /** How many of them did not exist before. */
  created: number;
  /** The routes of `delete` that existed (and are gone). */
  deleted: RouteKey[];
  /** The current blob after the change. */
  blob: BlobMeta;
  /** Whether this change produced a new blob version. */
  blobChanged: boolean;
}

/** Concurrent writers in other processes are retried this many times before giving up. */
const ATTEMPTS = 3;

const keyString = (k: RouteKey) => `${k.namespace}/${k.name}`;

export class Publisher {
  readonly #store: Store;
  readonly #compile: CompileFn;
  readonly #mutex = new Mutex();
  #statuses = new Map<string, RouteParentStatus[]>();
  #ready?: Promise<BlobMeta>;

  constructor(store: Store, compile: CompileFn) {
    this.#store = store;
    this.#compile = compile;
  }

  /**
   * Compiles the stored routes once per process: their status lives in memory (it is derived), and
   * a blob that is missing or was written by an older compiler is replaced. Memoised; retried after
   * a failure.
   */
  ready(): Promise<BlobMeta> {
    this.#ready ??= this.apply({}).then((p) => p.blob, (error) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /**
   * Applies `change`, recompiles every route and commits routes and (if its bytes changed) the new
   * blob atomically. Calls are serialised, so compiles and writes never interleave. Nothing is
   * written when compiling throws.
   */
  apply(change: RouteChange): Promise<Published> {
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

  /** Status of a route from the last compile, as Gateway API's `status` member. */
  statusOf(route: RouteKey): { parents: RouteParentStatus[] } | undefined {
    const parents = this.#statuses.get(keyString(route));
    return parents && { parents };
  }

  async #applyOnce(change: RouteChange): Promise<Published> {
    const snapshot = await this.#store.snapshot();
    const existing = new Map(snapshot.routes.map((r) => [keyString(r.metadata), r]));
    const put = this.#store.prepare(snapshot, change.put ?? []);
    const deleted = (change.delete ?? []).filter((k) => existing.has(keyString(k)));
    const next = new Map(existing);
    for (const k of deleted) next.delete(keyString(k));
    for (const r of put) next.set(keyString(r.metadata), r);

    const { result, blob } = await this.#compileNext([...next.values()], snapshot);
    const committed = put.length || deleted.length || blob
      ? await this.#store.commit(snapshot, { put, delete: deleted, blob })
      : { blob: snapshot.blob, blobChanged: false };
    this.#statuses = new Map(result.statuses.map((s) => [s.route, s.parents]));
    return {
      routes: put,
      created: put.filter((r) => !existing.has(keyString(r.metadata))).length,
      deleted,
      blob: committed.blob!,
      blobChanged: committed.blobChanged,
    };
  }

  /**
   * Compiles at the current generation first: the generation is part of the blob, so only bytes
   * compiled at the same generation show whether anything changed. If they did, compiles again at
   * the next generation; generations therefore only count real changes.
   */
  async #compileNext(routes: HTTPRoute[], snapshot: Snapshot) {
    const current = snapshot.blob;
    const result = await this.#compile(routes, { generation: current?.generation ?? 1 });
    if (!current) return { result, blob: { generation: 1, bytes: result.blob } };
    if (result.sha256 === current.sha256) return { result, blob: undefined };
    const generation = current.generation + 1;
    const next = await this.#compile(routes, { generation });
    return { result: next, blob: { generation, bytes: next.blob } };
  }
}
