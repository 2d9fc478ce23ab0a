/**
 * The OpenAPI 3.1 description of the policy server's HTTP API, served at `/openapi.json` and
 * shown by the Swagger UI at `/docs`. Written as a typed object, so `deno check` keeps it in
 * shape; `openapi_document_test.ts` checks that every route the app serves is described.
 *
 * @module
 */
import { RESOURCE_KINDS } from "../model/resource_kinds.ts";
import type { ResourceKind } from "../model/resource_kinds.ts";

/** JSON Schema as OpenAPI 3.1 uses it (draft 2020-12); loose on purpose. */
export type Schema = { [keyword: string]: unknown };

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  description?: string;
  schema: Schema;
}

export interface MediaType {
  schema: Schema;
}

export interface Response {
  description: string;
  headers?: Record<string, { description: string; schema: Schema }>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, Response>;
  /** `[]` for endpoints that need no token. */
  security?: Record<string, string[]>[];
}

export type Method = "get" | "put" | "post" | "delete";
export type PathItem = { parameters?: Parameter[] } & { [M in Method]?: Operation };

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, Response>;
    securitySchemes: Record<string, Schema>;
  };
  security: Record<string, string[]>[];
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({
  "application/json": { schema },
  "application/yaml": { schema },
});
const failure = (
  name: string,
): Response => ({ $ref: `#/components/responses/${name}` } as unknown as Response);
const PUBLIC: Record<string, string[]>[] = [];

const pathParam = (name: string, description: string): Parameter => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});
const NAMESPACE = pathParam("namespace", "The object's namespace.");
const NAME = pathParam("name", "The object's name.");
const DRY_RUN: Parameter = {
  name: "dryRun",
  in: "query",
  description: "`All`: validate, check preconditions and compile, store nothing.",
  schema: { type: "string", enum: ["All"] },
};
const FIELD_VALIDATION: Parameter = {
  name: "fieldValidation",
  in: "query",
  description: "Unknown and duplicated fields, as in Kubernetes: `Strict` (default) refuses them (400, " +
    "strict decoding error), `Warn` drops them with a `Warning` header each, `Ignore` drops them.",
  schema: { type: "string", enum: ["Strict", "Warn", "Ignore"] },
};
const IF_MATCH: Parameter = {
  name: "If-Match",
  in: "header",
  description:
    '`"<resourceVersion>"` (or `*`): write only if the stored object is at that version; 409 otherwise.',
  schema: { type: "string" },
};
const VERSION_HEADER = {
  "X-Wasmroute-Version": { description: "Generation of the current blob.", schema: { type: "integer" } },
};
const OBJECT_BODY = {
  required: true,
  description: "Kubernetes objects as multi-document YAML, a JSON object, a JSON array or a List.",
  content: {
    "application/yaml": { schema: { oneOf: [ref("KubeObject"), ref("List")] } },
    "application/json": {
      schema: { oneOf: [ref("KubeObject"), { type: "array", items: ref("KubeObject") }, ref("List")] },
    },
  },
};
const WRITE_FAILURES = {
  "400": failure("BadRequest"),
  "401": failure("Unauthorized"),
  "403": failure("Forbidden"),
  "409": failure("Conflict"),
  "413": failure("RequestEntityTooLarge"),
  "422": failure("Invalid"),
};
const READ_FAILURES = { "401": failure("Unauthorized"), "403": failure("Forbidden") };

