/**
 * Writing objects through the API: create (any mix of kinds), replace one, delete one. Each write
 * is authorised, admitted as the Kubernetes API server would admit it, checked against its
 * preconditions and compiled with everything stored, all or nothing.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { decodeBodyText, readBodyText } from "../budget/mod.ts";
import type { Published } from "../delivery/write/publisher.ts";
import { admitResources } from "../model/admit_resources.ts";
import { fieldValidationOf } from "../model/decode_resources.ts";
import { ResourceError } from "../model/resource_error.ts";
import { RESOURCE_KINDS } from "../model/resource_kinds.ts";
import type { ResourceKind } from "../model/resource_kinds.ts";
import type { KubeObject } from "../model/types.ts";
import { principalOf, requireAccess } from "../security/bearer_auth.ts";
import type { Precondition } from "../store/check_preconditions.ts";
import { assertFewEnough, assertMayFit } from "../store/kv_batch.ts";
import { keyOf } from "../store/store.ts";
import type { ObjectKey } from "../store/store.ts";
import { authorizeParsed, authorizeWrite } from "./authorize_objects.ts";
import { dryRunOf } from "./dry_run.ts";
import { isPlainObject } from "./is_plain_object.ts";
import { listOf, notFound, withStatus } from "./resource_reads.ts";
import type { ResourceApi } from "./resource_reads.ts";
import { VERSION_HEADER } from "./version_header.ts";
import { clientResourceVersion, ifMatchOf } from "./write_preconditions.ts";

/**
 * `POST`: stores every object of the body (created or replaced), or none. Answers 201 when one was
 * created, with the objects as stored and the blob they compiled to.
 */
export async function createObjects(api: ResourceApi, c: Context): Promise<Response> {
  const dryRun = dryRunOf(c);
  const ifMatch = ifMatchOf(c);
  const warnings: string[] = [];
  // The cheap check first: a token that may write nothing is refused before its body is read.
  requireAccess(c, { verb: "writeSome" });
  const parsed = await decodeBody(c, await readBodyText(c), warnings);
  assertFewEnough(parsed.length); // before authorising and validating each of 5,000 objects
  authorizeParsed(c, parsed);
  const objects = admitResources(parsed, { warn: (w) => warnings.push(w) });
  // What cannot fit one store write is refused before the compile, the expensive part.
  assertMayFit(objects);
  if (ifMatch && objects.length !== 1) {
    throw new HTTPException(400, { message: "If-Match applies to a body of exactly one object" });
  }
  authorizeWrite(c, objects.map(keyOf));
  // A resourceVersion the client sent is the version it based the write on.
  const preconditions: Precondition[] = objects.flatMap((obj, i) => {
    const resourceVersion = clientResourceVersion(parsed[i]);
    return resourceVersion === undefined ? [] : [{ key: keyOf(obj), resourceVersion }];
  });
  if (ifMatch) preconditions.push({ key: keyOf(objects[0]), ...ifMatch });
  const result = await api.publisher.apply(
    { put: objects, preconditions },
    { dryRun, actor: principalOf(c).name },
  );
  published(api, c, result, warnings);
  const kinds = new Set(result.objects.map((o) => o.kind));
  const kind = kinds.size === 1 ? RESOURCE_KINDS[[...kinds][0]] as ResourceKind : undefined;
  return c.json(
    {
      ...listOf(api.publisher, result.objects, kind, result.statuses),
      blob: blobOf(result),
      ...(dryRun && { dryRun }),
    },
    result.created > 0 ? 201 : 200,
  );
}

/**
 * `PUT`: replaces one existing object with the body, which must be of the path's kind and name
 * (its namespace defaults to the path's). 404 if there is none; the body's resourceVersion and
 * `If-Match` are preconditions. Answers with the object as stored, blob in the headers.
 */
