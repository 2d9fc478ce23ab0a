/**
 * One structured log line and one set of metrics per request.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { ServerMetrics } from "../metrics.ts";
import type {} from "../security/bearer_auth.ts"; // types c.get("principal")

export interface RequestLogOptions {
  log: (entry: Record<string, unknown>) => void;
  metrics: ServerMetrics;
}

/**
 * The route pattern that answered (`/v1/httproutes/:namespace/:name`), so metrics stay bounded
 * whatever the paths; `unmatched` when no handler matched (a 404).
 */
export function routeOf(c: Context): string {
  // The route that answered; when middleware answered (a 401), the handler that would have.
  const routes = matchedRoutes(c).slice(c.req.routeIndex);
  return routes.find((r) => r.method !== "ALL")?.path ?? "unmatched";
}

/**
 * Logs `{level, msg: "request", method, path, status, durationMs, token}` once per request —
 * `token` is the token's name, never the token — and counts it in the request metrics.
 */
export function requestLog({ log, metrics }: RequestLogOptions): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const seconds = (performance.now() - start) / 1000;
    const route = routeOf(c);
    const status = c.res.status;
    metrics.requests.inc({ method: c.req.method, route, status: String(status) });
    metrics.requestDuration.observe(seconds, { method: c.req.method, route });
    const principal = c.get("principal");
    log({
      level: status >= 500 ? "error" : "info",
      msg: "request",
      method: c.req.method,
      path: c.req.path,
      route,
      status,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      ...(principal && { token: principal.name }),
    });
  };
}
