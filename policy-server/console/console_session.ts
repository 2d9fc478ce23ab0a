/**
 * Who is calling the console, and whether the request may go on.
 *
 * `Authorization: Bearer` passes through; else a login session: the login form's token is verified
 * and kept on the server ({@linkcode SessionStore}), the HttpOnly, SameSite=Strict cookie holds only
 * the session's random id, which expires and which logout revokes. POSTs need the CSRF token (HMAC
 * of the CSRF id cookie); a reader's POSTs are refused with 403.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { timingSafeEqual } from "node:crypto";
import { ANONYMOUS } from "../security/principal.ts";
import type { Principal } from "../security/principal.ts";
import { ConsoleError } from "./console_error.ts";
import type { ConsoleKit } from "./console_kit.tsx";
import { Buffer } from "node:buffer";

/** Where earlier versions kept the raw token: deleted wherever it is still sent, never read. */
const LEGACY_TOKEN_COOKIE = "wasmroute_console_token";
export const SESSION_COOKIE = "wasmroute_console_session";
export const SID_COOKIE = "wasmroute_console_sid";

export interface Session {
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

const enc = new TextEncoder();
const hex = (b: ArrayBuffer) => Buffer.from(b).toString("hex");
/** 24 random bytes as hex: a session or CSRF id. */
export const randomId = (): string => hex(crypto.getRandomValues(new Uint8Array(24)).buffer);
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The console's cookie options: its path only, never readable by scripts, never sent cross-site. */
export const cookieOpts = (c: Context) =>
  ({ path: "/console", httpOnly: true, sameSite: "Strict", secure: secure(c) }) as const;

const secure = (c: Context) =>
  new URL(c.req.url).protocol === "https:" || c.req.header("X-Forwarded-Proto") === "https";

/** CSRF tokens: the HMAC of a CSRF id under a key made at start-up. */
function csrfSigner(): (sid: string) => Promise<string> {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const key = crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return async (sid) => hex(await crypto.subtle.sign("HMAC", await key, enc.encode(sid)));
}

/**
 * The console's first middleware: sets `consoleSession`, checks a POST's CSRF token, sends a caller
 * with no valid credentials to the login form and refuses a reader's changes.
 */
export function consoleSession(kit: ConsoleKit): MiddlewareHandler {
  const csrfOf = csrfSigner();
  return async (c, next) => {
    if (c.req.path === "/console/") return c.redirect("/console", 301);
    const sid = csrfIdOf(c);
    const header = c.req.header("Authorization");
    const token = header ? BEARER.exec(header)?.[1] : undefined;
    const login = header ? undefined : kit.sessions.get(getCookie(c, SESSION_COOKIE));
    // Anonymous on an open server; else whom the bearer token or the login session names, if anyone.
    const principal = !kit.tokens ? ANONYMOUS : token ? await kit.tokens.verify(token) : login?.principal;
    c.set("consoleSession", {
      principal: principal ?? ANONYMOUS,
      authorization: kit.tokens && token ? `Bearer ${token}` : login?.authorization,
      csrf: await csrfOf(sid),
      authEnabled: kit.authEnabled,
      passThrough: header !== undefined,
    });
    // The form is read only here, after the app's request budget bounded it.
    if (c.req.method === "POST" && !header) await checkCsrf(c, await csrfOf(sid));
    const open = c.req.path === "/console/login" || c.req.path === "/console/logout";
    if (!principal && !open) {
      if (header) throw new ConsoleError(401, "The bearer token is not valid.");
      if (c.req.method === "GET") {
        return c.redirect(
          `/console/login?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`,
          303,
        );
      }
      throw new ConsoleError(401, "Log in first.");
    }
    if (c.req.method === "POST" && !open && principal?.role === "reader") {
      throw new ConsoleError(403, `Token "${principal.name}" (reader) may not change anything.`);
    }
    await next();
  };
}

/** The CSRF id cookie, made anew when missing or malformed; the legacy token cookie deleted. */
function csrfIdOf(c: Context): string {
  let sid = getCookie(c, SID_COOKIE);
  if (!sid || !/^[0-9a-f]{48}$/.test(sid)) {
    sid = randomId();
    setCookie(c, SID_COOKIE, sid, cookieOpts(c));
  }
  if (getCookie(c, LEGACY_TOKEN_COOKIE) !== undefined) {
    deleteCookie(c, LEGACY_TOKEN_COOKIE, { path: "/console" });
  }
  return sid;
}

/** A form's `_csrf` must be this caller's CSRF token, compared in constant time. */
async function checkCsrf(c: Context, want: string): Promise<void> {
  const form = await c.req.parseBody();
  const sent = typeof form._csrf === "string" ? form._csrf : "";
  if (sent.length !== want.length || !timingSafeEqual(enc.encode(sent), enc.encode(want))) {
    throw new ConsoleError(403, "The form's CSRF token is missing or stale; reload the page and try again.");
  }
}
