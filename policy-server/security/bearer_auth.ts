/**
 * The API's authentication middleware and the authorisation check handlers call.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { ANONYMOUS, denial } from "./principal.ts";
import type { Action, Principal } from "./principal.ts";
import type { TokenVerifier } from "./token_verifier.ts";
import { StatusError } from "../model/kube_status.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by {@linkcode bearerAuth} on every request it lets through. */
    principal: Principal;
  }
}

/** 401: no usable token; 403: a valid token that may not do this. Kubernetes reasons alike. */
export class AuthError extends StatusError<401 | 403> {
  override name = "AuthError";
}

export interface BearerAuthOptions {
  /** The configured tokens; `undefined` runs open: every caller is {@linkcode ANONYMOUS}. */
  verifier?: TokenVerifier;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Authenticates `Authorization: Bearer <token>`. Without tokens configured every request passes as
 * {@linkcode ANONYMOUS}; with them, a missing, malformed or unknown token is a 401 ({@linkcode AuthError}).
 */
export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const { verifier } = options;
    if (!verifier) {
      c.set("principal", ANONYMOUS);
      return await next();
    }
    const header = c.req.header("Authorization");
    if (!header) {
      throw new AuthError(401, "Unauthorized: an Authorization: Bearer <token> header is required");
    }
    const token = BEARER.exec(header)?.[1];
    // Say only that it failed: the token, or how close it came, stays out of answers and logs.
    const principal = token ? await verifier.verify(token) : undefined;
    if (!principal) throw new AuthError(401, "Unauthorized: the bearer token is not valid");
    c.set("principal", principal);
    await next();
  };
}

/** The caller of this request ({@linkcode ANONYMOUS} where {@linkcode bearerAuth} did not run). */
export function principalOf(c: Context): Principal {
  return c.get("principal") ?? ANONYMOUS;
}

/**
 * Throws a 403 {@linkcode AuthError} unless the caller may do `action`; `what` names the object as
 * Kubernetes does (`httproutes.gateway.networking.k8s.io "web"`).
 */
export function requireAccess(c: Context, action: Action, what?: string): Principal {
  const principal = principalOf(c);
  const reason = denial(principal, action);
  if (reason) throw new AuthError(403, what ? `${what} is forbidden: ${reason}` : `forbidden: ${reason}`);
  return principal;
}