function kindPaths(kind: ResourceKind): Record<string, PathItem> {
  const tag = "objects";
  const base = `/v1/${kind.plural}`;
  const one = kind.namespaced ? `${base}/{namespace}/{name}` : `${base}/{name}`;
  const params = kind.namespaced ? [NAMESPACE, NAME] : [NAME];
  const id = kind.kind;
  return {
    [base]: {
      get: {
        operationId: `list${id}s`,
        summary: `List ${kind.kind}s`,
        description: "Only namespaces the token may read are listed.",
        tags: [tag],
        parameters: kind.namespaced
          ? [{
            name: "namespace",
            in: "query",
            description: "Only this namespace.",
            schema: { type: "string" },
          }]
          : [],
        responses: {
          "200": { description: `A ${kind.kind}List.`, content: json(ref("List")) },
          ...READ_FAILURES,
        },
      },
    },
    [one]: {
      parameters: params,
      get: {
        operationId: `read${id}`,
        summary: `Read one ${kind.kind}`,
        tags: [tag],
        responses: {
          "200": {
            description: `The ${kind.kind}${
              kind.kind === "HTTPRoute" ? ", with the status of the last compile" : ""
            }.`,
            headers: {
              ETag: { description: '`"<resourceVersion>"`, for If-Match.', schema: { type: "string" } },
            },
            content: json(ref("KubeObject")),
          },
          ...READ_FAILURES,
          "404": failure("NotFound"),
        },
      },
      put: {
        operationId: `replace${id}`,
        summary: `Replace one ${kind.kind}`,
        description: "The object must exist. `metadata.resourceVersion` in the body and `If-Match` are " +
          "preconditions: a stale one is a 409 and nothing changes.",
        tags: [tag],
        parameters: [DRY_RUN, FIELD_VALIDATION, IF_MATCH],
        requestBody: OBJECT_BODY,
        responses: {
          "200": {
            description: "The object as stored (or, dry, as it would be).",
            headers: {
              ...VERSION_HEADER,
              "X-Wasmroute-Blob-Sha256": {
                description: "SHA-256 of the (would-be) current blob.",
                schema: { type: "string" },
              },
            },
            content: json(ref("KubeObject")),
          },
          ...WRITE_FAILURES,
          "404": failure("NotFound"),
        },
      },
      delete: {
        operationId: `delete${id}`,
        summary: `Delete one ${kind.kind}`,
        tags: [tag],
        parameters: [DRY_RUN, IF_MATCH],
        responses: {
          "200": { description: "A Success Status.", headers: VERSION_HEADER, content: json(ref("Status")) },
          ...READ_FAILURES,
          "404": failure("NotFound"),
          "409": failure("Conflict"),
        },
      },
    },
  };
}

const WRITE: Operation = {
  operationId: "createOrReplaceResources",
  summary: "Create or replace objects of any kinds, all or nothing",
  description: "HTTPRoutes, Gateways, ReferenceGrants, Services, ServiceImports and Namespaces. " +
    "An object's `metadata.resourceVersion` is a precondition; so is `If-Match` for a one-object body.",
  tags: ["objects"],
  parameters: [DRY_RUN, FIELD_VALIDATION, IF_MATCH],
  requestBody: OBJECT_BODY,
  responses: {
    "200": {
      description: "Replaced (no new object).",
      headers: VERSION_HEADER,
      content: json(ref("WriteResult")),
    },
    "201": {
      description: "At least one object created.",
      headers: VERSION_HEADER,
      content: json(ref("WriteResult")),
    },
    ...WRITE_FAILURES,
  },
};

/** The document; `extraPaths` adds endpoints registered outside this module's knowledge. */
export function openApiDocument(extraPaths: Record<string, PathItem> = {}): OpenApiDocument {
  return {
    openapi: "3.1.0",
    info: {
      title: "wasmroute policy server",
      version: "1",
      description: "Stores Gateway API HTTPRoutes and the objects they refer to, compiles them into one " +
        "versioned rule blob and serves it to the proxy-wasm filter. Errors are Kubernetes `Status` " +
        "objects; every JSON answer comes as YAML with `Accept: application/yaml`.",
    },
    tags: [
      { name: "objects", description: "Kubernetes objects: HTTPRoutes and what they refer to." },
      { name: "blob", description: "The compiled rule blob, its history and the WasmPlugin carrying it." },
      { name: "operations", description: "Health, readiness, metrics and this document." },
    ],
    security: [{ bearer: [] }],
    paths: {
      ...opsPaths(),
      ...objectPaths(),
      ...deliveryPaths(),
      ...blobHistoryPaths(),
      ...wasmPluginPaths(),
      ...extraPaths,
    },
    components: components(),
  };
}

