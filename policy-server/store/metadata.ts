/**
 * Server-owned object metadata, stamped the way the Kubernetes API server does it.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import type { StoredObject } from "../model/types.ts";

/**
 * Returns `incoming` as it will be stored: `uid` and `creationTimestamp` set on create and kept on
 * replace, `generation` 1 on create and bumped when the spec changes (route status reports it as
 * `observedGeneration`), `resourceVersion` the store revision of this write. Of the client's
 * metadata only name, namespace, labels and annotations are kept; client-written status is dropped.
 */
export function stampMetadata<T extends StoredObject>(
  incoming: T,
  previous: T | undefined,
  revision: number,
  now: Date,
): T {
  const { name, namespace, labels, annotations } = incoming.metadata;
  const sameSpec = previous !== undefined && isDeepStrictEqual(previous.spec, incoming.spec);
  const { status: _status, ...rest } = incoming;
  return {
    ...rest,
    metadata: {
      name,
      // Cluster-scoped objects (Namespaces) have none, not an undefined one.
      ...(namespace !== undefined && { namespace }),
      ...(labels && { labels }),
      ...(annotations && { annotations }),
      uid: previous?.metadata.uid ?? crypto.randomUUID(),
      // Kubernetes timestamps are RFC 3339 in whole seconds.
      creationTimestamp: previous?.metadata.creationTimestamp ?? now.toISOString().replace(/\.\d+Z$/, "Z"),
      generation: previous ? (previous.metadata.generation ?? 1) + (sameSpec ? 0 : 1) : 1,
      resourceVersion: String(revision),
    },
  } as T;
}
