/**
 * The console's sessions, kept on the server: the browser holds only a random id, so a stolen cookie
 * is worth nothing after logout or expiry, and the API token never leaves the server again.
 *
 * @module
 */
import type { Principal } from "./principal.ts";
import { Buffer } from "node:buffer";

export interface Session {
  principal: Principal;
  /** The `Authorization` value the console sends to the API for this session. */
  authorization?: string;
  /** Epoch milliseconds after which the session is gone. */
  expiresAt: number;
}

export interface SessionStoreOptions {
  /** Lifetime of a session from its login (default 8 hours). */
  ttlMs?: number;
  /** Sessions kept at once; the oldest goes first (default 10,000). */
  maxSessions?: number;
  /** The clock, for tests. */
  now?: () => number;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/**
 * Sessions in memory, by id. A restart logs everyone out, which is the safe side.
 *
 * @example
 * ```ts
 * import { SessionStore } from "./session_store.ts";
 * const sessions = new SessionStore();
 * const id = sessions.create({ name: "ops", role: "operator", namespaces: "*" });
 * if (sessions.get(id)?.principal.name !== "ops") throw new Error();
 * sessions.revoke(id);
 * if (sessions.get(id)) throw new Error("still there");
 * ```
 */
export class SessionStore {
  readonly ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  // A Map keeps insertion order: the first entry is the oldest session.
  readonly #sessions = new Map<string, Session>();

  constructor(options: SessionStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? 8 * 3600_000;
    this.#max = options.maxSessions ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** A new session; returns its id (64 hex digits, 256 random bits). */
  create(principal: Principal, authorization?: string): string {
    const id = hex(crypto.getRandomValues(new Uint8Array(32)));
    while (this.#sessions.size >= this.#max) this.#sessions.delete(this.#sessions.keys().next().value!);
    this.#sessions.set(id, { principal, authorization, expiresAt: this.#now() + this.ttlMs });
    return id;
  }

  /** The live session `id` names, or `undefined` (unknown, revoked or expired). */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (session && session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Ends session `id`; `false` if there was none. */
  revoke(id: string | undefined): boolean {
    return id !== undefined && this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }
}