export async function replaceObject(
  api: ResourceApi,
  c: Context,
  kind: ResourceKind,
  namespace: string,
  name: string,
): Promise<Response> {
  authorizeWrite(c, [{ kind: kind.kind, namespace, name }]);
  const dryRun = dryRunOf(c);
  const ifMatch = ifMatchOf(c);
  const warnings: string[] = [];
  const parsed = await decodeBody(c, await readBodyText(c), warnings);
  if (parsed.length !== 1) {
    throw ResourceError.badRequest(`PUT takes exactly one object; the body holds ${parsed.length}`);
  }
  const body = placeAtPath(parsed[0], c.req.path, kind, namespace, name);
  const [obj] = admitResources([body], { warn: (w) => warnings.push(w) });
  const key = keyOf(obj);
  authorizeWrite(c, [key]);
  const preconditions: Precondition[] = [{ key, mustExist: true }];
  const resourceVersion = clientResourceVersion(body);
  if (resourceVersion !== undefined) preconditions.push({ key, resourceVersion });
  if (ifMatch) preconditions.push({ key, ...ifMatch });
  const result = await api.publisher.apply(
    { put: [obj], preconditions },
    { dryRun, actor: principalOf(c).name },
  );
  published(api, c, result, warnings);
  return c.json(withStatus(api.publisher, result.objects[0], result.statuses));
}

/** `DELETE`: removes one object (404 if there is none), `If-Match` a precondition. */
export async function deleteObject(
  api: ResourceApi,
  c: Context,
  kind: ResourceKind,
  namespace: string,
  name: string,
): Promise<Response> {
  const dryRun = dryRunOf(c);
  const key: ObjectKey = { kind: kind.kind, namespace, name };
  authorizeWrite(c, [key]);
  const ifMatch = ifMatchOf(c);
  const result = await api.publisher.apply(
    { delete: [key], preconditions: ifMatch ? [{ key, ...ifMatch }] : [] },
    { dryRun, actor: principalOf(c).name },
  );
  if (result.deleted.length === 0) throw notFound(kind, namespace, name);
  published(api, c, result, []);
  return c.json({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name, group: kind.group, kind: kind.plural },
  });
}

/**
 * A `PUT` body of the path's kind, named as the path names it: a name or namespace the body states
 * must agree with the path's; missing, they are the path's.
 */
function placeAtPath(
  body: KubeObject,
  path: string,
  kind: ResourceKind,
  namespace: string,
  name: string,
): KubeObject {
  if (body.kind !== kind.kind) {
    throw ResourceError.badRequest(`${path} takes a ${kind.kind}, not a ${body.kind}`, 0, "kind");
  }
  if (body.metadata === undefined) body.metadata = { name };
  if (!isPlainObject(body.metadata)) return body;
  const meta = body.metadata;
  if (meta.name !== undefined && meta.name !== name) {
    throw ResourceError.badRequest(
      `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
      0,
      "metadata.name",
    );
  }
  if (kind.namespaced && meta.namespace !== undefined && meta.namespace !== namespace) {
    throw ResourceError.badRequest(
      `the namespace of the object (${meta.namespace}) does not match the namespace on the URL ` +
        `(${namespace})`,
      0,
      "metadata.namespace",
    );
  }
  body.metadata = { ...meta, name, ...(kind.namespaced && { namespace }) };
  return body;
}

/** A write's body as objects, under the request's `?fieldValidation=` (warnings to `warnings`). */
function decodeBody(c: Context, text: string, warnings: string[]): Promise<KubeObject[]> {
  // readBodyText has made sure the Content-Type is JSON or YAML; a large YAML body decodes off the loop.
  return decodeBodyText(text, c.req.header("Content-Type")!, {
    fieldValidation: fieldValidationOf(c.req.query("fieldValidation")),
    warn: (w) => warnings.push(w),
  });
}

/** The blob a write left serving, in the headers; admission warnings as `Warning` headers. */
function published(api: ResourceApi, c: Context, result: Published, warnings: string[]): void {
  api.onPublished?.(result);
  if (result.dryRun) c.header("X-Wasmroute-Dry-Run", "All");
  c.header(VERSION_HEADER, String(result.blob.generation));
  c.header("X-Wasmroute-Blob-Sha256", result.blob.sha256);
  c.header("X-Wasmroute-Blob-Changed", String(result.blobChanged));
  for (const warning of warnings) c.header("Warning", warningHeader(warning), { append: true });
}

const blobOf = ({ blob, blobChanged }: Published) => ({
  generation: blob.generation,
  sha256: blob.sha256,
  size: blob.size,
  changed: blobChanged,
});

/**
 * An RFC 7234 `Warning` value as Kubernetes writes it (`299 - "text"`); header values are bytes, so
 * anything outside printable ASCII is replaced.
 */
export function warningHeader(text: string): string {
  const safe = text.replace(/[^\x20-\x7e]/g, "?").replace(/["\\]/g, "\\$&");
  return `299 - "${safe}"`;
}
