/**
 * Per-object authorisation of writes: each object's kind and namespace against the caller's token.
 *
 * @module
 */
import type { Context } from "hono";
import { DEFAULT_NAMESPACE, resourceKind } from "../model/resource_kinds.ts";
import type { KubeObject } from "../model/types.ts";
import { requireAccess } from "../security/bearer_auth.ts";
import { resourceName } from "../store/check_preconditions.ts";
import type { ObjectKey } from "../store/store.ts";
import { isPlainObject } from "./is_plain_object.ts";

/** The namespace an object's access is judged by: a Namespace's own name. */
export const scopeOf = (k: ObjectKey): string => k.kind === "Namespace" ? k.name : k.namespace;

/** Throws unless the caller may write every one of `keys`. */
export function authorizeWrite(c: Context, keys: ObjectKey[]): void {
  for (const key of keys) {
    requireAccess(c, { verb: "write", kind: key.kind, namespace: scopeOf(key) }, resourceName(key));
  }
}

/**
 * Authorises the objects of a body as written, before validation judges them, as the API server
 * authorises before admission: a caller out of scope learns nothing about the objects' validity.
 * Objects too malformed to place are left to validation (and authorised again once admitted).
 */
export function authorizeParsed(c: Context, objects: KubeObject[]): void {
  authorizeWrite(
    c,
    objects.flatMap((obj) => {
      const kind = resourceKind(obj.kind);
      const meta: Record<string, unknown> = isPlainObject(obj.metadata) ? obj.metadata : {};
      if (!kind || typeof meta.name !== "string") return [];
      const namespace = !kind.namespaced
        ? ""
        : typeof meta.namespace === "string" && meta.namespace
        ? meta.namespace
        : DEFAULT_NAMESPACE;
      return [{ kind: kind.kind, namespace, name: meta.name }];
    }),
  );
}
