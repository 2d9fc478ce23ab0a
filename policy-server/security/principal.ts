/**
 * Who is calling, and what they may do: the access rules of the policy server's API.
 *
 * @module
 */
import type { StoredKind } from "../model/types.ts";
import type { Role } from "./parse_tokens.ts";

/** An authenticated caller (or the anonymous one, when the server runs open). */
export interface Principal {
  /** The token's name; `anonymous` when no tokens are configured. */
  name: string;
  role: Role;
  /** `"*"` for every namespace. */
  namespaces: "*" | ReadonlySet<string>;
}

/** The caller of a server that runs without tokens: may do everything. */
export const ANONYMOUS: Principal = { name: "anonymous", role: "operator", namespaces: "*" };

/** Kinds a `writer` may write; an `operator` writes every kind. */
const WRITER_KINDS: ReadonlySet<StoredKind> = new Set(["HTTPRoute", "Service", "ServiceImport"]);

/**
 * What a request does:
 * - `read` / `write` one kind in one namespace (for a Namespace object, its own name);
 * - `readAll` / `writeAll`: something made of every namespace's objects — the blob, its history,
 *   the WasmPlugin, a rollback — which needs a token for every namespace (`["*"]`); writing it
 *   also needs the `operator` role;
 * - `writeSome`: write something somewhere — what is known of a write before its body is read.
 */
export type Action =
  | { verb: "read" | "write"; kind: StoredKind; namespace: string }
  | { verb: "readAll" | "writeAll" | "writeSome" };

/** Whether `principal` may act in `namespace`. */
export function inScope(principal: Principal, namespace: string): boolean {
  return principal.namespaces === "*" || principal.namespaces.has(namespace);
}

/** `undefined` when `principal` may do `action`; otherwise why not, as a sentence fragment. */
export function denial(principal: Principal, action: Action): string | undefined {
  const who = `token "${principal.name}" (${principal.role})`;
  switch (action.verb) {
    case "read":
      return inScope(principal, action.namespace)
        ? undefined
        : `${who} may not read in namespace "${action.namespace}"`;
    case "write":
      if (principal.role === "reader") return `${who} may not write`;
      if (principal.role === "writer" && !WRITER_KINDS.has(action.kind)) {
        return `${who} may not write ${action.kind}s; that takes the operator role`;
      }
      return inScope(principal, action.namespace)
        ? undefined
        : `${who} may not write in namespace "${action.namespace}"`;
    case "writeSome":
      return principal.role === "reader" ? `${who} may not write` : undefined;
    case "readAll":
      return principal.namespaces === "*"
        ? undefined
        : `${who} may not read what every namespace's routes compile to; that takes namespaces ["*"]`;
    case "writeAll":
      if (principal.role !== "operator") return `${who} may not do this; that takes the operator role`;
      return principal.namespaces === "*"
        ? undefined
        : `${who} may not change what every namespace's routes compile to; that takes namespaces ["*"]`;
  }
}
