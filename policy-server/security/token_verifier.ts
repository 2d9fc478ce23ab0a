/**
 * Checks bearer tokens in constant time. Only SHA-256 digests of the configured tokens are kept;
 * a presented token is hashed and compared with every digest using `timingSafeEqual`, without
 * stopping at a match, so neither the token's length nor its position in the list shows in the
 * time taken.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import type { TokenSpec } from "./parse_tokens.ts";
import type { Principal } from "./principal.ts";

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

export class TokenVerifier {
  readonly #entries: { digest: Uint8Array; principal: Principal }[];

  private constructor(entries: { digest: Uint8Array; principal: Principal }[]) {
    this.#entries = entries;
  }

  /** Hashes `tokens` once; the secrets themselves are not kept. */
  static async create(tokens: readonly TokenSpec[]): Promise<TokenVerifier> {
    return new TokenVerifier(
      await Promise.all(tokens.map(async ({ name, token, namespaces, role }) => ({
        digest: await digest(token),
        principal: {
          name,
          role,
          namespaces: namespaces.includes("*") ? "*" as const : new Set(namespaces),
        },
      }))),
    );
  }

  /** How many tokens are configured. */
  get size(): number {
    return this.#entries.length;
  }

  /** The principal `token` belongs to, or `undefined`. */
  async verify(token: string): Promise<Principal | undefined> {
    const presented = await digest(token);
    let found: Principal | undefined;
    for (const entry of this.#entries) {
      if (timingSafeEqual(entry.digest, presented) && !found) found = entry.principal;
    }
    return found;
  }
}
