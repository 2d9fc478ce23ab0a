/**
 * Optimistic concurrency, as the Kubernetes API server does it: a write may say which
 * `resourceVersion` of an object it was based on, and is refused if the object has moved on.
 *
 * @module
 */
import { RESOURCE_KINDS } from "../model/resource_kinds.ts";
import type { StoredObject } from "../model/types.ts";
import type { ObjectKey } from "./store.ts";
import { StatusError } from "../model/kube_status.ts";

/** What must hold of one stored object for a write to go ahead. */
export interface Precondition {
  key: ObjectKey;
  /** The object must exist with exactly this `metadata.resourceVersion`. */
  resourceVersion?: string;
  /** The object must exist (any version): a replace (`PUT`) or an `If-Match: *`. */
  mustExist?: boolean;
}

/** A precondition failed: 404 for an object that must exist and does not, 409 for a stale version. */
export class PreconditionError extends StatusError<404 | 409> {
  override name = "PreconditionError";
}

/** How Kubernetes names a resource in messages: `httproutes.gateway.networking.k8s.io "web"`. */
export function resourceName(key: ObjectKey): string {
  const { plural, group } = RESOURCE_KINDS[key.kind];
  return `${group ? `${plural}.${group}` : plural} "${key.name}"`;
}

/**
 * Checks `preconditions` against the stored objects (a `Snapshot`, or anything that finds one by key).
 *
 * @throws {PreconditionError} for the first that fails.
 */
export function checkPreconditions(
  stored: { get(key: ObjectKey): StoredObject | undefined },
  preconditions: readonly Precondition[],
): void {
  for (const { key, resourceVersion, mustExist } of preconditions) {
    const current = stored.get(key);
    if (!current && (mustExist || resourceVersion !== undefined)) {
      throw new PreconditionError(
        resourceVersion !== undefined ? 409 : 404,
        resourceVersion !== undefined
          ? `Operation cannot be fulfilled on ${
            resourceName(key)
          }: the object does not exist (resourceVersion ${resourceVersion} was expected)`
          : `${resourceName(key)} not found`,
      );
    }
    if (resourceVersion !== undefined && current?.metadata.resourceVersion !== resourceVersion) {
      throw new PreconditionError(
        409,
        `Operation cannot be fulfilled on ${
          resourceName(key)
        }: the object has been modified; please apply your changes to the latest version and try again (resourceVersion is ${current?.metadata.resourceVersion}, not ${resourceVersion})`,
      );
    }
  }
}
