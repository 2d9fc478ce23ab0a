/**
 * Refuses what a web page could make a browser send: a write from another site (`Origin`,
 * `Sec-Fetch-Site`), and, where the server trusts its callers by address (open mode on loopback),
 * any request whose `Host` is not a loopback name — a DNS-rebinding page names its own host.
 *
 * Scripts and `curl` send neither `Origin` nor `Sec-Fetch-Site` and pass; browsers send `Origin` with
 * every cross-origin POST and `Sec-Fetch-Site` with every request.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { StatusError } from "../model/kube_status.ts";
import { isLoopback } from "./is_loopback.ts";

export interface SameOriginOptions {
  /**
   * `"loopback"`: `Host` must name a loopback address (`localhost`, `127.0.0.1`, `[::1]`);
   * `"any"`: `Host` is not checked (tokens protect the API, or the operator chose `--insecure-open`).
   */
  hosts: "loopback" | "any";
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The host name of a `Host` header value (or an origin's authority), lower-case, port dropped. */
export function hostName(authority: string): string {
  const host = authority.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](:\d*)?$/.exec(host);
  if (bracketed) return bracketed[1];
  return host.replace(/:\d*$/, "");
}

/** The `host[:port]` of an `Origin` value; `undefined` for `null` or garbage. */
function originAuthority(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * The middleware: 403 (Forbidden, as a Kubernetes `Status`) for a foreign `Host` in loopback mode,
 * and for a write whose `Sec-Fetch-Site` is not `same-origin`/`none` or whose `Origin` is not this
 * server's own.
 */
export function sameOrigin(options: SameOriginOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("Host") ?? new URL(c.req.url).host;
    if (options.hosts === "loopback" && !isLoopback(hostName(host))) {
      throw new StatusError(
        403,
        `Host "${host}" is refused: a server without tokens answers only requests for a loopback name ` +
          "(localhost, 127.0.0.1, [::1])",
      );
    }
    if (WRITES.has(c.req.method)) {
      const site = c.req.header("Sec-Fetch-Site");
      if (site !== undefined && site !== "same-origin" && site !== "none") {
        throw new StatusError(403, `a ${site} request may not change anything here (Sec-Fetch-Site)`);
      }
      const origin = c.req.header("Origin");
      if (origin !== undefined && originAuthority(origin)?.toLowerCase() !== host.toLowerCase()) {
        throw new StatusError(403, `a request from origin "${origin}" may not change anything here`);
      }
    }
    await next();
  };
}
