/**
 * Stored data that is not what was written: a KV file that is empty, truncated or another program's,
 * a blob whose bytes no longer match their digest. Never repaired silently: the server refuses to
 * start on it (exit code 2), and a request that meets it gets a 500 naming it.
 *
 * @module
 */
export class StoreDamagedError extends Error {
  override name = "StoreDamagedError";
}
