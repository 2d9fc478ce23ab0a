/**
 * The policy server's HTTP API (Hono). Errors of every kind leave through `onError` as Kubernetes
 * `Status` bodies.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { blobHistoryRoutes } from "./api/blob_history_routes.ts";
import { docsRoutes } from "./api/docs_routes.ts";
import { hardenedHeaders } from "./api/hardened_headers.ts";
import { dryRunOf } from "./api/dry_run.ts";
import type { PathItem } from "./api/openapi_document.ts";
import { opsRoutes } from "./api/ops_routes.ts";
import { requestLog } from "./api/request_log.ts";
import { yamlResponses } from "./api/yaml_responses.ts";
import { bodyMediaType, decodeBodyText, readBodyText, requestBudget } from "./budget/mod.ts";
import type { RequestBudgetOptions } from "./budget/mod.ts";
import { compile } from "./compile/mod.ts";
import { registerConsole } from "./console/mod.tsx";
import { Publisher } from "./delivery/publisher.ts";
import type { CompileFn, Published } from "./delivery/publisher.ts";
import { pluginToYaml, renderPlugin } from "./delivery/render_plugin.ts";
import type { WasmPluginOptions } from "./delivery/render_wasmplugin.ts";
import type { DeliveryRouteOptions } from "./delivery/delivery_service.ts";
import { registerDeliveryRoutes } from "./delivery/routes.ts";
import { createServerMetrics } from "./metrics.ts";
import type { ServerMetrics } from "./metrics.ts";
import { admitResources } from "./model/admit_resources.ts";
import { failureStatus, StatusError } from "./model/kube_status.ts";
import { fieldValidationOf } from "./model/decode_resources.ts";
import { ResourceError } from "./model/resource_error.ts";
import { DEFAULT_NAMESPACE, objectName, RESOURCE_KINDS, resourceKind } from "./model/resource_kinds.ts";
import type { ResourceKind } from "./model/resource_kinds.ts";
import type { KubeObject, RouteParentStatus, StoredObject } from "./model/types.ts";
import { AuthError, bearerAuth, principalOf, requireAccess } from "./security/bearer_auth.ts";
import { inScope } from "./security/principal.ts";
import { sameOrigin } from "./security/same_origin.ts";
import type { SessionStore } from "./security/session_store.ts";
import type { SameOriginOptions } from "./security/same_origin.ts";
import type { TokenVerifier } from "./security/token_verifier.ts";
import { resourceName } from "./store/check_preconditions.ts";
import type { Precondition } from "./store/check_preconditions.ts";
import { assertFewEnough, assertMayFit, StoreConflictError, StoreLimitError } from "./store/kv_batch.ts";
import { keyOf } from "./store/store.ts";
import type { ObjectKey, Store } from "./store/store.ts";

export interface AppDeps {
  store: Store;
  /** The compiler; the real one unless a test says otherwise. */
  compile?: CompileFn;
  /** Share one publisher with the caller (e.g. to await `ready()` before serving). */
  publisher?: Publisher;
  /** How the WasmPlugin is rendered. */
  plugin?: WasmPluginOptions;
  /** Largest accepted request body (default 1 MiB); shorthand for `budget.maxBodyBytes`. */
  maxBodyBytes?: number;
  /** Size, time and concurrency bounds of request bodies (`budget/request_budget.ts`). */
  budget?: Partial<RequestBudgetOptions>;
  /**
   * Which `Host` values are answered: by default `"loopback"` when the API runs open (no tokens),
   * so a DNS-rebinding page cannot reach it, and `"any"` with tokens.
   */
  hosts?: SameOriginOptions["hosts"];
  /**
   * Attach routes to Gateway parents with their listeners unchecked while no Gateway is stored
   * (`--trust-unseen-gateways`); by default such a route is not Accepted.
   */
  trustUnseenGateways?: boolean;
  /** `GET /v1/blob?wait=` requests held at once (default 1,000); more are answered 429. */
  maxLongPolls?: number;
  /** The console's login sessions; a new in-memory store by default. */
  sessions?: SessionStore;
  /** Receives one structured entry per request and notable event; default: a JSON line on stderr. */
  log?: (entry: Record<string, unknown>) => void;
  /** Where the server's series are counted (`GET /metrics`); a new registry by default. */
  metrics?: ServerMetrics;
  /** The configured API tokens; absent, the API is open (every caller is `anonymous`). */
  tokens?: TokenVerifier;
  /** OpenAPI descriptions of endpoints registered outside this file, for `/openapi.json`. */
  openApiPaths?: Record<string, PathItem>;
  /** The running push deliveries (`startDelivery`): their blob feed, filter module and status. */
  delivery?: DeliveryRouteOptions;
}

