// Per-request decision over a decoded rule table: the virtual host (core/lookup.ts), the first
// matching route in precedence order (core/match.ts), then what the route's rule does: answer by
// itself (a CORS preflight, a redirect), or route to a backend (core/pick.ts) with the host
// operations of its filters (core/route_ops.ts). Pure: reads the request through RequestView, and
// keeps everything per request in the RequestContext the caller passes in.
import { Action, actionObjects, Route, routeObjects, RuleTable } from "./blob";
import { originAllowed, preflightHeaders } from "./cors";
import { Decision } from "./decision";
import { CorsPolicy, RedirectOp } from "./filters";
import { DIRECT, RT_CLUSTER, RT_CLUSTER_LEN, RT_FLAGS, RT_INDEX, VH_LENGTHS } from "./hot_table";
import { vhostOfRequest } from "./lookup";
import { firstMatch } from "./match";
import { pickBackend } from "./pick";
import { RequestView } from "./request";
import { RequestContext } from "./request_context";
import { redirectLocation } from "./rewrite";
import { requestOps } from "./route_ops";
import { scanAuthority, scanPath } from "./scan";

const ROOT_PATH = memory.data<u8>([0x2f]);
const AUTHORITY_NAME = String.UTF8.encode(":authority");
const PATH_NAME = String.UTF8.encode(":path");

/**
 * Decides one request. Weighted picks use `req.requestKey()`, which callers derive from the request
 * id so that a request's fate does not depend on which host or worker runs it. The Decision is
 * `ctx`'s: it is valid until the next call with the same context.
 */
export function decide(table: RuleTable, req: RequestView, ctx: RequestContext): Decision {
  const d = ctx.begin(table, req);
  if (!req.headerBytes(AUTHORITY_NAME, ctx.authority.raw)) return d;
  scanAuthority(ctx.authority);
  const vh = vhostOfRequest(ctx);
  if (vh == 0) return d;
  const target = ctx.target;
  if (!req.headerBytes(PATH_NAME, target.raw)) {
    target.raw.ptr = ROOT_PATH;
    target.raw.len = 1;
  }
  scanPath(target, load<u64>(vh, VH_LENGTHS));
  // The matched route's record, by its offset in the table's blocks (core/blob.ts).
  const at = firstMatch(ctx, vh);
  if (at < 0) return d.reply(404, "no_matching_route", null);
  const rec = ctx.routeRecords + <usize>at;
  const i = load<i32>(rec, RT_INDEX);
  d.routeIndex = i;
  if ((load<u32>(rec, RT_FLAGS) & DIRECT) != 0) {
    return d.routeTo(<usize>load<u32>(rec, RT_CLUSTER), <i32>load<u32>(rec, RT_CLUSTER_LEN), false);
  }
  return decideRule(ctx, table, i);
}

/** The decision for route `i` when it is more than its one cluster: filters, replies, weights. */
function decideRule(ctx: RequestContext, table: RuleTable, i: i32): Decision {
  const d = ctx.decision, req = ctx.req!;
  // Not DIRECT: the route and its rule have their objects (core/blob.ts).
  const r = changetype<Route>(unchecked(table.routes[i]));
  const action = changetype<Action>(unchecked(table.actions[r.action]));
  // A preflight, or a redirect, is answered here whatever the backends; the first of the two wins.
  const filters = action.filters, redirect = filters.redirect, cors = filters.cors;
  if (cors !== null && (redirect === null || filters.corsFirst)) {
    const answer = preflightReply(ctx, cors, action, r);
    if (answer !== null) return answer;
  }
  if (redirect !== null) return redirectReply(ctx, redirect, action, r);
  // Gateway API: a rule with no usable backend answers 500, never falls through.
  if (action.totalWeight == 0) return d.reply(500, "no_backend", action);
  const b = action.backends.length == 1 ? unchecked(action.backends[0]) : pickBackend(action, req);
  if (b === null || b.unresolved) return d.reply(500, "backend_unresolved", action);
  // A backend's own RequestRedirect answers the requests its weight gives it.
  const backendRedirect = b.redirect;
  if (backendRedirect !== null) return redirectReply(ctx, backendRedirect, action, r);
  d.routeTo(changetype<usize>(b.clusterBytes), b.clusterBytes.byteLength, true);
  d.action = action;
  d.backend = b;
  d.route = r;
  if (action.hasFilters) d.corsOrigin = requestOps(filters, b.filters, req, ctx.target, r.path, d.ops);
  return d;
}

/**
 * The answer to a CORS preflight (an OPTIONS request with Access-Control-Request-Method and an
 * Origin), or null when the request is not one.
 */
function preflightReply(ctx: RequestContext, policy: CorsPolicy, action: Action, r: Route): Decision | null {
  if (ctx.method() != "OPTIONS") return null;
  const req = ctx.req!;
  const asked = req.header("access-control-request-method");
  if (asked === null) return null;
  const origin = req.header("origin");
  if (origin === null) return null; // not a CORS preflight: a plain OPTIONS request
  const d = ctx.decision;
  // Gateway API: a preflight from an origin the policy does not allow is answered here, without
  // any allow header, and never forwarded.
  if (!originAllowed(policy, origin)) {
    d.reply(403, "cors_origin_not_allowed", action);
  } else {
    d.reply(200, "cors_preflight", action);
    d.headers = preflightHeaders(policy, origin, asked, req.header("access-control-request-headers"));
  }
  d.route = r;
  return d;
}

/** The answer of a RequestRedirect (the rule's or the picked backend's): its status and Location. */
function redirectReply(ctx: RequestContext, op: RedirectOp, action: Action, r: Route): Decision {
  const d = ctx.decision.reply(op.status, "redirect", action);
  const s = ctx.req!.header(":scheme"), target = ctx.target;
  d.headers.push(["location", redirectLocation(op, s !== null ? s : "http", ctx.authority.host(), ctx.port(),
    target.path(), target.query(), r.path)]);
  d.route = r;
  return d;
}

/**
 * Fills a routed decision's action, backend and route (for a DIRECT route, only when asked: the
 * objects of a DIRECT route are made for the asking, core/blob.ts routeObjects).
 */
export function resolve(d: Decision, table: RuleTable): void {
  if (d.resolved) return;
  const r = routeObjects(table, d.routeIndex);
  const action = actionObjects(table, r.action);
  d.route = r;
  d.action = action;
  d.backend = unchecked(action.backends[0]);
  d.resolved = true;
}
