/**
 * A write's preconditions as a client states them: `If-Match` and `metadata.resourceVersion`.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ResourceError } from "../model/resource_error.ts";
import type { KubeObject } from "../model/types.ts";
import type { Precondition } from "../store/check_preconditions.ts";
import { isPlainObject } from "./is_plain_object.ts";

/**
 * `If-Match` as a precondition: `*` (the object must exist) or one entity tag, the
 * `resourceVersion` a `GET` answered with in its `ETag`.
 */
export function ifMatchOf(c: Context): Omit<Precondition, "key"> | undefined {
  const header = c.req.header("If-Match")?.trim();
  if (!header) return undefined;
  if (header === "*") return { mustExist: true };
  const tag = /^"([^"]*)"$/.exec(header)?.[1] ?? (/^[^",\s]+$/.test(header) ? header : undefined);
  if (tag === undefined || tag === "") {
    throw new HTTPException(400, {
      message: 'If-Match must be * or one resourceVersion, as "<resourceVersion>"',
    });
  }
  return { resourceVersion: tag };
}

/** The `metadata.resourceVersion` a client sent, if any (Kubernetes writes it as a string). */
export function clientResourceVersion(obj: KubeObject): string | undefined {
  const rv = isPlainObject(obj.metadata) ? obj.metadata.resourceVersion : undefined;
  if (rv === undefined || rv === null || rv === "") return undefined;
  if (typeof rv !== "string" && typeof rv !== "number") {
    throw new ResourceError(422, "metadata.resourceVersion must be a string", [
      { field: "metadata.resourceVersion", reason: "FieldValueTypeInvalid", message: "must be a string" },
    ]);
  }
  return String(rv);
}