const VERSION_HEADER = "X-Wasmroute-Version";

/**
 * API paths whose handlers authorise per object (kind and namespace). Every other `/v1` path —
 * the blob, its history, the WasmPlugin, and whatever is added later — is made of every
 * namespace's objects and needs a token for all namespaces (`readAll`, `writeAll`).
 */
/** `/v1` paths that need no token: the filter module is a build artifact, and Istio fetches a
 * WasmPlugin's `http` url without one. */
const PUBLIC_PATHS = new Set(["/v1/filter.wasm"]);
const OBJECT_PATHS = new RegExp(
  `^/v1/(resources|routes|${Object.values(RESOURCE_KINDS).map((k) => k.plural).join("|")})(/|$)`,
);

/**
 * Builds the HTTP app:
 * - `GET /healthz`, `GET /readyz`, `GET /metrics`, `GET /openapi.json`, `GET /docs` (no token);
 *   `GET /` redirects to `/console`
 * - `POST /v1/resources` (and `POST /v1/routes`, the same): any mix of HTTPRoutes, Gateways,
 *   ReferenceGrants, Services, ServiceImports and Namespaces as YAML (multi-document) or JSON; all
 *   stored or none, then everything is recompiled
 * - per kind, `{plural}` one of `httproutes`, `gateways`, `referencegrants`, `services`,
 *   `serviceimports`, `namespaces`: `GET /v1/{plural}` (`?namespace=` to narrow),
 *   `GET`, `PUT` and `DELETE /v1/{plural}/:namespace/:name` (`/v1/namespaces/:name` for Namespaces)
 * - `/v1/routes`, `/v1/routes/:namespace`, `/v1/routes/:namespace/:name`: the HTTPRoute endpoints
 *   under their first name
 * - `GET /v1/blob`: the rule blob, with `ETag` and `If-None-Match`
 * - `GET /v1/blob/history`, `GET /v1/blob/:generation`, `POST /v1/blob/rollback`
 * - `GET /v1/wasmplugin`: the Istio WasmPlugin, YAML (default) or JSON; `?gateway=NS/NAME` for the
 *   flavour that serves only that Gateway's routes
 *
 * Writes follow Kubernetes' conventions: `metadata.resourceVersion` in a body and `If-Match` are
 * preconditions (a stale one is a 409 and nothing changes), `?dryRun=All` stores nothing, and
 * every JSON answer comes as YAML with `Accept: application/yaml`. With tokens configured every
 * `/v1` call needs `Authorization: Bearer`; see `security/principal.ts` for who may do what.
 *
 * HTTPRoutes are served with the status of the last compile. Admission warnings (e.g. a TCP listener
 * wasmroute will not route) come back as `Warning` headers, as the Kubernetes API server sends them.
 */
