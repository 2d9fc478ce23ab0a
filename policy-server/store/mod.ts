/**
 * Durable state in Deno KV: HTTPRoutes and the versioned rule blob.
 *
 * @module
 */
export { Store } from "./store.ts";
export type {
  BlobMeta,
  BlobRecord,
  Change,
  CommitResult,
  RouteKey,
  Snapshot,
  StoreOptions,
} from "./store.ts";
export { KV_LIMITS, StoreConflictError, StoreLimitError } from "./kv_batch.ts";
export { stampMetadata } from "./metadata.ts";
