/**
 * Headers every response carries, whoever answered it (a handler, a refusing middleware, `onError`,
 * the console, `/docs`): a CSP that allows only this origin's scripts, no framing, no sniffing, and
 * `Cache-Control: no-store` unless the handler chose a caching policy itself (immutable blob
 * generations do). A `HEAD` answer keeps the `Content-Length` its `GET` would have.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** The console's inline styles and Swagger UI's data: images are all this needs beyond 'self'. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

/** The middleware; register it before everything that may refuse a request. */
export function hardenedHeaders(): MiddlewareHandler {
  const secure = secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    xFrameOptions: "DENY",
    // Not "no-referrer": with it a browser sends `Origin: null` on the console's own form posts,
    // which the same-origin check must refuse.
    referrerPolicy: "same-origin",
    // Served over plain HTTP on loopback as often as behind TLS: HSTS is the TLS terminator's call.
    strictTransportSecurity: false,
  });
  return (c, next) =>
    secure(c, async () => {
      await next();
      if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
      if (c.req.method === "HEAD") await keepLength(c.res);
    });
}

/**
 * Hono answers `HEAD` with its `GET` response, body dropped after the middleware ran, and Deno then
 * says `Content-Length: 0`: give the length the `GET` body has.
 */
async function keepLength(res: Response): Promise<void> {
  if (!res.body || res.headers.has("Content-Length")) return;
  const length = (await res.clone().arrayBuffer()).byteLength;
  res.headers.set("Content-Length", String(length));
}