/** `ops_routes.ts` and `docs_routes.ts`: health, readiness, metrics and this document. */
function opsPaths(): Record<string, PathItem> {
  return {
    "/": {
      get: {
        operationId: "root",
        summary: "Leads a browser to the web console",
        tags: ["operations"],
        security: PUBLIC,
        responses: { "302": { description: "`Location: /console`" } },
      },
    },
    "/healthz": {
      get: {
        operationId: "healthz",
        summary: "Liveness",
        tags: ["operations"],
        security: PUBLIC,
        responses: { "200": { description: '`{"status":"ok"}`', content: json({ type: "object" }) } },
      },
    },
    "/readyz": {
      get: {
        operationId: "readyz",
        summary: "Readiness: the store is open and the stored objects were compiled",
        tags: ["operations"],
        security: PUBLIC,
        responses: {
          "200": { description: "Ready.", content: json({ type: "object" }) },
          "503": failure("ServiceUnavailable"),
        },
      },
    },
    "/metrics": {
      get: {
        operationId: "metrics",
        summary: "Prometheus metrics (text exposition format 0.0.4)",
        tags: ["operations"],
        security: PUBLIC,
        responses: {
          "200": { description: "Metrics.", content: { "text/plain": { schema: { type: "string" } } } },
        },
      },
    },
    "/openapi.json": {
      get: {
        operationId: "openapi",
        summary: "This document",
        tags: ["operations"],
        security: PUBLIC,
        responses: { "200": { description: "OpenAPI 3.1.", content: json({ type: "object" }) } },
      },
    },
    "/docs": {
      get: {
        operationId: "docs",
        summary: "Swagger UI for this document (served by the server itself)",
        tags: ["operations"],
        security: PUBLIC,
        responses: {
          "200": { description: "HTML.", content: { "text/html": { schema: { type: "string" } } } },
        },
      },
    },
  };
}

/** `resource_routes.ts`: the objects, every kind under its plural and HTTPRoutes under `/v1/routes`. */
function objectPaths(): Record<string, PathItem> {
  const kinds = Object.values(RESOURCE_KINDS) as ResourceKind[];
  const routesKind = RESOURCE_KINDS.HTTPRoute as ResourceKind;
  const httpRoutes = kindPaths(routesKind);
  const rename = (item: PathItem | undefined, suffix: string): PathItem => {
    const out: PathItem = { ...item };
    for (const m of ["get", "put", "post", "delete"] as Method[]) {
      if (out[m]) out[m] = { ...out[m]!, operationId: `${out[m]!.operationId}${suffix}` };
    }
    return out;
  };
  return {
    "/v1/resources": { post: WRITE },
    "/v1/routes": {
      get: { ...httpRoutes["/v1/httproutes"].get!, operationId: "listRoutes" },
      post: { ...WRITE, operationId: "createOrReplaceRoutes" },
    },
    "/v1/routes/{namespace}": {
      parameters: [NAMESPACE],
      get: { ...httpRoutes["/v1/httproutes"].get!, operationId: "listRoutesInNamespace", parameters: [] },
    },
    "/v1/routes/{namespace}/{name}": rename(httpRoutes["/v1/httproutes/{namespace}/{name}"], "Route"),
    ...Object.assign({}, ...kinds.map(kindPaths)),
  };
}

