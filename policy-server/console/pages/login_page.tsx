/** @jsxImportSource hono/jsx */
/**
 * `/console/login` and `/console/logout`: a token typed once becomes a server-side session.
 *
 * @module
 */
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ConsoleKit } from "../console_kit.tsx";
import { cookieOpts, randomId, SESSION_COOKIE, SID_COOKIE } from "../console_session.ts";

/** The login form, the login and the logout. */
export function loginPage(kit: ConsoleKit): Hono {
  const ui = new Hono();
  ui.get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    if (!kit.authEnabled) {
      return kit.page(
        c,
        "Log in",
        <p class="note">
          No tokens are configured: the console is open. <a href="/console">Go on</a>.
        </p>,
      );
    }
    return kit.page(
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
    const principal = kit.tokens && token ? await kit.tokens.verify(token) : undefined;
    if (!principal) return kit.errorPage(c, 401, "That token is not valid.");
    // The browser gets a fresh random id; the token stays on the server.
    kit.sessions.revoke(getCookie(c, SESSION_COOKIE));
    const id = kit.sessions.create(principal, `Bearer ${token}`);
    setCookie(c, SESSION_COOKIE, id, { ...cookieOpts(c), maxAge: Math.floor(kit.sessions.ttlMs / 1000) });
    setCookie(c, SID_COOKIE, randomId(), cookieOpts(c)); // a new session, a new CSRF token
    return c.redirect(safeNext(typeof form.next === "string" ? form.next : undefined), 303);
  });
  ui.post("/logout", (c) => {
    kit.sessions.revoke(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: "/console" });
    deleteCookie(c, SID_COOKIE, { path: "/console" });
    return c.redirect(kit.authEnabled ? "/console/login" : "/console", 303);
  });
  return ui;
}

/** Only console paths, so a login cannot redirect elsewhere. */
export function safeNext(next: string | undefined): string {
  return next && /^\/console(\/|\?|$)/.test(next) && !next.startsWith("//") ? next : "/console";
}
