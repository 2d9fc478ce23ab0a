/**
 * Reading stored objects through the API: lists and single objects, HTTPRoutes with their status.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Published, Publisher } from "../delivery/write/publisher.ts";
import { objectName } from "../model/resource_kinds.ts";
import type { ResourceKind } from "../model/resource_kinds.ts";
import type { RouteParentStatus, StoredObject } from "../model/types.ts";
import { principalOf, requireAccess } from "../security/bearer_auth.ts";
import { inScope } from "../security/principal.ts";
import { resourceName } from "../store/check_preconditions.ts";
import { keyOf } from "../store/store.ts";
import type { Store } from "../store/store.ts";
import { scopeOf } from "./authorize_objects.ts";

/** Route statuses by `namespace/name`, as a compile (or a dry run) reports them. */
export type Statuses = ReadonlyMap<string, RouteParentStatus[]>;

/** What the object endpoints work on. */
export interface ResourceApi {
  store: Store;
  publisher: Publisher;
  /** Told of every write the publisher stored or dry-ran. */
  onPublished?: (result: Published) => void;
}

/** An HTTPRoute with the status of the last compile (or of a dry run's, when given). */
export function withStatus(publisher: Publisher, obj: StoredObject, statuses?: Statuses): StoredObject {
  if (obj.kind !== "HTTPRoute") return obj;
  const parents = statuses?.get(`${obj.metadata.namespace}/${obj.metadata.name}`);
  const status = parents ? { parents } : publisher.statusOf(obj.metadata);
  return status ? { ...obj, status } : obj;
}

/** A typed list (`GatewayList`) for one kind, Kubernetes' generic `List` for a mix. */
export function listOf(
  publisher: Publisher,
  items: StoredObject[],
  kind?: ResourceKind,
  statuses?: Statuses,
) {
  return {
    apiVersion: kind?.apiVersion ?? "v1",
    kind: kind ? `${kind.kind}List` : "List",
    metadata: {},
    items: items.map((o) => withStatus(publisher, o, statuses)),
  };
}

/** A 404 naming the object as Kubernetes does. */
export function notFound(kind: ResourceKind, namespace: string, name: string): HTTPException {
  return new HTTPException(404, {
    message: `${kind.kind} "${objectName(kind.kind, namespace, name)}" not found`,
  });
}

/** One kind's objects the caller may read: a token for some namespaces lists only those. */
export async function listObjects(
  { store, publisher }: ResourceApi,
  c: Context,
  kind: ResourceKind,
  namespace: string | undefined,
): Promise<Response> {
  if (namespace !== undefined && !kind.namespaced) {
    throw new HTTPException(400, { message: `${kind.kind} is cluster-scoped: ?namespace= does not apply` });
  }
  if (namespace !== undefined) requireAccess(c, { verb: "read", kind: kind.kind, namespace });
  const principal = principalOf(c);
  const items = (await store.list(kind.kind, namespace))
    .filter((o) => inScope(principal, scopeOf(keyOf(o))));
  return c.json(listOf(publisher, items, kind));
}

/** One object, its `resourceVersion` as `ETag`. */
export async function getObject(
  { store, publisher }: ResourceApi,
  c: Context,
  kind: ResourceKind,
  namespace: string,
  name: string,
): Promise<Response> {
  const key = { kind: kind.kind, namespace, name };
  requireAccess(c, { verb: "read", kind: kind.kind, namespace: scopeOf(key) }, resourceName(key));
  const obj = await store.get(kind.kind, namespace, name);
  if (!obj) throw notFound(kind, namespace, name);
  if (obj.metadata.resourceVersion) c.header("ETag", `"${obj.metadata.resourceVersion}"`);
  return c.json(withStatus(publisher, obj));
}