/** `delivery_routes.ts`: the blob as the filter pulls it, the filter module, the push deliveries. */
function deliveryPaths(): Record<string, PathItem> {
  return {
    "/v1/blob": {
      get: {
        operationId: "readBlob",
        summary: "The current rule blob (what the filter's pull mode fetches)",
        description: "With `?wait=` and a matching `If-None-Match`, the request is held until a new " +
          "generation is committed (then 200) or the wait ends (304).",
        tags: ["blob"],
        parameters: [
          {
            name: "If-None-Match",
            in: "header",
            description: "The ETag last seen.",
            schema: { type: "string" },
          },
          {
            name: "wait",
            in: "query",
            description: "Long-poll: `30s`, `500ms`, `1m` or seconds; at most 60 s.",
            schema: { type: "string" },
          },
          {
            name: "format",
            in: "query",
            description: "`raw` (default): the bytes; `config`: the pluginConfig JSON the filter takes.",
            schema: { type: "string", enum: ["raw", "config"] },
          },
          {
            name: "gateway",
            in: "query",
            description: "With `format=config`: `NAMESPACE/NAME`, that Gateway's scope.",
            schema: { type: "string" },
          },
        ],
        responses: {
          "200": {
            description: "The blob bytes (or pluginConfig JSON); `ETag` is the blob's SHA-256.",
            headers: VERSION_HEADER,
            content: {
              "application/octet-stream": {
                schema: { type: "string", contentMediaType: "application/octet-stream" },
              },
              "application/json": { schema: { type: "object" } },
            },
          },
          "304": { description: "Unchanged since the `If-None-Match` ETag (after the wait, if any)." },
          "400": failure("BadRequest"),
          ...READ_FAILURES,
          "503": failure("ServiceUnavailable"),
        },
      },
    },
    "/v1/blob/sha256/{sha256}": {
      parameters: [{
        name: "sha256",
        in: "path",
        required: true,
        schema: { type: "string", pattern: "^[0-9a-f]{64}$" },
      }],
      get: {
        operationId: "readBlobBySha256",
        summary: "A kept blob version's bytes by their SHA-256 (a blob delivered by URL)",
        description: "What the filter fetches when its pluginConfig names the blob by `blobPath` " +
          "instead of carrying it. The bytes never change: `Cache-Control: immutable`.",
        tags: ["blob"],
        parameters: [{ name: "If-None-Match", in: "header", schema: { type: "string" } }],
        responses: {
          "200": {
            description: "The bytes; `ETag` is their SHA-256.",
            headers: VERSION_HEADER,
            content: {
              "application/octet-stream": {
                schema: { type: "string", contentMediaType: "application/octet-stream" },
              },
            },
          },
          "304": { description: "The `If-None-Match` ETag is this blob's." },
          ...READ_FAILURES,
          "404": failure("NotFound"),
        },
      },
    },
    "/v1/filter.wasm": {
      get: {
        operationId: "readFilterModule",
        summary: "The filter module, for a WasmPlugin `url: http://…/v1/filter.wasm`",
        description: "Needs no token: it is a build artifact, and Istio fetches it without one.",
        tags: ["blob"],
        security: PUBLIC,
        parameters: [{ name: "If-None-Match", in: "header", schema: { type: "string" } }],
        responses: {
          "200": {
            description: "The module; `ETag` and `X-Wasm-Sha256` are its SHA-256.",
            content: {
              "application/wasm": { schema: { type: "string", contentMediaType: "application/wasm" } },
            },
          },
          "304": { description: "Unchanged since the `If-None-Match` ETag." },
          "404": failure("NotFound"),
        },
      },
    },
    "/v1/delivery": {
      get: {
        operationId: "readDeliveryStatus",
        summary: "What the push deliveries are doing: targets, last success and failure",
        tags: ["blob"],
        responses: {
          "200": { description: "Delivery status.", content: json({ type: "object" }) },
          ...READ_FAILURES,
        },
      },
    },
  };
}

