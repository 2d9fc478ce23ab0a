/**
 * News of blob generations: long-polling clients wait on it, the push deliveries subscribe to it.
 *
 * The store reports every blob committed through it at once ({@linkcode Store.onBlobCommitted}), so
 * a waiting client hears of a new generation as soon as the POST that made it has committed. Writes
 * by another process on the same data are not reported that way: while anyone waits, and whenever
 * {@linkcode BlobFeed.refresh} is called, the feed also reads the current blob's metadata.
 *
 * @module
 */
import type { BlobMeta, Store } from "../../store/store.ts";

export interface BlobFeedOptions {
  /** How often waiting clients also read the store, for writes by other processes (default 1000 ms). */
  pollMs?: number;
}

interface Waiter {
  /** The sha256 the client already has: it waits while the current blob still has it. */
  sha256: string;
  resolve: (meta: BlobMeta | null) => void;
}

export class BlobFeed {
  readonly #store: Pick<Store, "blobMeta" | "onBlobCommitted">;
  readonly #pollMs: number;
  readonly #waiters = new Set<Waiter>();
  readonly #listeners = new Set<(meta: BlobMeta) => void>();
  readonly #unsubscribe: () => void;
  #latest?: BlobMeta;
  #poll?: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(store: Pick<Store, "blobMeta" | "onBlobCommitted">, options: BlobFeedOptions = {}) {
    this.#store = store;
    this.#pollMs = options.pollMs ?? 1000;
    this.#unsubscribe = store.onBlobCommitted((meta) => this.#announce(meta));
  }

  /** How many clients are waiting. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * Resolves with the current blob's metadata as soon as its sha256 is no longer `sha256` (at once
   * if it already is not), or with `null` when `ms` have passed, `signal` aborts or the feed
   * closes.
   */
  async waitForChange(sha256: string, ms: number, signal?: AbortSignal): Promise<BlobMeta | null> {
    if (this.#closed || signal?.aborted || ms <= 0) return null;
    let waiter!: Waiter;
    const done = new Promise<BlobMeta | null>((resolve) => waiter = { sha256, resolve });
    // Registered before the store is read: a commit in between is not missed.
    this.#waiters.add(waiter);
    const timer = setTimeout(() => this.#settle(waiter, null), ms);
    const onAbort = () => this.#settle(waiter, null);
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#startPolling();
    try {
      const current = await this.#store.blobMeta();
      if (current) this.#announce(current);
      return await done;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      this.#settle(waiter, null);
    }
  }

  /** Calls `listener` with each new generation; returns the function that removes it. */
  subscribe(listener: (meta: BlobMeta) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the current blob's metadata and announces it if it is new; resolves to it. */
  async refresh(): Promise<BlobMeta | null> {
    const current = await this.#store.blobMeta();
    if (current) this.#announce(current);
    return current;
  }

  /** Answers every waiting client (`null`: nothing new) and stops listening; for shutdown. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    for (const waiter of [...this.#waiters]) this.#settle(waiter, null);
    this.#listeners.clear();
  }

  #announce(meta: BlobMeta): void {
    const isNew = !this.#latest || meta.generation > this.#latest.generation;
    if (isNew) this.#latest = meta;
    for (const waiter of [...this.#waiters]) {
      if (meta.sha256 !== waiter.sha256) this.#settle(waiter, meta);
    }
    if (!isNew) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(meta);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  #settle(waiter: Waiter, meta: BlobMeta | null): void {
    if (!this.#waiters.delete(waiter)) return;
    waiter.resolve(meta);
    if (this.#waiters.size === 0) this.#stopPolling();
  }

  #startPolling(): void {
    if (this.#poll !== undefined) return;
    this.#poll = setInterval(() => {
      this.refresh().catch(() => {}); // a closed or busy store: the next tick tries again
    }, this.#pollMs);
  }

  #stopPolling(): void {
    if (this.#poll === undefined) return;
    clearInterval(this.#poll);
    this.#poll = undefined;
  }
}
