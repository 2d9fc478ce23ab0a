/**
 * What every `/v1` request passes before its route: a token (unless the path is public), a token for
 * every namespace where the path is not about single objects, a body of a type the API reads, and a
 * first compile of the stored objects.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyMediaType } from "../budget/mod.ts";
import type { Publisher } from "../delivery/write/publisher.ts";
import { RESOURCE_KINDS } from "../model/resource_kinds.ts";
import { bearerAuth, requireAccess } from "../security/bearer_auth.ts";
import type { TokenVerifier } from "../security/token_verifier.ts";

export interface V1GuardDeps {
  /** The configured API tokens; absent, the API is open (every caller is `anonymous`). */
  tokens?: TokenVerifier;
  publisher: Publisher;
}

/** `/v1` paths that need no token: the filter module is a build artifact, and Istio fetches a
 * WasmPlugin's `http` url without one. */
const PUBLIC_PATHS = new Set(["/v1/filter.wasm"]);

/**
 * API paths whose handlers authorise per object (kind and namespace). Every other `/v1` path —
 * the blob, its history, the WasmPlugin, and whatever is added later — is made of every
 * namespace's objects and needs a token for all namespaces (`readAll`, `writeAll`).
 */
const OBJECT_PATHS = new RegExp(
  `^/v1/(resources|routes|${Object.values(RESOURCE_KINDS).map((k) => k.plural).join("|")})(/|$)`,
);

/** The `/v1/*` middleware, in the order it runs; mount it before any `/v1` route group. */
export function v1Guards({ tokens, publisher }: V1GuardDeps): MiddlewareHandler[] {
  const bearer = bearerAuth({ verifier: tokens });
  return [
    (c, next) => PUBLIC_PATHS.has(c.req.path) ? next() : bearer(c, next),
    async (c, next) => {
      if (!OBJECT_PATHS.test(c.req.path) && !PUBLIC_PATHS.has(c.req.path)) {
        const read = c.req.method === "GET" || c.req.method === "HEAD";
        requireAccess(c, { verb: read ? "readAll" : "writeAll" });
      }
      await next();
    },
    // A write's body is JSON or YAML (415 otherwise), judged by its Content-Type before it is read.
    bodyMediaType(),
    // Every API call sees the stored objects compiled at least once by this process.
    async (_c, next) => {
      await publisher.ready();
      await next();
    },
  ];
}
