/**
 * One Deno KV atomic operation that knows KV's limits, so an oversized write is refused with a
 * message naming what is too big instead of KV's bare `TypeError`, and a dry run is judged by KV
 * itself on the same operation: no estimate of KV's size accounting to drift from the real one.
 *
 * @module
 */
import { serialize } from "node:v8";

/** Limits of one Deno KV atomic operation (Deno 2.x, local and Deploy alike). */
export const KV_LIMITS = {
  mutations: 1000,
  /** Sum of keys and values written by one atomic operation. */
  totalBytes: 819_200,
  valueBytes: 65_536,
} as const;

/** A write exceeds what one Deno KV atomic operation can hold. */
export class StoreLimitError extends Error {
  override name = "StoreLimitError";
}

/** Another writer committed between our read and our write. */
export class StoreConflictError extends Error {
  override name = "StoreConflictError";
}

/** Serialised size as KV counts it: raw for bytes, V8 serialisation otherwise. */
export function valueSize(value: unknown): number {
  return value instanceof Uint8Array ? value.byteLength : serialize(value).byteLength;
}

/**
 * Refuses, before any compile, a write of `values` that cannot fit one atomic operation whatever
 * else it carries: one mutation and at least its serialised size per value. A lower bound only;
 * KV judges the real operation ({@linkcode KvBatch.commit}, {@linkcode KvBatch.probe}).
 *
 * @throws {StoreLimitError}
 */
export function assertMayFit(values: readonly unknown[]): void {
  assertFewEnough(values.length);
  let bytes = 0;
  for (const value of values) bytes += valueSize(value);
  if (bytes > KV_LIMITS.totalBytes) {
    throw new StoreLimitError(
      `this write's objects take ${bytes} bytes; one atomic operation takes at most ${KV_LIMITS.totalBytes}`,
    );
  }
}

/** The count half of {@linkcode assertMayFit}, for objects not yet validated. */
export function assertFewEnough(objects: number): void {
  if (objects >= KV_LIMITS.mutations) {
    throw new StoreLimitError(
      `this write holds ${objects} objects and more changes besides; the limit is ${KV_LIMITS.mutations} in one atomic operation`,
    );
  }
}

/**
 * SQLite's answer when another connection (another server process on the same file) holds the
 * write lock: nothing was written, and trying again shortly succeeds.
 */
export function isBusy(error: unknown): boolean {
  return error instanceof TypeError && /database is locked|database is busy/i.test(error.message);
}

/** Tries of one atomic operation while the database is busy, and the pause before each retry. */
const BUSY_TRIES = 6;
const busyPause = (attempt: number) =>
  new Promise((r) => setTimeout(r, 5 * 2 ** attempt * (0.5 + Math.random())));

/** A versionstamp no key ever has (KV would need 2^80 commits): a check with it always fails. */
const NEVER = "ffffffffffffffffffff";

/**
 * KV's own limit errors (`TypeError`s: "Total mutation size too large (max 819200 bytes)", "Too
 * many mutations", "Total key size too large", "Value too large") as {@linkcode StoreLimitError}.
 */
function limitError(error: unknown): unknown {
  if (!(error instanceof TypeError) || !/too large|too many/i.test(error.message)) return error;
  return new StoreLimitError(`this write does not fit one Deno KV atomic operation: ${error.message}`);
}

/**
 * The writes and checks of one atomic operation, kept until {@linkcode KvBatch.commit} or
 * {@linkcode KvBatch.probe} builds it, so that a dry run can hand KV the very same operation.
 */
export class KvBatch {
  readonly #kv: Deno.Kv;
  readonly #checks: Deno.AtomicCheck[] = [];
  readonly #writes: ((op: Deno.AtomicOperation) => void)[] = [];

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  check(...checks: Deno.AtomicCheck[]): this {
    this.#checks.push(...checks);
    return this;
  }

  /** `what` names the value in the error if it is too large, e.g. `HTTPRoute default/web`. */
  set(key: Deno.KvKey, value: unknown, what = "a value"): this {
    const size = valueSize(value);
    if (size > KV_LIMITS.valueBytes) {
      throw new StoreLimitError(
        `${what} takes ${size} bytes; a stored value is limited to ${KV_LIMITS.valueBytes} bytes`,
      );
    }
    this.#writes.push((op) => op.set(key, value));
    return this;
  }

  delete(key: Deno.KvKey): this {
    this.#writes.push((op) => op.delete(key));
    return this;
  }

  /** Commits; `false` when a check failed (someone else wrote first). */
  async commit(): Promise<boolean> {
    return await this.commitVersioned() !== null;
  }

  /** Commits; the versionstamp every key written got, or `null` when a check failed. */
  async commitVersioned(): Promise<string | null> {
    this.verify();
    for (let attempt = 1;; attempt++) {
      try {
        const result = await this.#build(this.#checks).commit();
        return result.ok ? result.versionstamp : null;
      } catch (error) {
        if (!isBusy(error)) throw limitError(error);
        if (attempt === BUSY_TRIES) {
          throw new StoreConflictError(`the store is busy with another process's write; retry (${error})`);
        }
        await busyPause(attempt);
      }
    }
  }

  /**
   * Hands KV this very operation with every check made to fail: KV judges its size limits before it
   * evaluates checks, so this throws {@linkcode StoreLimitError} exactly when {@linkcode commit} would,
   * and writes nothing. What `?dryRun=All` needs to answer as the real write will.
   */
  async probe(): Promise<void> {
    this.verify();
    const impossible = this.#checks.length ? this.#checks : [{ key: ["meta", "never"], versionstamp: null }];
    let result;
    try {
      result = await this.#build(impossible.map((c) => ({ key: c.key, versionstamp: NEVER }))).commit();
    } catch (error) {
      throw limitError(error);
    }
    if (result.ok) throw new Error("a dry-run probe was committed: its check should have failed");
  }

  /** Throws {@linkcode StoreLimitError} if the batch has more changes than one atomic operation takes. */
  verify(): void {
    if (this.#writes.length > KV_LIMITS.mutations) {
      throw new StoreLimitError(
        `this write needs ${this.#writes.length} changes in one atomic operation; the limit is ${KV_LIMITS.mutations}`,
      );
    }
  }

  #build(checks: Deno.AtomicCheck[]): Deno.AtomicOperation {
    const op = this.#kv.atomic().check(...checks);
    for (const write of this.#writes) write(op);
    return op;
  }
}
