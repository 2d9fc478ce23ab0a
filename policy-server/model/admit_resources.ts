/**
 * Admission: decides whether parsed objects may be stored, and normalises those that may.
 *
 * @module
 */
import { ResourceError } from "./resource_error.ts";
import type { FieldError } from "./resource_error.ts";
import { GATEWAY_API_V1 } from "./types.ts";
import type { HTTPRoute, KubeObject } from "./types.ts";
import { HTTP_ROUTE_API_VERSIONS, validateHttpRoute } from "./validate_http_route.ts";

/** Namespace of objects that name none, as `kubectl` does with no context namespace. */
export const DEFAULT_NAMESPACE = "default";

/**
 * Checks every object of one request and returns them as HTTPRoutes ready to store: apiVersion
 * normalised to v1, `metadata.namespace` defaulted, client-written `status` dropped (the server owns
 * it). All-or-nothing: one bad object refuses the whole request.
 *
 * @throws {ResourceError} 400 for an empty request or an unsupported kind or apiVersion; 422 with
 * every field error of every document (and duplicates within the request) otherwise.
 */
export function admitResources(objects: KubeObject[]): HTTPRoute[] {
  if (objects.length === 0) throw ResourceError.badRequest("the request body holds no resources");
  objects.forEach((obj, document) => {
    if (obj.kind !== "HTTPRoute") {
      throw ResourceError.badRequest(
        `kind "${obj.kind}" is not supported (only HTTPRoute)`,
        document,
        "kind",
      );
    }
    if (!HTTP_ROUTE_API_VERSIONS.includes(obj.apiVersion)) {
      throw ResourceError.badRequest(
        `apiVersion "${obj.apiVersion}" is not supported for HTTPRoute (use ${GATEWAY_API_V1})`,
        document,
        "apiVersion",
      );
    }
  });

  const summaries: string[] = [];
  const causes: FieldError[] = [];
  objects.forEach((obj, document) => {
    const errors = validateHttpRoute(obj);
    if (errors.length === 0) return;
    // Status causes carry no document index: say it in the message when there is a choice.
    const prefix = objects.length > 1 ? `document ${document}: ` : "";
    causes.push(...errors.map((e) => ({ ...e, document, message: prefix + e.message })));
    summaries.push(
      `${identify(obj, document)} is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join(", ")}`,
    );
  });
  if (causes.length) throw new ResourceError(422, summaries.join("; "), causes);

  const routes = objects.map(normalise);
  const seen = new Set<string>();
  routes.forEach((route, document) => {
    const key = `${route.metadata.namespace}/${route.metadata.name}`;
    if (seen.has(key)) {
      const message = `Duplicate value: "${key}": the request names this HTTPRoute more than once`;
      throw new ResourceError(422, `HTTPRoute "${key}" is invalid: metadata.name: ${message}`, [
        { field: "metadata.name", reason: "FieldValueDuplicate", message, document },
      ]);
    }
    seen.add(key);
  });
  return routes;
}

function normalise(obj: KubeObject): HTTPRoute {
  const { status: _status, ...rest } = obj;
  return {
    ...rest,
    apiVersion: GATEWAY_API_V1,
    kind: "HTTPRoute",
    metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? DEFAULT_NAMESPACE },
  } as HTTPRoute;
}

function identify(obj: KubeObject, document: number): string {
  const name = typeof obj.metadata?.name === "string" ? obj.metadata.name : undefined;
  if (!name) return `HTTPRoute in document ${document}`;
  return `HTTPRoute "${obj.metadata.namespace ?? DEFAULT_NAMESPACE}/${name}"`;
}
