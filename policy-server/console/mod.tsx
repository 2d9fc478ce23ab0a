/** @jsxImportSource hono/jsx */
// Server-rendered once per request: list keys would do nothing.
// deno-lint-ignore-file jsx-key
/**
 * The web console under `/console`: server-rendered pages (Hono JSX) over the API. Every read and
 * write goes through the API in-process (`app.request`) with the caller's own token, so the console
 * can do exactly what that token may do through the API.
 *
 * Auth: `Authorization: Bearer` passes through; else a login session: the login form's token is
 * verified and kept on the server ({@linkcode SessionStore}), the HttpOnly, SameSite=Strict cookie
 * holds only the session's random id, which expires and which logout revokes. POSTs need the CSRF
 * token (HMAC of the CSRF id cookie); a reader's POSTs are refused with 403. Cross-origin writes,
 * foreign Hosts in open mode, body size and the security headers are the app's, for every route.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { stringify } from "yaml";
import { timingSafeEqual } from "node:crypto";
import type { AppDeps } from "../app.ts";
import { ANONYMOUS, denial } from "../security/principal.ts";
import { SessionStore } from "../security/session_store.ts";
import { StatusError } from "../model/kube_status.ts";
import type { Principal } from "../security/principal.ts";
import { diffBlobs } from "./blob_diff.ts";
import type { BlobDiff } from "./blob_diff.ts";
import type { Child } from "hono/jsx";
import { DataTable, Layout } from "./layout.tsx";
import { SimInputError, tryRequest } from "./try_request.ts";
import { warningTexts } from "./warning_texts.ts";
import { ObjectDiff, RestoredNotice, RollbackPreview } from "./rollback_views.tsx";
import {
  Cond,
  cond,
  DiffView,
  EditForm,
  EditOutcome,
  parentLabel,
  RuleCard,
  StatusTable,
  TryResultView,
} from "./views.tsx";
import type { TryForm, TryResult } from "./try_request.ts";

/** Where earlier versions kept the raw token: deleted wherever it is still sent, never read. */
const LEGACY_TOKEN_COOKIE = "wasmroute_console_token";
const SESSION_COOKIE = "wasmroute_console_session";
const SID_COOKIE = "wasmroute_console_sid";
export const PAGE_SIZE = 50;

interface Session {
  principal: Principal;
  /** Sent to the API as is. */
  authorization?: string;
  csrf: string;
  authEnabled: boolean;
  /** The caller sent Authorization itself (a script, not a browser session). */
  passThrough: boolean;
}