export function createApp(deps: AppDeps): Hono {
  const { store } = deps;
  const metrics = deps.metrics ?? createServerMetrics();
  const compileFn = deps.compile ?? compile;
  // A Gateway parent is known by being stored, unless the server was told to trust unseen ones.
  const unseenGateways = deps.trustUnseenGateways ? "trust" : "refuse";
  const publisher = deps.publisher ??
    new Publisher(
      store,
      (objects, options) =>
        metrics.compileDuration.time(() => compileFn(objects, { unseenGateways, ...options })),
    );
  const log = deps.log ??
    ((entry) => console.error(JSON.stringify({ time: new Date().toISOString(), ...entry })));
  const app = new Hono();

  app.use("*", requestLog({ log, metrics }));
  // Before anything that may refuse or parse: every answer is hardened, every request checked for
  // where it comes from, and every body bounded in size, time and concurrency.
  app.use("*", hardenedHeaders());
  app.use("*", sameOrigin({ hosts: deps.hosts ?? (deps.tokens ? "any" : "loopback") }));
  app.use(
    "*",
    requestBudget({ ...deps.budget, ...(deps.maxBodyBytes && { maxBodyBytes: deps.maxBodyBytes }) }),
  );
  app.use("*", yamlResponses());

  app.onError((error, c) => {
    const status = toStatus(error);
    if (error instanceof ResourceError) metrics.validationFailures.inc({ reason: error.reason });
    if (error instanceof AuthError) {
      metrics.authFailures.inc({ reason: error.status === 401 ? "unauthenticated" : "forbidden" });
      if (error.status === 401) c.header("WWW-Authenticate", 'Bearer realm="wasmroute"');
    }
    if (status.code >= 500) {
      log({
        level: "error",
        msg: "request failed",
        method: c.req.method,
        path: c.req.path,
        error: String(error?.stack ?? error),
      });
    }
    return c.json(status, status.code as HTTPException["status"]);
  });
  app.notFound((c) => c.json(failureStatus(404, `${c.req.method} ${c.req.path} is not served`), 404));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  // A browser pointed at the server lands on the console (which asks for a token where needed).
  app.get("/", (c) => c.redirect("/console", 302));
  opsRoutes(app, { store, publisher, metrics });
  docsRoutes(app, { extraPaths: deps.openApiPaths });

  const bearer = bearerAuth({ verifier: deps.tokens });
  app.use("/v1/*", (c, next) => PUBLIC_PATHS.has(c.req.path) ? next() : bearer(c, next));
  app.use("/v1/*", async (c, next) => {
    if (!OBJECT_PATHS.test(c.req.path) && !PUBLIC_PATHS.has(c.req.path)) {
      requireAccess(c, { verb: c.req.method === "GET" || c.req.method === "HEAD" ? "readAll" : "writeAll" });
    }
    await next();
  });
  // A write's body is JSON or YAML (415 otherwise), judged by its Content-Type before it is read.
  app.use("/v1/*", bodyMediaType());
  // Every API call sees the stored objects compiled at least once by this process.
  app.use("/v1/*", async (_c, next) => {
    await publisher.ready();
    await next();
  });

  type Statuses = ReadonlyMap<string, RouteParentStatus[]>;
  /** An HTTPRoute with the status of the last compile (or of a dry run's, when given). */
  const withStatus = (obj: StoredObject, statuses?: Statuses): StoredObject => {
    if (obj.kind !== "HTTPRoute") return obj;
    const parents = statuses?.get(`${obj.metadata.namespace}/${obj.metadata.name}`);
    const status = parents ? { parents } : publisher.statusOf(obj.metadata);
    return status ? { ...obj, status } : obj;
  };
  /** A typed list (`GatewayList`) for one kind, Kubernetes' generic `List` for a mix. */
  const listOf = (items: StoredObject[], kind?: ResourceKind, statuses?: Statuses) => ({
    apiVersion: kind?.apiVersion ?? "v1",
    kind: kind ? `${kind.kind}List` : "List",
    metadata: {},
    items: items.map((o) => withStatus(o, statuses)),
  });
  const published = (c: Context, result: Published) => {
    if (result.dryRun) {
      c.header("X-Wasmroute-Dry-Run", "All");
    } else if (result.blobChanged) {
      log({
        level: "info",
        msg: "blob published",
        generation: result.blob.generation,
        sha256: result.blob.sha256,
        size: result.blob.size,
        createdBy: result.blob.createdBy,
      });
      metrics.blobBytes.set(result.blob.size);
      metrics.blobGeneration.set(result.blob.generation);
    }
    c.header(VERSION_HEADER, String(result.blob.generation));
    c.header("X-Wasmroute-Blob-Sha256", result.blob.sha256);
    c.header("X-Wasmroute-Blob-Changed", String(result.blobChanged));
  };
  const blobOf = ({ blob, blobChanged }: Published) => ({
    generation: blob.generation,
    sha256: blob.sha256,
    size: blob.size,
    changed: blobChanged,
  });
  /** The namespace an object's access is judged by: a Namespace's own name. */
  const scopeOf = (k: ObjectKey) => k.kind === "Namespace" ? k.name : k.namespace;
  const authorizeWrite = (c: Context, keys: ObjectKey[]) => {
    for (const key of keys) {
      requireAccess(c, { verb: "write", kind: key.kind, namespace: scopeOf(key) }, resourceName(key));
    }
  };
  /**
   * Authorises the objects of a body as written, before validation judges them, as the API server
   * authorises before admission: a caller out of scope learns nothing about the objects' validity.
   * Objects too malformed to place are left to validation (and authorised again once admitted).
   */
  const authorizeParsed = (c: Context, objects: KubeObject[]) => {
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
  };

  const create = async (c: Context) => {
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
    const result = await publisher.apply(
      { put: objects, preconditions },
      { dryRun, actor: principalOf(c).name },
    );
    published(c, result);
    for (const warning of warnings) c.header("Warning", warningHeader(warning), { append: true });
    const kinds = new Set(result.objects.map((o) => o.kind));
    const kind = kinds.size === 1 ? RESOURCE_KINDS[[...kinds][0]] as ResourceKind : undefined;
    return c.json(
      { ...listOf(result.objects, kind, result.statuses), blob: blobOf(result), ...(dryRun && { dryRun }) },
      result.created > 0 ? 201 : 200,
    );
  };
  app.post("/v1/resources", create);
  app.post("/v1/routes", create);

  /** One kind's objects the caller may read: a token for some namespaces lists only those. */
  const list = async (c: Context, kind: ResourceKind, namespace: string | undefined) => {
    if (namespace !== undefined && !kind.namespaced) {
      throw new HTTPException(400, { message: `${kind.kind} is cluster-scoped: ?namespace= does not apply` });
    }
    if (namespace !== undefined) requireAccess(c, { verb: "read", kind: kind.kind, namespace });
    const principal = principalOf(c);
    const items = (await store.list(kind.kind, namespace))
      .filter((o) => inScope(principal, scopeOf(keyOf(o))));
    return listOf(items, kind);
  };
  const getOne = async (c: Context, kind: ResourceKind, namespace: string, name: string) => {
    const key = { kind: kind.kind, namespace, name };
    requireAccess(c, { verb: "read", kind: kind.kind, namespace: scopeOf(key) }, resourceName(key));
    const obj = await store.get(kind.kind, namespace, name);
    if (!obj) throw notFound(kind, namespace, name);
    if (obj.metadata.resourceVersion) c.header("ETag", `"${obj.metadata.resourceVersion}"`);
    return c.json(withStatus(obj));
  };
  const deleteOne = async (c: Context, kind: ResourceKind, namespace: string, name: string) => {
    const dryRun = dryRunOf(c);
    const key: ObjectKey = { kind: kind.kind, namespace, name };
    authorizeWrite(c, [key]);
    const ifMatch = ifMatchOf(c);
    const result = await publisher.apply(
      { delete: [key], preconditions: ifMatch ? [{ key, ...ifMatch }] : [] },
      { dryRun, actor: principalOf(c).name },
    );
    if (result.deleted.length === 0) throw notFound(kind, namespace, name);
    published(c, result);
    return c.json({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, group: kind.group, kind: kind.plural },
    });
  };
  /**
   * `PUT`: replaces one existing object with the body, which must be of the path's kind and name
   * (its namespace defaults to the path's). 404 if there is none; the body's resourceVersion and
   * `If-Match` are preconditions. Answers with the object as stored, blob in the headers.
   */
  const replace = async (c: Context, kind: ResourceKind, namespace: string, name: string) => {
    authorizeWrite(c, [{ kind: kind.kind, namespace, name }]);
    const dryRun = dryRunOf(c);
    const ifMatch = ifMatchOf(c);
    const warnings: string[] = [];
    const parsed = await decodeBody(c, await readBodyText(c), warnings);
    if (parsed.length !== 1) {
      throw ResourceError.badRequest(`PUT takes exactly one object; the body holds ${parsed.length}`);
    }
    const body = parsed[0];
    if (body.kind !== kind.kind) {
      throw ResourceError.badRequest(`${c.req.path} takes a ${kind.kind}, not a ${body.kind}`, 0, "kind");
    }
    if (body.metadata === undefined) body.metadata = { name };
    if (isPlainObject(body.metadata)) {
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
    }
    const [obj] = admitResources([body], { warn: (w) => warnings.push(w) });
    const key = keyOf(obj);
    authorizeWrite(c, [key]);
    const preconditions: Precondition[] = [{ key, mustExist: true }];
    const resourceVersion = clientResourceVersion(body);
    if (resourceVersion !== undefined) preconditions.push({ key, resourceVersion });
    if (ifMatch) preconditions.push({ key, ...ifMatch });
    const result = await publisher.apply(
      { put: [obj], preconditions },
      { dryRun, actor: principalOf(c).name },
    );
    published(c, result);
    for (const warning of warnings) c.header("Warning", warningHeader(warning), { append: true });
    return c.json(withStatus(result.objects[0], result.statuses));
  };

  /** Namespace and name from the path; cluster-scoped objects are stored under namespace "". */
  const target = (c: Context, kind: ResourceKind) => ({
    namespace: kind.namespaced ? c.req.param("namespace")! : "",
    name: c.req.param("name")!,
  });
  for (const kind of Object.values(RESOURCE_KINDS) as ResourceKind[]) {
    const base = `/v1/${kind.plural}`;
    const one = kind.namespaced ? `${base}/:namespace/:name` : `${base}/:name`;
    app.get(base, async (c) => c.json(await list(c, kind, c.req.query("namespace"))));
    app.get(one, (c) => {
      const { namespace, name } = target(c, kind);
      return getOne(c, kind, namespace, name);
    });
    app.put(one, (c) => {
      const { namespace, name } = target(c, kind);
      return replace(c, kind, namespace, name);
    });
    app.delete(one, (c) => {
      const { namespace, name } = target(c, kind);
      return deleteOne(c, kind, namespace, name);
    });
  }

  // The HTTPRoute endpoints' first name, which the README and existing clients use.
  const routes = RESOURCE_KINDS.HTTPRoute as ResourceKind;
  app.get("/v1/routes", async (c) => c.json(await list(c, routes, c.req.query("namespace"))));
  app.get("/v1/routes/:namespace", async (c) => c.json(await list(c, routes, c.req.param("namespace"))));
  app.get("/v1/routes/:namespace/:name", (c) => {
    const { namespace, name } = c.req.param();
    return getOne(c, routes, namespace, name);
  });
  app.put("/v1/routes/:namespace/:name", (c) => {
    const { namespace, name } = c.req.param();
    return replace(c, routes, namespace, name);
  });
  app.delete("/v1/routes/:namespace/:name", (c) => {
    const { namespace, name } = c.req.param();
    return deleteOne(c, routes, namespace, name);
  });

  blobHistoryRoutes(app, {
    store,
    publisher,
    onRollback: (blob) => {
      const { generation, rollbackOf, createdBy } = blob;
      log({ level: "info", msg: "blob rolled back", generation, rollbackOf, createdBy });
      metrics.blobBytes.set(blob.size);
      metrics.blobGeneration.set(blob.generation);
    },
  });

  // GET /v1/blob (ETag, long-poll ?wait=, ?format=config), GET /v1/filter.wasm, GET /v1/delivery.
  registerDeliveryRoutes(app, {
    store,
    plugin: deps.plugin,
    delivery: deps.delivery,
    maxWaiting: deps.maxLongPolls,
  });

  app.get("/v1/wasmplugin", async (c) => {
    const format = c.req.query("format") ??
      (c.req.header("Accept")?.includes("application/json") ? "json" : "yaml");
    if (format !== "json" && format !== "yaml") {
      throw new HTTPException(400, { message: `format "${format}" is not supported (json or yaml)` });
    }
    const blob = await store.currentBlob();
    if (!blob) throw new HTTPException(503, { message: "no blob has been compiled yet" });
    // ?gateway=NS/NAME renders the gateway flavour: beside the Gateway, serving only its routes.
    const gateway = c.req.query("gateway");
    if (
      gateway !== undefined &&
      !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(gateway)
    ) {
      throw new HTTPException(400, { message: `gateway "${gateway}" must be NAMESPACE/NAME` });
    }
    const plugin = renderPlugin(
      blob,
      gateway
        ? { ...deps.plugin, namespace: gateway.split("/")[0], scope: `gateway:${gateway}` }
        : deps.plugin,
    );
    c.header(VERSION_HEADER, String(blob.generation));
    if (format === "json") return c.json(plugin);
    c.header("Content-Type", "application/yaml; charset=utf-8");
    return c.body(pluginToYaml(plugin));
  });

  registerConsole(app, deps);
  return app;
}

