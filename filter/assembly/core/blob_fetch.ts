// Delivery by URL: a configuration too large for a WasmPlugin names where the blob is and pins its
// SHA-256 instead of carrying it (docs/configuration.md, "Past the WasmPlugin's size"). The root
// context asks this module when to fetch, sends the call (an HTTP call through an Envoy cluster, as
// pull mode does) and hands the answer back; this module judges it. Only bytes whose digest is the
// pinned one are ever offered for serving; anything else is retried with a growing delay while the
// table already serving stays.
import { FetchConfig } from "./config";
import { sameDigest, sha256, toHex } from "./sha256";

/** How long one fetch may take: a blob of megabytes from the policy server, inside the cluster. */
export const FETCH_TIMEOUT_MS: u32 = 30000;

/** The first retry's delay, and the longest: 1 s, 2 s, 4 s … 30 s. */
export const RETRY_FIRST_MS: u32 = 1000;
export const RETRY_MAX_MS: u32 = 30000;

/** What an answer holds: the pinned blob, no blob (an error status, no body), or other bytes. */
export const FETCHED_PINNED: i32 = 0;
export const FETCH_FAILED: i32 = 1;
export const FETCHED_OTHER: i32 = 2;

/** The delay before the attempt after `failures` failed ones (at least one). */
export function retryDelayMs(failures: u32): u32 {
  const first = <u64>RETRY_FIRST_MS << <u64>min<u32>(failures - 1, 16);
  return first < <u64>RETRY_MAX_MS ? <u32>first : RETRY_MAX_MS;
}

/** One configuration's fetch of its pinned blob: when to ask, and what an answer means. */
export class BlobFetch {
  /** The token of the call in flight; 0 when none is. */
  pending: u32 = 0;
  /** The pinned blob arrived: nothing more to fetch (it is served, or refused for good). */
  done: bool = false;
  /** Attempts that failed or brought other bytes, since the configuration came. */
  failures: u32 = 0;
  /** Why the last attempt did not bring the pinned blob; the delay before the next one. */
  reason: string = "";
  retryMs: u32 = 0;
  private nextAtMs: u64 = 0;

  constructor(public readonly config: FetchConfig) {}

  /** Whether to send a call at `nowMs`: not done, none in flight, and the retry delay over. */
  due(nowMs: u64): bool {
    return !this.done && this.pending == 0 && nowMs >= this.nextAtMs;
  }

  /** The call's request headers. */
  headers(): string[][] {
    const c = this.config;
    const h: string[][] = [[":method", "GET"], [":path", c.path], [":authority", c.authority]];
    if (c.token.length > 0) h.push(["authorization", "Bearer " + c.token]);
    return h;
  }

  /** The host would not send the call (no such cluster, say): an attempt that failed. */
  notSent(nowMs: u64): void {
    this.fail(FETCH_FAILED, "the call to cluster " + this.config.cluster + " could not be sent", nowMs);
  }

  /**
   * Judges the answer to the call in flight: FETCHED_PINNED when `status` is 200 and `body`'s digest
   * is the pinned one (the fetch is then done), else FETCH_FAILED or FETCHED_OTHER with `reason`
   * and the next attempt scheduled.
   */
  answer(status: string | null, body: ArrayBuffer | null, nowMs: u64): i32 {
    this.pending = 0;
    if (status != "200") {
      return this.fail(FETCH_FAILED, "status " + (status !== null ? status : "none"), nowMs);
    }
    if (body === null || body.byteLength == 0) return this.fail(FETCH_FAILED, "an empty body", nowMs);
    const digest = sha256(changetype<usize>(body), body.byteLength);
    if (!sameDigest(digest, this.config.digest)) {
      return this.fail(
        FETCHED_OTHER,
        body.byteLength.toString() + " bytes with sha256 " + toHex(digest) + ", not the pinned " + toHex(this.config.digest),
        nowMs,
      );
    }
    this.done = true;
    this.reason = "";
    return FETCHED_PINNED;
  }

  private fail(kind: i32, reason: string, nowMs: u64): i32 {
    this.failures++;
    this.reason = reason;
    this.retryMs = retryDelayMs(this.failures);
    this.nextAtMs = nowMs + this.retryMs;
    return kind;
  }
}
