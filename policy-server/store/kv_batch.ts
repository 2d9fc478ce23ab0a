/**
 * One Deno KV atomic operation that knows KV's limits, so an oversized write is refused with a
 * message naming what is too big instead of KV's bare `TypeError`.
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

const encoder = new TextEncoder();

/** Serialised size as KV counts it: raw for bytes, V8 serialisation otherwise. */
export function valueSize(value: unknown): number {
  return value instanceof Uint8Array ? value.byteLength : serialize(value).byteLength;
}

// Close to KV's key encoding: a tag and terminator per part, 9 bytes per number.
const keySize = (key: Deno.KvKey) =>
  key.reduce<number>(
    (n, part) => n + (typeof part === "number" ? 9 : encoder.encode(String(part)).length + 2),
    0,
  );

export class KvBatch {
  readonly #op: Deno.AtomicOperation;
  #mutations = 0;
  #bytes = 0;

  constructor(kv: Deno.Kv) {
    this.#op = kv.atomic();
  }

  check(...checks: Deno.AtomicCheck[]): this {
    this.#op.check(...checks);
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
    this.#mutations++;
    this.#bytes += keySize(key) + size;
    this.#op.set(key, value);
    return this;
  }

  delete(key: Deno.KvKey): this {
    this.#mutations++;
    this.#bytes += keySize(key);
    this.#op.delete(key);
    return this;
  }

  /** Commits; `false` when a check failed (someone else wrote first). */
  async commit(): Promise<boolean> {
    this.verify();
    return (await this.#op.commit()).ok;
  }

  /** Throws {@linkcode StoreLimitError} if the batch would not fit one atomic operation. */
  verify(): void {
    if (this.#mutations > KV_LIMITS.mutations) {
      throw new StoreLimitError(
        `this write needs ${this.#mutations} changes in one atomic operation; the limit is ${KV_LIMITS.mutations}`,
      );
    }
    if (this.#bytes > KV_LIMITS.totalBytes) {
      throw new StoreLimitError(
        `this write takes about ${this.#bytes} bytes in one atomic operation; the limit is ${KV_LIMITS.totalBytes}`,
      );
    }
  }
}
