/**
 * The web console under `/console`: server-rendered pages (Hono JSX, one module each in `pages/`)
 * over the API. Every read and write goes through the API in-process (`app.request`) with the
 * caller's own token, so the console can do exactly what that token may do through the API.
 *
 * Who the caller is and what a POST needs: `console_session.ts`. Cross-origin writes, foreign Hosts
 * in open mode, body size and the security headers are the app's, for every route.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { StatusError } from "../model/kube_status.ts";
import { ConsoleError } from "./console_error.ts";
import { ConsoleKit } from "./console_kit.tsx";
import type { ConsoleDeps } from "./console_kit.tsx";
import { consoleSession } from "./console_session.ts";
import { blobPage } from "./pages/blob_page.tsx";
import { editPage } from "./pages/edit_page.tsx";
import { loginPage } from "./pages/login_page.tsx";
import { rollbackPage } from "./pages/rollback_page.tsx";
import { routePage } from "./pages/route_page.tsx";
import { routesPage } from "./pages/routes_page.tsx";
import { tryPage } from "./pages/try_page.tsx";

/**
 * The console as a route group of `app` (whose API its pages call): `GET /` redirects to it, and
 * `/console` and everything under it is the console's.
 */
export function consoleRoutes(app: Hono, deps: ConsoleDeps): Hono {
  const kit = new ConsoleKit(app, deps);
  const ui = new Hono().basePath("/console");
  ui.onError((error, c) => {
    // The request budget's refusals (413, 408, 503) keep their status on a console page.
    const status = error instanceof ConsoleError || error instanceof StatusError ? error.status : 500;
    if (status >= 500) {
      kit.log?.({ level: "error", msg: "console error", error: String(error?.stack ?? error) });
    }
    return kit.errorPage(c, status, status >= 500 ? "Internal error; see the server log." : error.message);
  });
  ui.use("*", consoleSession(kit));
  for (const page of [loginPage, routesPage, routePage, tryPage, blobPage, rollbackPage, editPage]) {
    ui.route("/", page(kit));
  }
  ui.notFound((c) => kit.errorPage(c, 404, `${c.req.path} is not a console page.`));

  // Dispatched as one sub-application: the console's pages are HTML, not API operations (they stay
  // out of the OpenAPI document, which describes every route of `app.routes` but ALL).
  const dispatch = (c: Context) => ui.fetch(c.req.raw, c.env);
  const routes = new Hono();
  // A browser pointed at the server lands on the console (which asks for a token where needed).
  routes.get("/", (c) => c.redirect("/console", 302));
  routes.all("/console", dispatch);
  routes.all("/console/*", dispatch);
  return routes;
}
