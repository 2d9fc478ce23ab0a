/**
 * The policy server's HTTP API (Hono). Errors of every kind leave through `onError` as Kubernetes
 * `Status` bodies.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { compile } from "./compile/mod.ts";
import { Publisher } from "./delivery/publisher.ts";
import type { CompileFn, Published } from "./delivery/publisher.ts";
import { renderWasmPlugin, wasmPluginToYaml } from "./delivery/render_wasmplugin.ts";
import type { WasmPluginOptions } from "./delivery/render_wasmplugin.ts";
import { admitResources } from "./model/admit_resources.ts";
import { failureStatus } from "./model/kube_status.ts";
import { parseResources } from "./model/parse_resources.ts";
import { ResourceError } from "./model/resource_error.ts";
import { objectName, RESOURCE_KINDS } from "./model/resource_kinds.ts";
import type { ResourceKind } from "./model/resource_kinds.ts";
import type { StoredObject } from "./model/types.ts";
import { StoreConflictError, StoreLimitError } from "./store/kv_batch.ts";
import type { Store } from "./store/store.ts";

export interface AppDeps {
  store: Store;
  /** The compiler; the real one unless a test says otherwise. */
  compile?: CompileFn;
  /** Share one publisher with the caller (e.g. to await `ready()` before serving). */
  publisher?: Publisher;
  /** How the WasmPlugin is rendered. */
  plugin?: WasmPluginOptions;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Receives one structured entry per notable event; default: a JSON line on stderr. */
  log?: (entry: Record<string, unknown>) => void;
}

const VERSION_HEADER = "X-Wasmroute-Version";

/**
 * Builds the HTTP app:
 * - `GET /healthz`
 * - `POST /v1/resources` (and `POST /v1/routes`, the same): any mix of HTTPRoutes, Gateways,
 *   ReferenceGrants, Services, ServiceImports and Namespaces as YAML (multi-document) or JSON; all
 *   stored or none, then everything is recompiled
 * - per kind, `{plural}` one of `httproutes`, `gateways`, `referencegrants`, `services`,
 *   `serviceimports`, `namespaces`: `GET /v1/{plural}` (`?namespace=` to narrow),
 *   `GET` and `DELETE /v1/{plural}/:namespace/:name` (`/v1/namespaces/:name` for Namespaces)
 * - `/v1/routes`, `/v1/routes/:namespace`, `/v1/routes/:namespace/:name`: the HTTPRoute endpoints
 *   under their first name
 * - `GET /v1/blob`: the rule blob, with `ETag` and `If-None-Match`
 * - `GET /v1/wasmplugin`: the Istio WasmPlugin, YAML (default) or JSON; `?gateway=NS/NAME` for the
 *   flavour that serves only that Gateway's routes
 *
 * HTTPRoutes are served with the status of the last compile. Admission warnings (e.g. a TCP listener
 * wasmroute will not route) come back as `Warning` headers, as the Kubernetes API server sends them.
 */