/** A write's body as objects, under the request's `?fieldValidation=` (warnings to `warnings`). */
function decodeBody(c: Context, text: string, warnings: string[]): Promise<KubeObject[]> {
  // readBodyText has made sure the Content-Type is JSON or YAML; a large YAML body decodes off the loop.
  return decodeBodyText(text, c.req.header("Content-Type")!, {
    fieldValidation: fieldValidationOf(c.req.query("fieldValidation")),
    warn: (w) => warnings.push(w),
  });
}

function notFound(kind: ResourceKind, namespace: string, name: string): HTTPException {
  return new HTTPException(404, {
    message: `${kind.kind} "${objectName(kind.kind, namespace, name)}" not found`,
  });
}

/**
 * An RFC 7234 `Warning` value as Kubernetes writes it (`299 - "text"`); header values are bytes, so
 * anything outside printable ASCII is replaced.
 */
function warningHeader(text: string): string {
  const safe = text.replace(/[^\x20-\x7e]/g, "?").replace(/["\\]/g, "\\$&");
  return `299 - "${safe}"`;
}

/** One place that turns any error into a Kubernetes `Status`. */
function toStatus(error: unknown) {
  if (error instanceof ResourceError) {
    return failureStatus(error.status, error.message, error.causes, error.reason);
  }
  if (error instanceof StatusError) return failureStatus(error.status, error.message);
  if (error instanceof StoreLimitError) return failureStatus(413, error.message);
  if (error instanceof StoreConflictError) return failureStatus(409, error.message);
  if (error instanceof HTTPException) {
    return failureStatus(error.status, error.message || `HTTP ${error.status}`);
  }
  return failureStatus(500, "internal error; see the server log");
}

/**
 * `If-Match` as a precondition: `*` (the object must exist) or one entity tag, the
 * `resourceVersion` a `GET` answered with in its `ETag`.
 */
function ifMatchOf(c: Context): Omit<Precondition, "key"> | undefined {
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
function clientResourceVersion(obj: KubeObject): string | undefined {
  const rv = isPlainObject(obj.metadata) ? obj.metadata.resourceVersion : undefined;
  if (rv === undefined || rv === null || rv === "") return undefined;
  if (typeof rv !== "string" && typeof rv !== "number") {
    throw new ResourceError(422, "metadata.resourceVersion must be a string", [
      { field: "metadata.resourceVersion", reason: "FieldValueTypeInvalid", message: "must be a string" },
    ]);
  }
  return String(rv);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
