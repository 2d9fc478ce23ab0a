// The core's answer to one request: what decide() found, for the ABI layer to carry out.
import { Action, Backend, Route } from "./blob";
import { HostOps } from "./host_ops";

export const DECISION_PASS: i32 = 0; // not traffic the table knows: leave it alone
export const DECISION_ROUTE: i32 = 1; // send to backend
export const DECISION_REPLY: i32 = 2; // answer locally with status

const NO_HEADERS = new Array<string[]>(0);

/**
 * What decide() found. Which fields hold depends on `kind`, so a pass writes none of the others:
 * a reply has status, reason, action (null when no rule matched), headers and, for a redirect or a
 * preflight, route; a routed request has status 200, the cluster, its host operations and, once
 * `resolved`, action, backend and route.
 */
export class Decision {
  kind: i32 = DECISION_PASS;
  /** The local reply's status; 200 when routed (what the backend is expected to answer). */
  status: u32 = 0;
  reason: string = "";
  /** Routed: the chosen cluster's name in UTF-8 (Backend.clusterBytes), what the decision header carries. */
  clusterPtr: usize = 0;
  clusterLen: i32 = 0;
  /**
   * Whether action, backend and route are filled. A route with one backend and nothing else to do
   * (core/hot_table.ts, DIRECT) is decided by its cluster alone; resolve() fills them when asked.
   */
  resolved: bool = true;
  /** The matched route's index in the table. */
  routeIndex: i32 = -1;
  action: Action | null = null;
  backend: Backend | null = null;
  /** The matched route: its PathPrefix is what ReplacePrefixMatch replaces. */
  route: Route | null = null;
  /** Headers of a local reply (a redirect's Location, a preflight's CORS headers). */
  headers: Array<string[]> = NO_HEADERS;
  /** Routed: what the host is to do to the request besides routing it (its filters), in order. */
  ops: HostOps = new HostOps();
  /** Routed: the request's Origin when the rule's CORS policy allows it (core/route_ops.ts, responseOps). */
  corsOrigin: string | null = null;

  /** Starts the next request's decision: a pass until found otherwise. */
  clear(): void {
    this.kind = DECISION_PASS;
    this.status = 0;
    this.ops.clear();
    this.corsOrigin = null;
  }

  /** Makes this a local reply (no headers yet). */
  reply(status: u32, reason: string, action: Action | null): Decision {
    this.kind = DECISION_REPLY;
    this.resolved = true;
    this.status = status;
    this.reason = reason;
    this.action = action;
    this.backend = null;
    this.route = null;
    this.headers = new Array<string[]>();
    return this;
  }

  /** Makes this a routed decision to `cluster` (UTF-8 at `ptr`); `resolved` says whether the rest is filled. */
  routeTo(ptr: usize, len: i32, resolved: bool): Decision {
    this.kind = DECISION_ROUTE;
    this.status = 200;
    this.clusterPtr = ptr;
    this.clusterLen = len;
    this.resolved = resolved;
    return this;
  }
}
