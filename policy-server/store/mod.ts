/**
 * Durable state in Deno KV: the stored objects of every kind and the versioned rule blob.
 *
 * @module
 */
export { keyOf, keyString, Store } from "./store.ts";
export type {
  BlobMeta,
  BlobRecord,
  Change,
  CommitOptions,
  CommitResult,
  NewBlob,
  ObjectKey,
  RouteKey,
  Snapshot,
  StoreOptions,
} from "./store.ts";
export { KV_LIMITS, StoreConflictError, StoreLimitError } from "./kv_batch.ts";
export { stampMetadata } from "./metadata.ts";
export { openStore } from "./open_store.ts";
export { StoreDamagedError } from "./store_damaged_error.ts";
export { checkPreconditions, PreconditionError, resourceName } from "./check_preconditions.ts";
export type { Precondition } from "./check_preconditions.ts";
