/** @jsxImportSource hono/jsx */
/**
 * What every console page is made with: the page frame, the error page, and the API called
 * in-process with the caller's own credentials, so a page can do exactly what its caller's token may
 * do through the API.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { denial } from "../security/principal.ts";
import { SessionStore } from "../security/session_store.ts";
import type { TokenVerifier } from "../security/token_verifier.ts";
import { ConsoleError } from "./console_error.ts";
import { Layout } from "./layout.tsx";

/** A JSON body from the API, read loosely: the pages show what it holds. */
// deno-lint-ignore no-explicit-any
export type Json = Record<string, any>;

export interface ConsoleDeps {
  /** The configured API tokens; absent, the console is open as the API is. */
  tokens?: TokenVerifier;
  /** The console's login sessions; a new in-memory store by default. */
  sessions?: SessionStore;
  /** Where a page's internal error is logged. */
  log?: (entry: Record<string, unknown>) => void;
}

/** The console's shared parts, made once per app. */
export class ConsoleKit {
  readonly authEnabled: boolean;
  readonly sessions: SessionStore;
  readonly tokens?: TokenVerifier;
  readonly log?: (entry: Record<string, unknown>) => void;

  /** `app` is the whole app, whose API the pages call in-process. */
  constructor(readonly app: Hono, deps: ConsoleDeps) {
    this.authEnabled = deps.tokens !== undefined;
    this.sessions = deps.sessions ?? new SessionStore();
    this.tokens = deps.tokens;
    this.log = deps.log;
  }

  /** A page in the console's frame, with the caller's name and CSRF token. */
  page(c: Context, title: string, body: Child, status = 200): Response | Promise<Response> {
    const s = c.get("consoleSession");
    return c.html(
      <Layout title={title} principal={s?.principal} authEnabled={this.authEnabled} csrf={s?.csrf ?? ""}>
        {body}
      </Layout>,
      status as 200,
    );
  }

  /** An error page; a 401 links to the login form. */
  errorPage(c: Context, status: number, message: string): Response | Promise<Response> {
    return this.page(
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
  }

  /** The API, in-process, as the console's caller. */
  api(c: Context, path: string, init: RequestInit = {}): Response | Promise<Response> {
    const headers = new Headers(init.headers);
    const auth = c.get("consoleSession").authorization;
    if (auth) headers.set("Authorization", auth);
    headers.set("Accept", headers.get("Accept") ?? "application/json");
    return this.app.request(path, { ...init, headers });
  }

  /** The API's answer and its JSON body (a body that is not JSON reads as its status). */
  async apiJson(c: Context, path: string, init?: RequestInit): Promise<{ res: Response; body: Json }> {
    const res = await this.api(c, path, init);
    const body: Json = await res.json().catch(() => ({ message: `HTTP ${res.status}` }));
    return { res, body };
  }

  /** The API's JSON body; an error answer becomes this page's error. */
  async need(c: Context, path: string): Promise<Json> {
    const { res, body } = await this.apiJson(c, path);
    if (!res.ok) throw new ConsoleError(res.status, body.message ?? `HTTP ${res.status}`);
    return body;
  }

  /** Whether the caller may change every namespace (a rollback). */
  canWriteAll(c: Context): boolean {
    return !denial(c.get("consoleSession").principal, { verb: "writeAll" });
  }

  /** Whether the caller may change anything. */
  canWrite(c: Context): boolean {
    return c.get("consoleSession").principal.role !== "reader";
  }
}