/** `blob_history_routes.ts`: kept generations, their objects, diffs and rollbacks. */
function blobHistoryPaths(): Record<string, PathItem> {
  return {
    "/v1/blob/history": {
      get: {
        operationId: "readBlobHistory",
        summary: "Every kept blob version, newest first",
        tags: ["blob"],
        responses: {
          "200": { description: "The history.", content: json(ref("BlobHistory")) },
          ...READ_FAILURES,
        },
      },
    },
    "/v1/blob/{generation}": {
      parameters: [{
        name: "generation",
        in: "path",
        required: true,
        schema: { type: "integer", minimum: 1 },
      }],
      get: {
        operationId: "readBlobGeneration",
        summary: "One kept blob version's bytes",
        tags: ["blob"],
        responses: {
          "200": {
            description: "The bytes; `ETag` is their SHA-256.",
            headers: VERSION_HEADER,
            content: {
              "application/octet-stream": {
                schema: { type: "string", contentMediaType: "application/octet-stream" },
              },
            },
          },
          ...READ_FAILURES,
          "404": failure("NotFound"),
        },
      },
    },
    "/v1/blob/{generation}/objects": {
      parameters: [{
        name: "generation",
        in: "path",
        required: true,
        schema: { type: "integer", minimum: 1 },
      }],
      get: {
        operationId: "readBlobGenerationObjects",
        summary: "The objects a kept blob version was compiled from, as stored then",
        tags: ["blob"],
        responses: {
          "200": { description: "A List.", content: json(ref("List")) },
          ...READ_FAILURES,
          "404": failure("NotFound"),
        },
      },
    },
    "/v1/blob/diff": {
      get: {
        operationId: "diffBlobGenerations",
        summary: "What changed between two kept blob versions, object by object",
        tags: ["blob"],
        parameters: ["from", "to"].map((name) => ({
          name,
          in: "query" as const,
          required: true,
          schema: { type: "integer", minimum: 1 },
        })),
        responses: {
          "200": {
            description: "`objects[]`: kind, namespace, name, `change` (changed, added, removed), the " +
              "specs before and after.",
            content: json({ type: "object" }),
          },
          ...READ_FAILURES,
          "404": failure("NotFound"),
        },
      },
    },
    "/v1/blob/rollback": {
      post: {
        operationId: "rollbackBlob",
        summary: "Make a kept generation's rules current again, as a new generation, with its objects",
        description: "The objects the generation was compiled from are restored in the same write " +
          "(each with a new resourceVersion); the answer lists them, `objects[].action` one of " +
          "`restored`, `recreated`, `deleted`. A generation from before object history rolls back " +
          "only its blob (`objectsRecorded: false`). Operator role and " +
          'namespaces ["*"].',
        tags: ["blob"],
        parameters: [DRY_RUN],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["generation"],
                properties: { generation: { type: "integer", minimum: 1 } },
              },
            },
          },
        },
        responses: {
          "200": {
            description: "The new blob version.",
            headers: VERSION_HEADER,
            content: json(ref("BlobInfo")),
          },
          "400": failure("BadRequest"),
          ...READ_FAILURES,
          "404": failure("NotFound"),
          "409": failure("Conflict"),
        },
      },
    },
  };
}

/** `wasmplugin_routes.ts`: the WasmPlugin that carries the blob. */
function wasmPluginPaths(): Record<string, PathItem> {
  return {
    "/v1/wasmplugin": {
      get: {
        operationId: "readWasmPlugin",
        summary: "The Istio WasmPlugin carrying the current blob",
        tags: ["blob"],
        parameters: [
          { name: "format", in: "query", schema: { type: "string", enum: ["yaml", "json"] } },
          {
            name: "gateway",
            in: "query",
            description: "`NAMESPACE/NAME`: the flavour that serves only that Gateway's routes.",
            schema: { type: "string" },
          },
        ],
        responses: {
          "200": {
            description: "The WasmPlugin (YAML by default).",
            headers: VERSION_HEADER,
            content: json({ type: "object" }),
          },
          "400": failure("BadRequest"),
          ...READ_FAILURES,
          "503": failure("ServiceUnavailable"),
        },
      },
    },
  };
}