export function createApp(deps: AppDeps): Hono {
  const { store } = deps;
  const publisher = deps.publisher ?? new Publisher(store, deps.compile ?? compile);
  const log = deps.log ??
    ((entry) => console.error(JSON.stringify({ time: new Date().toISOString(), ...entry })));
  const app = new Hono();

  app.onError((error, c) => {
    const status = toStatus(error);
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

  // Every API call sees the stored objects compiled at least once by this process.
  app.use("/v1/*", async (_c, next) => {
    await publisher.ready();
    await next();
  });

  const withStatus = (obj: StoredObject): StoredObject => {
    if (obj.kind !== "HTTPRoute") return obj;
    const status = publisher.statusOf(obj.metadata);
    return status ? { ...obj, status } : obj;
  };
  /** A typed list (`GatewayList`) for one kind, Kubernetes' generic `List` for a mix. */
  const listOf = (items: StoredObject[], kind?: ResourceKind) => ({
    apiVersion: kind?.apiVersion ?? "v1",
    kind: kind ? `${kind.kind}List` : "List",
    metadata: {},
    items: items.map(withStatus),
  });
  const published = (c: Context, result: Published) => {
    if (result.blobChanged) {
      log({
        level: "info",
        msg: "blob published",
        generation: result.blob.generation,
        sha256: result.blob.sha256,
        size: result.blob.size,
      });
    }
    c.header(VERSION_HEADER, String(result.blob.generation));
  };

  const maxSize = deps.maxBodyBytes ?? 1 << 20;
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new HTTPException(413, { message: `the request body is larger than ${maxSize} bytes` });
    },
  });

  const create = async (c: Context) => {
    const warnings: string[] = [];
    const objects = admitResources(
      parseResources(await c.req.text(), c.req.header("Content-Type")),
      { warn: (w) => warnings.push(w) },
    );
    const result = await publisher.apply({ put: objects });
    published(c, result);
    for (const warning of warnings) c.header("Warning", warningHeader(warning), { append: true });
    const kinds = new Set(result.objects.map((o) => o.kind));
    const kind = kinds.size === 1 ? RESOURCE_KINDS[[...kinds][0]] as ResourceKind : undefined;
    const { generation, sha256, size } = result.blob;
    return c.json(
      { ...listOf(result.objects, kind), blob: { generation, sha256, size, changed: result.blobChanged } },
      result.created > 0 ? 201 : 200,
    );
  };
  app.post("/v1/resources", limit, create);
  app.post("/v1/routes", limit, create);

  const list = async (kind: ResourceKind, namespace: string | undefined) => {
    if (namespace !== undefined && !kind.namespaced) {
      throw new HTTPException(400, { message: `${kind.kind} is cluster-scoped: ?namespace= does not apply` });
    }
    return listOf(await store.list(kind.kind, namespace), kind);
  };
  const getOne = async (kind: ResourceKind, namespace: string, name: string) => {
    const obj = await store.get(kind.kind, namespace, name);
    if (!obj) throw notFound(kind, namespace, name);
    return withStatus(obj);
  };
  const deleteOne = async (c: Context, kind: ResourceKind, namespace: string, name: string) => {
    const result = await publisher.apply({ delete: [{ kind: kind.kind, namespace, name }] });
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

  /** Namespace and name from the path; cluster-scoped objects are stored under namespace "". */
  const target = (c: Context, kind: ResourceKind) => ({
    namespace: kind.namespaced ? c.req.param("namespace")! : "",
    name: c.req.param("name")!,
  });
  for (const kind of Object.values(RESOURCE_KINDS) as ResourceKind[]) {
    const base = `/v1/${kind.plural}`;
    const one = kind.namespaced ? `${base}/:namespace/:name` : `${base}/:name`;
    app.get(base, async (c) => c.json(await list(kind, c.req.query("namespace"))));
    app.get(one, async (c) => {
      const { namespace, name } = target(c, kind);
      return c.json(await getOne(kind, namespace, name));
    });
    app.delete(one, (c) => {
      const { namespace, name } = target(c, kind);
      return deleteOne(c, kind, namespace, name);
    });
  }

  // The HTTPRoute endpoints' first name, which the README and existing clients use.
  const routes = RESOURCE_KINDS.HTTPRoute as ResourceKind;
  app.get("/v1/routes", async (c) => c.json(await list(routes, c.req.query("namespace"))));
  app.get("/v1/routes/:namespace", async (c) => c.json(await list(routes, c.req.param("namespace"))));
  app.get("/v1/routes/:namespace/:name", async (c) => {
    const { namespace, name } = c.req.param();
    return c.json(await getOne(routes, namespace, name));
  });
  app.delete("/v1/routes/:namespace/:name", (c) => {
    const { namespace, name } = c.req.param();
    return deleteOne(c, routes, namespace, name);
  });

  app.get("/v1/blob", async (c) => {
    const meta = await store.blobMeta();
    if (!meta) throw new HTTPException(503, { message: "no blob has been compiled yet" });
    c.header("ETag", `"${meta.sha256}"`);
    c.header(VERSION_HEADER, String(meta.generation));
    // Filters and tools poll: let caches keep the bytes but always ask first.
    c.header("Cache-Control", "no-cache");
    if (etagMatches(c.req.header("If-None-Match"), meta.sha256)) return c.body(null, 304);
    // By generation, so bytes and headers agree even if a write lands meanwhile.
    const record = await store.blobAt(meta.generation);
    if (!record) throw new HTTPException(503, { message: `blob ${meta.generation} was replaced; retry` });
    c.header("Content-Type", "application/octet-stream");
    return c.body(record.blob as Uint8Array<ArrayBuffer>);
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
    if (gateway !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(gateway)) {
      throw new HTTPException(400, { message: `gateway "${gateway}" must be NAMESPACE/NAME` });
    }
    const plugin = renderWasmPlugin(
      blob,
      gateway ? { ...deps.plugin, namespace: gateway.split("/")[0], scope: `gateway:${gateway}` } : deps.plugin,
    );
    c.header(VERSION_HEADER, String(blob.generation));
    if (format === "json") return c.json(plugin);
    c.header("Content-Type", "application/yaml; charset=utf-8");
    return c.body(wasmPluginToYaml(plugin));
  });

  return app;
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
  if (error instanceof StoreLimitError) return failureStatus(413, error.message);
  if (error instanceof StoreConflictError) return failureStatus(409, error.message);
  if (error instanceof HTTPException) {
    return failureStatus(error.status, error.message || `HTTP ${error.status}`);
  }
  return failureStatus(500, "internal error; see the server log");
}

/** `If-None-Match` holds `*` or a list of (possibly weak) entity tags. */
function etagMatches(header: string | undefined, sha256: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim().replace(/^W\//, "");
    return t === "*" || t === `"${sha256}"`;
  });
}
