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
  CommitResult,
  ObjectKey,
  RouteKey,
  Snapshot,
  StoreOptions,
} from "./store.ts";
export { KV_LIMITS, StoreConflictError, StoreLimitError } from "./kv_batch.ts";
export { stampMetadata } from "./metadata.ts";
