/**
 * API tokens: who may call the policy server, in which namespaces, with which role. Read from a
 * tokens file (`--tokens-file`, YAML or JSON) or the `WASMROUTE_TOKENS` variable (JSON).
 *
 * @module
 */
import { parse } from "yaml";

/**
 * - `reader`: reads objects in its namespaces
 * - `writer`: also writes HTTPRoutes, Services and ServiceImports in its namespaces
 * - `operator`: also writes Gateways, ReferenceGrants and Namespaces, and (with every namespace)
 *   rolls the blob back
 */
export type Role = "reader" | "writer" | "operator";
export const ROLES: readonly Role[] = ["reader", "writer", "operator"];

/** One entry of the tokens file. */
export interface TokenSpec {
  /** Who the token belongs to: logged, and recorded as a blob's `createdBy`. Never the secret. */
  name: string;
  /** The bearer secret. */
  token: string;
  /** Namespaces the token may act in; `["*"]` for every namespace. */
  namespaces: string[];
  role: Role;
}

/** The tokens file (or variable) cannot be used. */
export class TokenConfigError extends Error {
  override name = "TokenConfigError";
}

const NAME = /^[A-Za-z0-9][-A-Za-z0-9_.@:]{0,127}$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** What may follow `Bearer ` in a header (RFC 6750 `b64token`). */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Parses a tokens list: a YAML or JSON array of {@linkcode TokenSpec}s (or `{tokens: [...]}`).
 * `source` names where it came from in error messages, which never quote a token.
 *
 * @throws {TokenConfigError} on syntax errors, unknown fields, bad values, duplicate names or tokens.
 */
export function parseTokens(text: string, source: string): TokenSpec[] {
  let value: unknown;
  try {
    value = parse(text, { uniqueKeys: true });
  } catch (error) {
    throw new TokenConfigError(`${source}: not YAML or JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  if (value && typeof value === "object" && !Array.isArray(value) && "tokens" in value) {
    value = (value as { tokens: unknown }).tokens;
  }
  if (!Array.isArray(value)) throw new TokenConfigError(`${source}: must be a list of tokens`);
  const names = new Set<string>();
  const secrets = new Set<string>();
  return value.map((entry, i) => {
    const at = `${source}: entry ${i}`;
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
      throw new TokenConfigError(`${at} is not an object`);
    }
    const unknown = Object.keys(entry).filter((k) => !["name", "token", "namespaces", "role"].includes(k));
    if (unknown.length) throw new TokenConfigError(`${at}: unknown field "${unknown[0]}"`);
    const { name, token, namespaces, role } = entry as Record<string, unknown>;
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new TokenConfigError(`${at}: name must be 1-128 letters, digits and "-_.@:"`);
    }
    if (names.has(name)) throw new TokenConfigError(`${at}: name "${name}" is used twice`);
    names.add(name);
    if (typeof token !== "string" || !TOKEN.test(token)) {
      throw new TokenConfigError(
        `${at} ("${name}"): token must be a non-empty bearer token (letters, digits, "-._~+/")`,
      );
    }
    if (secrets.has(token)) {
      throw new TokenConfigError(`${at} ("${name}"): token is the same as an earlier entry's`);
    }
    secrets.add(token);
    if (
      !Array.isArray(namespaces) || namespaces.length === 0 ||
      !namespaces.every((n) => typeof n === "string" && (n === "*" || NAMESPACE.test(n)))
    ) {
      throw new TokenConfigError(
        `${at} ("${name}"): namespaces must be a non-empty list of namespace names, or ["*"]`,
      );
    }
    if (namespaces.includes("*") && namespaces.length > 1) {
      throw new TokenConfigError(`${at} ("${name}"): "*" already means every namespace; list nothing else`);
    }
    if (!ROLES.includes(role as Role)) {
      throw new TokenConfigError(`${at} ("${name}"): role must be one of ${ROLES.join(", ")}`);
    }
    return { name, token, namespaces: [...namespaces] as string[], role: role as Role };
  });
}