/** Security schemes, schemas and shared responses. */
function components(): OpenApiDocument["components"] {
  return {
    securitySchemes: {
      bearer: {
        type: "http",
        scheme: "bearer",
        description: "A token from `--tokens-file` or `WASMROUTE_TOKENS`; none when the server runs open.",
      },
    },
    schemas: {
      KubeObject: {
        type: "object",
        required: ["apiVersion", "kind", "metadata"],
        properties: {
          apiVersion: { type: "string" },
          kind: { type: "string", enum: Object.keys(RESOURCE_KINDS) },
          metadata: {
            type: "object",
            required: ["name"],
            properties: {
              name: { type: "string" },
              namespace: { type: "string" },
              resourceVersion: {
                type: "string",
                description: "Set by the server; a precondition when written.",
              },
              generation: { type: "integer" },
              uid: { type: "string" },
              creationTimestamp: { type: "string", format: "date-time" },
              labels: { type: "object", additionalProperties: { type: "string" } },
              annotations: { type: "object", additionalProperties: { type: "string" } },
            },
          },
          spec: { type: "object" },
          status: { type: "object" },
        },
      },
      List: {
        type: "object",
        required: ["apiVersion", "kind", "items"],
        properties: {
          apiVersion: { type: "string" },
          kind: { type: "string" },
          metadata: { type: "object" },
          items: { type: "array", items: ref("KubeObject") },
        },
      },
      WriteResult: {
        allOf: [ref("List"), {
          type: "object",
          properties: {
            blob: {
              type: "object",
              properties: {
                generation: { type: "integer" },
                sha256: { type: "string" },
                size: { type: "integer" },
                changed: { type: "boolean" },
              },
            },
            dryRun: { type: "boolean" },
          },
        }],
      },
      BlobInfo: {
        type: "object",
        required: ["generation", "sha256", "size", "createdAt", "createdBy"],
        properties: {
          generation: { type: "integer" },
          sha256: { type: "string" },
          size: { type: "integer" },
          createdAt: { type: "string", format: "date-time" },
          createdBy: {
            type: "string",
            description: 'The token\'s name; "anonymous" on an open server; "system" at start-up.',
          },
          rollbackOf: {
            type: "integer",
            description: "Set on a rollback: the generation whose rules it restored.",
          },
          resourceVersion: {
            type: "string",
            description: "The objects it was compiled from are stored at this resourceVersion.",
          },
        },
      },
      BlobHistory: {
        type: "object",
        properties: {
          kind: { const: "BlobHistory" },
          apiVersion: { type: "string" },
          current: { type: ["integer", "null"] },
          items: { type: "array", items: ref("BlobInfo") },
        },
      },
      Status: {
        type: "object",
        description: "A Kubernetes Status.",
        required: ["kind", "apiVersion", "status"],
        properties: {
          kind: { const: "Status" },
          apiVersion: { const: "v1" },
          status: { type: "string", enum: ["Success", "Failure"] },
          message: { type: "string" },
          reason: { type: "string" },
          code: { type: "integer" },
          details: {
            type: "object",
            properties: {
              name: { type: "string" },
              kind: { type: "string" },
              causes: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    field: { type: "string" },
                    reason: { type: "string" },
                    message: { type: "string" },
                  },
                },
              },
            },
          },
        },
      },
    },
    responses: Object.fromEntries(
      [
        ["BadRequest", "Unreadable request, or an unsupported kind (400)."],
        ["Unauthorized", "No valid bearer token (401)."],
        ["Forbidden", "The token may not do this (403)."],
        ["NotFound", "No such object or blob generation (404)."],
        ["Conflict", "A stale resourceVersion or If-Match, or a concurrent write (409)."],
        ["RequestEntityTooLarge", "Body or write too large (413)."],
        ["Invalid", "Invalid fields, each cause naming its path (422)."],
        ["ServiceUnavailable", "Not ready: no blob compiled yet (503)."],
      ].map(([name, description]) => [name, { description, content: json(ref("Status")) }]),
    ),
  };
}