declare module "hono" {
  interface ContextVariableMap {
    consoleSession: Session;
  }
}

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const enc = new TextEncoder();
const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const randomId = () => hex(crypto.getRandomValues(new Uint8Array(24)).buffer);
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Mounts the console on `app` under `/console` (call after the API routes are registered). */
export function registerConsole(app: Hono, deps: AppDeps): void {
  const ui = new Hono().basePath("/console");
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const keyP = crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const csrfOf = async (sid: string) => hex(await crypto.subtle.sign("HMAC", await keyP, enc.encode(sid)));
  const authEnabled = deps.tokens !== undefined;
  const sessions = deps.sessions ?? new SessionStore();
  const secure = (c: Context) =>
    new URL(c.req.url).protocol === "https:" || c.req.header("X-Forwarded-Proto") === "https";
  const cookieOpts = (c: Context) =>
    ({ path: "/console", httpOnly: true, sameSite: "Strict", secure: secure(c) }) as const;

  const page = (c: Context, title: string, body: Child, status = 200) => {
    const s = c.get("consoleSession");
    return c.html(
      <Layout title={title} principal={s?.principal} authEnabled={authEnabled} csrf={s?.csrf ?? ""}>
        {body}
      </Layout>,
      status as 200,
    );
  };
  const errorPage = (c: Context, status: number, message: string) =>
    page(
      c,
      status === 403 ? "Forbidden" : status === 401 ? "Log in" : "Error",
      (
        <div class="err" role="alert">
          <p>{message}</p>
          {status === 401 && (
            <p>
              <a href="/console/login">Log in</a>
            </p>
          )}
        </div>
      ),
      status,
    );

  ui.onError((error, c) => {
    // The request budget's refusals (413, 408, 503) keep their status on a console page.
    const status = error instanceof ConsoleError || error instanceof StatusError ? error.status : 500;
    if (status >= 500) {
      deps.log?.({ level: "error", msg: "console error", error: String(error?.stack ?? error) });
    }
    return errorPage(c, status, status >= 500 ? "Internal error; see the server log." : error.message);
  });

  // --- session, auth, CSRF ----------------------------------------------------------------------
  ui.use("*", async (c, next) => {
    if (c.req.path === "/console/") return c.redirect("/console", 301);
    let sid = getCookie(c, SID_COOKIE);
    if (!sid || !/^[0-9a-f]{48}$/.test(sid)) {
      sid = randomId();
      setCookie(c, SID_COOKIE, sid, cookieOpts(c));
    }
    if (getCookie(c, LEGACY_TOKEN_COOKIE) !== undefined) {
      deleteCookie(c, LEGACY_TOKEN_COOKIE, { path: "/console" });
    }
    const header = c.req.header("Authorization");
    const token = header ? BEARER.exec(header)?.[1] : undefined;
    const login = header ? undefined : sessions.get(getCookie(c, SESSION_COOKIE));
    let principal: Principal | undefined = ANONYMOUS;
    if (deps.tokens) principal = token ? await deps.tokens.verify(token) : login?.principal;
    c.set("consoleSession", {
      principal: principal ?? ANONYMOUS,
      authorization: deps.tokens && token ? `Bearer ${token}` : login?.authorization,
      csrf: await csrfOf(sid),
      authEnabled,
      passThrough: header !== undefined,
    });
    const isLogin = c.req.path === "/console/login";
    if (c.req.method === "POST") {
      // The form is read only here, after the app's request budget bounded it.
      if (!header) {
        const form = await c.req.parseBody();
        const sent = typeof form._csrf === "string" ? form._csrf : "";
        const want = await csrfOf(sid);
        if (sent.length !== want.length || !timingSafeEqual(enc.encode(sent), enc.encode(want))) {
          throw new ConsoleError(
            403,
            "The form's CSRF token is missing or stale; reload the page and try again.",
          );
        }
      }
    }
    if (!principal && !isLogin && c.req.path !== "/console/logout") {
      if (header) throw new ConsoleError(401, "The bearer token is not valid.");
      if (c.req.method === "GET") {
        return c.redirect(
          `/console/login?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`,
          303,
        );
      }
      throw new ConsoleError(401, "Log in first.");
    }
    if (
      c.req.method === "POST" && !isLogin && c.req.path !== "/console/logout" && principal?.role === "reader"
    ) {
      throw new ConsoleError(403, `Token "${principal.name}" (reader) may not change anything.`);
    }
    await next();
  });

  /** The API, in-process, as the console's caller. */
  const api = (c: Context, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const auth = c.get("consoleSession").authorization;
    if (auth) headers.set("Authorization", auth);
    headers.set("Accept", headers.get("Accept") ?? "application/json");
    return app.request(path, { ...init, headers });
  };
  const apiJson = async (c: Context, path: string, init?: RequestInit) => {
    const res = await api(c, path, init);
    const body: Json = await res.json().catch(() => ({ message: `HTTP ${res.status}` }));
    return { res, body };
  };
  const need = async (c: Context, path: string): Promise<Json> => {
    const { res, body } = await apiJson(c, path);
    if (!res.ok) throw new ConsoleError(res.status, body.message ?? `HTTP ${res.status}`);
    return body;
  };
  const canWriteAll = (c: Context) => !denial(c.get("consoleSession").principal, { verb: "writeAll" });
  const canWrite = (c: Context) => c.get("consoleSession").principal.role !== "reader";

  // --- login ------------------------------------------------------------------------------------
  ui.get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    if (!authEnabled) {
      return page(
        c,
        "Log in",
        <p class="note">
          No tokens are configured: the console is open. <a href="/console">Go on</a>.
        </p>,
      );
    }
    return page(
      c,
      "Log in",
      (
        <form method="post" action="/console/login" class="card">
          <input type="hidden" name="_csrf" value={c.get("consoleSession").csrf} />
          <input type="hidden" name="next" value={next} />
          <label for="token">API token</label>
          <input type="password" id="token" name="token" autocomplete="current-password" required />
          <button type="submit">Log in</button>
        </form>
      ),
    );
  });
  ui.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token.trim() : "";
    const principal = deps.tokens && token ? await deps.tokens.verify(token) : undefined;
    if (!principal) return errorPage(c, 401, "That token is not valid.");
    // The browser gets a fresh random id; the token stays on the server.
    sessions.revoke(getCookie(c, SESSION_COOKIE));
    const id = sessions.create(principal, `Bearer ${token}`);
    setCookie(c, SESSION_COOKIE, id, { ...cookieOpts(c), maxAge: Math.floor(sessions.ttlMs / 1000) });
    setCookie(c, SID_COOKIE, randomId(), cookieOpts(c)); // a new session, a new CSRF token
    return c.redirect(safeNext(typeof form.next === "string" ? form.next : undefined), 303);
  });
  ui.post("/logout", (c) => {
    sessions.revoke(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: "/console" });
    deleteCookie(c, SID_COOKIE, { path: "/console" });
    return c.redirect(authEnabled ? "/console/login" : "/console", 303);
  });

  // --- routes -----------------------------------------------------------------------------------
  ui.get("/", async (c) => {
    const ns = c.req.query("namespace")?.trim() || undefined;
    const pageNo = Math.max(1, Number(c.req.query("page")) || 1);
    const list = await need(c, `/v1/httproutes${ns ? `?namespace=${encodeURIComponent(ns)}` : ""}`);
    const items: Json[] = list.items;
    items.sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`)
    );
    const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
    const shown = items.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
    const link = (p: number) =>
      `/console?${new URLSearchParams({ ...(ns && { namespace: ns }), page: String(p) })}`;
    return page(
      c,
      "HTTPRoutes",
      (
        <>
          <form method="get" action="/console" class="card" role="search">
            <label for="namespace">Namespace</label>
            <input
              type="text"
              id="namespace"
              name="namespace"
              value={ns ?? ""}
              placeholder="all namespaces"
            />
            <button type="submit">Filter</button>
          </form>
          <p>
            {items.length} route{items.length === 1 ? "" : "s"}
            {ns ? ` in ${ns}` : ""}; page {pageNo} of {pages}.
          </p>
          <DataTable columns={["Route", "Parent", "Accepted", "ResolvedRefs"]}>
            {shown.flatMap((r) => {
              const parents: Json[] = r.status?.parents ?? [];
              const href = `/console/routes/${encodeURIComponent(r.metadata.namespace)}/${
                encodeURIComponent(r.metadata.name)
              }`;
              const rows = parents.length ? parents : [undefined];
              return rows.map((p, i) => (
                <tr>
                  <td>{i === 0 && <a href={href}>{r.metadata.namespace}/{r.metadata.name}</a>}</td>
                  <td class="mono">
                    {p
                      ? parentLabel(p.parentRef, r.metadata.namespace)
                      : (r.spec?.parentRefs ?? []).map((x: Json) => parentLabel(x, r.metadata.namespace))
                        .join(", ") || "—"}
                  </td>
                  <Cond c={cond(p, "Accepted")} />
                  <Cond c={cond(p, "ResolvedRefs")} />
                </tr>
              ));
            })}
          </DataTable>
          <nav aria-label="Pages">
            {pageNo > 1 && <a href={link(pageNo - 1)} rel="prev">← previous</a>}{" "}
            {pageNo < pages && <a href={link(pageNo + 1)} rel="next">next →</a>}
          </nav>
        </>
      ),
    );
  });

  ui.get("/routes/:namespace/:name", async (c) => {
    const { namespace, name } = c.req.param();
    const r = await need(c, `/v1/httproutes/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`);
    const rules: Json[] = r.spec?.rules ?? [];
    // The history takes a token for every namespace; without one there is just no notice.
    const readsAll = !denial(c.get("consoleSession").principal, { verb: "readAll" });
    const history = readsAll ? (await apiJson(c, "/v1/blob/history")).body : undefined;
    const current = (history?.items as Json[] | undefined)?.find((i) => i.generation === history?.current);
    return page(
      c,
      `HTTPRoute ${namespace}/${name}`,
      (
        <>
          <RestoredNotice route={r} current={current} />
          <p>
            Hostnames: <span class="mono">{(r.spec?.hostnames ?? []).join(", ") || "(any)"}</span> · parents:
            {" "}
            <span class="mono">
              {(r.spec?.parentRefs ?? []).map((p: Json) => parentLabel(p, namespace)).join(", ")}
            </span>
            {canWrite(c) && (
              <>
                ·{" "}
                <a
                  href={`/console/edit?namespace=${encodeURIComponent(namespace)}&name=${
                    encodeURIComponent(name)
                  }`}
                >
                  Edit
                </a>
              </>
            )}
          </p>
          <h2>Status</h2>
          <StatusTable parents={r.status?.parents ?? []} namespace={namespace} />
          <h2>Rules</h2>
          {rules.map((rule, i) => <RuleCard rule={rule} index={i} namespace={namespace} />)}
        </>
      ),
    );
  });

  // --- try a request ----------------------------------------------------------------------------
  ui.get("/try", async (c) => {
    const q = c.req.query();
    const form: TryForm = {
      method: q.method,
      host: q.host,
      path: q.path,
      headers: q.headers,
      gateway: q.gateway,
      port: q.port,
      clientNamespace: q.clientNamespace,
    };
    let result: TryResult | undefined;
    let error: string | undefined;
    if (q.host !== undefined) {
      try {
        const blobRes = await api(c, "/v1/blob", { headers: { Accept: "application/octet-stream" } });
        if (!blobRes.ok) {
          const body: Json = await blobRes.json().catch(() => ({}));
          throw new ConsoleError(blobRes.status, body.message ?? `GET /v1/blob: HTTP ${blobRes.status}`);
        }
        const blob = new Uint8Array(await blobRes.arrayBuffer());
        const wasmRes = await app.request("/v1/filter.wasm");
        if (!wasmRes.ok) throw new Error(`GET /v1/filter.wasm: HTTP ${wasmRes.status}`);
        const wasm = new Uint8Array(await wasmRes.arrayBuffer());
        result = tryRequest(wasm, {
          generation: Number(blobRes.headers.get("X-Wasmroute-Version")),
          sha256: (blobRes.headers.get("ETag") ?? "").replaceAll('"', ""),
          blob,
        }, form);
      } catch (e) {
        if (e instanceof SimInputError || e instanceof ConsoleError) error = e.message;
        else throw e;
      }
    }
    return page(
      c,
      "Try a request",
      (
        <>
          <form method="get" action="/console/try" class="card">
            <div class="row">
              <div>
                <label for="method">Method</label>
                <select id="method" name="method">
                  {["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].map((m) => (
                    <option value={m} selected={(form.method ?? "GET").toUpperCase() === m}>{m}</option>
                  ))}
                </select>
              </div>
              <div>
                <label for="host">Host</label>
                <input
                  type="text"
                  id="host"
                  name="host"
                  value={form.host ?? ""}
                  required
                  placeholder="my-server"
                />
              </div>
              <div>
                <label for="port">Port (listener or Service port)</label>
                <input
                  type="text"
                  id="port"
                  name="port"
                  value={form.port ?? ""}
                  inputmode="numeric"
                  placeholder="80"
                />
              </div>
              <div>
                <label for="path">Path (and query)</label>
                <input type="text" id="path" name="path" value={form.path ?? "/"} />
              </div>
              <div>
                <label for="gateway">Gateway (namespace/name, optional)</label>
                <input
                  type="text"
                  id="gateway"
                  name="gateway"
                  value={form.gateway ?? ""}
                  placeholder="istio-ingress/gateway"
                />
              </div>
              <div>
                <label for="clientNamespace">Mesh client namespace (optional: a sidecar's request)</label>
                <input
                  type="text"
                  id="clientNamespace"
                  name="clientNamespace"
                  value={form.clientNamespace ?? ""}
                  placeholder="bookinfo"
                />
              </div>
            </div>
            <label for="headers">
              Headers (one <code>name: value</code> per line)
            </label>
            <textarea id="headers" name="headers" rows={4}>{form.headers ?? ""}</textarea>
            <button type="submit">Try</button>
          </form>
          {error && <div class="err" role="alert">{error}</div>}
          {result && <TryResultView r={result} />}
        </>
      ),
    );
  });

  // --- blob and history -------------------------------------------------------------------------
  ui.get("/blob", async (c) => {
    const h = await need(c, "/v1/blob/history");
    const items: Json[] = h.items;
    const current = items.find((i) => i.generation === h.current);
    const gens = items.map((i) => i.generation as number);
    const to = Number(c.req.query("to")) || h.current;
    const from = Number(c.req.query("from")) || gens.find((g) => g < to);
    let diff: BlobDiff | undefined;
    let objectDiff: Json | undefined;
    let diffError: string | undefined;
    if (from && to) {
      try {
        const [a, b] = await Promise.all([from, to].map(async (g) => {
          const res = await api(c, `/v1/blob/${g}`, { headers: { Accept: "application/octet-stream" } });
          if (!res.ok) throw new ConsoleError(res.status, `generation ${g} is not in the history`);
          return new Uint8Array(await res.arrayBuffer());
        }));
        diff = diffBlobs(a, b);
        // The same two generations object by object, where both recorded their objects.
        const objects = await apiJson(c, `/v1/blob/diff?from=${from}&to=${to}`);
        if (objects.res.ok) objectDiff = objects.body;
      } catch (e) {
        if (e instanceof ConsoleError) diffError = e.message;
        else throw e;
      }
    }
    const rolledBack = c.req.query("rolledBack");
    const restored = c.req.query("objects");
    return page(
      c,
      "Blob & history",
      (
        <>
          {rolledBack && (
            <p class="note" role="status">
              Rolled back: generation {rolledBack} now serves. {restored === undefined
                ? "The stored objects were not recorded for that generation and stay as they are."
                : `${restored} stored object(s) were restored to what it was compiled from.`}
            </p>
          )}
          {current
            ? (
              <dl class="card">
                <dt>Generation</dt>
                <dd id="current-generation">
                  {current.generation}
                  {current.rollbackOf ? ` (rollback of ${current.rollbackOf})` : ""}
                </dd>
                <dt>SHA-256</dt>
                <dd class="mono">{current.sha256}</dd>
                <dt>Size</dt>
                <dd>{current.size} bytes</dd>
                <dt>Created</dt>
                <dd>{current.createdAt} by {current.createdBy}</dd>
              </dl>
            )
            : <p>No blob has been compiled yet.</p>}
          <h2>Versions</h2>
          <DataTable columns={["Generation", "Created", "By", "Size", "SHA-256", "Actions"]}>
            {items.map((i) => (
              <tr>
                <td>
                  {i.generation}
                  {i.generation === h.current ? " (serving)" : ""}
                  {i.rollbackOf ? ` ↺${i.rollbackOf}` : ""}
                </td>
                <td>{i.createdAt}</td>
                <td>{i.createdBy}</td>
                <td>{i.size}</td>
                <td class="mono">{String(i.sha256).slice(0, 12)}…</td>
                <td>
                  {i.generation !== h.current && (
                    <a href={`/console/blob?from=${i.generation}&to=${h.current}`}>diff to serving</a>
                  )}
                  {i.generation !== h.current && canWriteAll(c) && (
                    <>
                      ·{" "}
                      <a href={`/console/blob/rollback?generation=${i.generation}`}>
                        roll back to {i.generation}
                      </a>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
          <h2>Diff</h2>
          <form method="get" action="/console/blob" class="card">
            <div class="row">
              <div>
                <label for="from">From generation</label>
                <select id="from" name="from">
                  {gens.map((g) => <option value={String(g)} selected={g === from}>{g}</option>)}
                </select>
              </div>
              <div>
                <label for="to">To generation</label>
                <select id="to" name="to">
                  {gens.map((g) => <option value={String(g)} selected={g === to}>{g}</option>)}
                </select>
              </div>
            </div>
            <button type="submit">Compare</button>
          </form>
          {diffError && <div class="err">{diffError}</div>}
          {diff && <DiffView d={diff} />}
          {objectDiff && <ObjectDiff diff={objectDiff} />}
        </>
      ),
    );
  });

  ui.get("/blob/rollback", async (c) => {
    const generation = Number(c.req.query("generation"));
    if (!Number.isInteger(generation) || generation < 1) {
      throw new ConsoleError(400, "generation must be a number ≥ 1");
    }
    if (!canWriteAll(c)) {
      throw new ConsoleError(403, "A rollback takes an operator token for every namespace.");
    }
    const h = await need(c, "/v1/blob/history");
    const target = (h.items as Json[]).find((i) => i.generation === generation);
    if (!target) throw new ConsoleError(404, `generation ${generation} is not in the history`);
    // The API's dry run says what the rollback will do, object by object.
    const { res: dryRes, body: dry } = await apiJson(c, "/v1/blob/rollback?dryRun=All", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ generation }),
    });
    if (!dryRes.ok) throw new ConsoleError(dryRes.status, dry.message ?? `HTTP ${dryRes.status}`);
    return page(
      c,
      `Roll back to generation ${generation}?`,
      (
        <div class="card">
          <p>
            Generation {generation} ({target.createdAt}, by {target.createdBy}, sha256{" "}
            <span class="mono">{String(target.sha256).slice(0, 12)}…</span>) will serve again as a new
            generation, replacing generation {h.current}, together with the objects it was compiled from.
          </p>
          <p>
            <a href={`/console/blob?from=${h.current}&to=${generation}`}>See what changes in the rules</a>
          </p>
          <RollbackPreview dry={dry} />
          <form method="post" action="/console/blob/rollback">
            <input type="hidden" name="_csrf" value={c.get("consoleSession").csrf} />
            <input type="hidden" name="generation" value={String(generation)} />
            <button type="submit" class="danger">Roll back to generation {generation}</button>
            <a href="/console/blob">Cancel</a>
          </form>
        </div>
      ),
    );
  });

  ui.post("/blob/rollback", async (c) => {
    const form = await c.req.parseBody();
    const generation = Number(form.generation);
    const { res, body } = await apiJson(c, "/v1/blob/rollback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ generation }),
    });
    if (!res.ok) throw new ConsoleError(res.status, body.message ?? `HTTP ${res.status}`);
    const restored = body.objectsRecorded ? `&objects=${(body.objects ?? []).length}` : "";
    return c.redirect(`/console/blob?rolledBack=${body.generation}${restored}`, 303);
  });

  // --- edit -------------------------------------------------------------------------------------
  ui.get("/edit", async (c) => {
    const ns = c.req.query("namespace"), name = c.req.query("name");
    let yaml = "";
    if (ns && name) {
      const r = await need(c, `/v1/httproutes/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`);
      const { status: _s, ...obj } = r;
      const { managedFields: _m, creationTimestamp: _t, uid: _u, generation: _g, ...meta } = obj.metadata ??
        {};
      yaml = stringify({ ...obj, metadata: meta });
    }
    return page(c, "Edit HTTPRoutes", <EditForm c={c} yaml={yaml} canWrite={canWrite(c)} />);
  });

  ui.post("/edit", async (c) => {
    const form = await c.req.parseBody();
    const yaml = typeof form.yaml === "string" ? form.yaml : "";
    const apply = form.action === "apply";
    const fieldValidation = ["Strict", "Warn", "Ignore"].includes(String(form.fieldValidation))
      ? String(form.fieldValidation)
      : "Strict";
    const query = new URLSearchParams({ fieldValidation, ...(!apply && { dryRun: "All" }) });
    const { res, body } = await apiJson(c, `/v1/resources?${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: yaml,
    });
    const warnings = warningTexts(res.headers);
    return page(
      c,
      "Edit HTTPRoutes",
      (
        <>
          <EditOutcome ok={res.ok} apply={apply} body={body} warnings={warnings} />
          <EditForm c={c} yaml={yaml} canWrite={canWrite(c)} fieldValidation={fieldValidation} />
        </>
      ),
      res.ok ? 200 : res.status === 403 ? 403 : 422,
    );
  });

  ui.notFound((c) => errorPage(c, 404, `${c.req.path} is not a console page.`));

  // Dispatched as one sub-application: the console's pages are HTML, not API operations (they stay
  // out of the OpenAPI document, which describes every route of \`app.routes\` but ALL).
  const dispatch = (c: Context) => ui.fetch(c.req.raw, c.env);
  app.all("/console", dispatch);
  app.all("/console/*", dispatch);
}

class ConsoleError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Only console paths, so a login cannot redirect elsewhere. */
function safeNext(next: string | undefined): string {
  return next && /^\/console(\/|\?|$)/.test(next) && !next.startsWith("//") ? next : "/console";
}
