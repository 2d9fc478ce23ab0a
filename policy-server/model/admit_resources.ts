/**
 * Admission: decides whether parsed objects may be stored, and normalises those that may.
 *
 * @module
 */
import { ResourceError } from "./resource_error.ts";
import type { FieldError } from "./resource_error.ts";
import { DEFAULT_NAMESPACE, objectName, RESOURCE_KINDS, resourceKind } from "./resource_kinds.ts";
import type { ResourceKind } from "./resource_kinds.ts";
import type { KubeObject, StoredObject } from "./types.ts";

export { DEFAULT_NAMESPACE };

export interface AdmitOptions {
  /**
   * Receives each admission warning: something stored as asked that wasmroute will not act on
   * (the API server returns these in `Warning` headers, and kubectl prints them).
   */
  warn?: (message: string) => void;
}

/**
 * Checks every object of one request and returns them as they are to be stored (see
 * {@linkcode ResourceKind.normalise}): HTTPRoutes, Gateways, ReferenceGrants, Services,
 * ServiceImports and Namespaces, in request order. All-or-nothing: one bad object refuses the
 * whole request.
 *
 * @throws {ResourceError} 400 for an empty request or an unsupported kind or apiVersion; 422 with
 * every field error of every document (and duplicates within the request) otherwise.
 */
export function admitResources(objects: KubeObject[], options: AdmitOptions = {}): StoredObject[] {
  if (objects.length === 0) throw ResourceError.badRequest("the request body holds no resources");
  const kinds = objects.map((obj, document) => {
    const kind = resourceKind(obj.kind);
    if (!kind || !kind.apiVersions.includes(obj.apiVersion)) {
      throw ResourceError.badRequest(
        `kind "${obj.kind}" in apiVersion "${obj.apiVersion}" is not supported`,
        document,
        kind ? "apiVersion" : "kind",
      );
    }
    return kind;
  });

  const summaries: string[] = [];
  const causes: FieldError[] = [];
  objects.forEach((obj, document) => {
    const errors = kinds[document].validate(obj);
    if (errors.length === 0) return;
    // Status causes carry no document index: say it in the message when there is a choice.
    const prefix = objects.length > 1 ? `document ${document}: ` : "";
    causes.push(...errors.map((e) => ({ ...e, document, message: prefix + e.message })));
    summaries.push(
      `${identify(obj, kinds[document], document)} is invalid: ${
        errors.map((e) => `${e.field}: ${e.message}`).join(", ")
      }`,
    );
  });
  if (causes.length) throw new ResourceError(422, summaries.join("; "), causes);

  const admitted = objects.map((obj, document) => kinds[document].normalise(obj));
  const seen = new Set<string>();
  admitted.forEach((obj, document) => {
    const name = objectName(obj.kind, obj.metadata.namespace, obj.metadata.name);
    const key = `${obj.kind} ${name}`;
    if (seen.has(key)) {
      const message = `Duplicate value: "${name}": the request names this ${obj.kind} more than once`;
      throw new ResourceError(422, `${obj.kind} "${name}" is invalid: metadata.name: ${message}`, [
        { field: "metadata.name", reason: "FieldValueDuplicate", message, document },
      ]);
    }
    seen.add(key);
  });

  if (options.warn) {
    for (const obj of admitted) {
      const kind = RESOURCE_KINDS[obj.kind] as ResourceKind;
      const name = objectName(obj.kind, obj.metadata.namespace, obj.metadata.name);
      for (const warning of kind.warnings(obj)) options.warn(`${obj.kind} "${name}": ${warning}`);
    }
  }
  return admitted;
}

function identify(obj: KubeObject, kind: ResourceKind, document: number): string {
  const name = typeof obj.metadata?.name === "string" ? obj.metadata.name : undefined;
  if (!name) return `${kind.kind} in document ${document}`;
  const namespace = typeof obj.metadata.namespace === "string" ? obj.metadata.namespace : undefined;
  return `${kind.kind} "${objectName(kind.kind, namespace, name)}"`;
}
