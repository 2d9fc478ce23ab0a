/**
 * The policy server's HTTP app (Hono): the middleware every request passes, then the route groups of
 * `api/` and the console, each a sub-app of its own. Errors of every kind leave through `onError` as
 * Kubernetes `Status` bodies.
 *
 * @module
 */
import { Hono } from "hono";
import { blobEvents } from "./api/blob_events.ts";
import { blobHistoryRoutes } from "./api/blob_history_routes.ts";
import { deliveryRoutes } from "./api/delivery_routes.ts";
import { docsRoutes } from "./api/docs_routes.ts";
import { errorHandler, notFoundHandler } from "./api/error_handlers.ts";
import { hardenedHeaders } from "./api/hardened_headers.ts";
import type { PathItem } from "./api/openapi_document.ts";
import { opsRoutes } from "./api/ops_routes.ts";
import { requestLog } from "./api/request_log.ts";
import { resourceRoutes } from "./api/resource_routes.ts";
import { v1Guards } from "./api/v1_guards.ts";
import { wasmPluginRoutes } from "./api/wasmplugin_routes.ts";
import { yamlResponses } from "./api/yaml_responses.ts";
import { requestBudget } from "./budget/mod.ts";
import type { RequestBudgetOptions } from "./budget/mod.ts";
import { compile } from "./compile/mod.ts";
import { consoleRoutes } from "./console/mod.ts";
import type { DeliveryRouteOptions } from "./delivery/transports/delivery_service.ts";
import { Publisher } from "./delivery/write/publisher.ts";
import type { CompileFn } from "./delivery/write/publisher.ts";
import type { WasmPluginOptions } from "./delivery/wasmplugin/render_wasmplugin.ts";
import { createServerMetrics } from "./metrics.ts";
import type { ServerMetrics } from "./metrics.ts";
import { sameOrigin } from "./security/same_origin.ts";
import type { SameOriginOptions } from "./security/same_origin.ts";
import type { SessionStore } from "./security/session_store.ts";
import type { TokenVerifier } from "./security/token_verifier.ts";
import type { Store } from "./store/store.ts";

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

/**
 * Builds the HTTP app: the middleware every request passes, then the route groups of `api/`, each a
 * Hono sub-app mounted with `app.route()`:
 * - no token: `ops_routes.ts` (`GET /healthz`, `/readyz`, `/metrics`), `docs_routes.ts`
 *   (`GET /openapi.json`, `/docs`); `GET /` redirects to the console
 * - behind `v1_guards.ts` (token, body type, first compile): `resource_routes.ts` (the objects,
 *   `/v1/resources`, `/v1/{plural}`, `/v1/routes`), `blob_history_routes.ts` (`/v1/blob/history`,
 *   `/v1/blob/:generation`, `/v1/blob/rollback`, `/v1/blob/diff`), `delivery_routes.ts`
 *   (`GET /v1/blob`, `/v1/filter.wasm`, `/v1/delivery`), `wasmplugin_routes.ts` (`GET /v1/wasmplugin`)
 * - the console under `/console` (`console/mod.ts`)
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
  const publisher = deps.publisher ?? newPublisher(deps, metrics);
  const log = deps.log ??
    ((entry) => console.error(JSON.stringify({ time: new Date().toISOString(), ...entry })));
  const events = blobEvents(log, metrics);
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
  app.onError(errorHandler({ log, metrics }));
  app.notFound(notFoundHandler);

  app.route("/", opsRoutes({ store, publisher, metrics }));
  app.route("/", docsRoutes({ extraPaths: deps.openApiPaths }));

  app.use("/v1/*", ...v1Guards({ tokens: deps.tokens, publisher }));
  app.route("/", resourceRoutes({ store, publisher, onPublished: events.published }));
  app.route("/", blobHistoryRoutes({ store, publisher, onRollback: events.rolledBack }));
  // GET /v1/blob (ETag, long-poll ?wait=, ?format=config), GET /v1/filter.wasm, GET /v1/delivery.
  app.route(
    "/",
    deliveryRoutes({ store, plugin: deps.plugin, delivery: deps.delivery, maxWaiting: deps.maxLongPolls }),
  );
  app.route("/", wasmPluginRoutes({ store, plugin: deps.plugin }));

  // GET / (a redirect), /console and every page under it.
  app.route("/", consoleRoutes(app, { tokens: deps.tokens, sessions: deps.sessions, log: deps.log }));
  return app;
}

/** The write path: every compile timed, Gateway parents judged as `--trust-unseen-gateways` says. */
function newPublisher(deps: AppDeps, metrics: ServerMetrics): Publisher {
  const compileFn = deps.compile ?? compile;
  // A Gateway parent is known by being stored, unless the server was told to trust unseen ones.
  const unseenGateways = deps.trustUnseenGateways ? "trust" : "refuse";
  return new Publisher(
    deps.store,
    (objects, options) =>
      metrics.compileDuration.time(() => compileFn(objects, { unseenGateways, ...options })),
  );
}
