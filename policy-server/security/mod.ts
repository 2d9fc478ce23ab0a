/**
 * Who may call the policy server: bearer tokens with a role and namespaces, checked in constant time;
 * where a request may come from (same origin, loopback Hosts in open mode); the console's sessions.
 *
 * @module
 */
export { parseTokens, ROLES, TokenConfigError } from "./parse_tokens.ts";
export type { Role, TokenSpec } from "./parse_tokens.ts";
export { TokenVerifier } from "./token_verifier.ts";
export { isLoopback } from "./is_loopback.ts";
export { ANONYMOUS, denial, inScope } from "./principal.ts";
export type { Action, Principal } from "./principal.ts";
export { AuthError, bearerAuth, principalOf, requireAccess } from "./bearer_auth.ts";
export type { BearerAuthOptions } from "./bearer_auth.ts";
export { hostName, sameOrigin } from "./same_origin.ts";
export type { SameOriginOptions } from "./same_origin.ts";
export { SessionStore } from "./session_store.ts";
export type { Session, SessionStoreOptions } from "./session_store.ts";
