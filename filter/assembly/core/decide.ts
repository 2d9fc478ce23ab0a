// Per-request decision over a decoded rule table: pick the virtual host, the first matching route
// in precedence order, then the backend. Pure: reads the request through RequestView only.
import {
  Action, Backend, COND_HEADER_EXACT, COND_HEADER_REGEX, COND_QUERY_EXACT, COND_QUERY_REGEX, F_CORS, F_CORS_EXPOSE, F_REDIRECT, MODE_MESH, STICKY_COOKIE, STICKY_HEADER, PATH_EXACT, PATH_NONE, PATH_PREFIX,
  PATH_REGEX, Route, RouteIndex, RuleTable, VHost,
} from "./blob";
import { RequestView } from "./request";
import { originAllowed, preflightHeaders } from "./cors";
import { redirectLocation } from "./rewrite";

export const DECISION_PASS: i32 = 0; // not traffic the table knows: leave it alone
export const DECISION_ROUTE: i32 = 1; // send to backend
export const DECISION_REPLY: i32 = 2; // answer locally with status

export class Decision {
  kind: i32 = DECISION_PASS;
  /** The local reply's status; 200 when routed (what the backend is expected to answer). */
  status: u32 = 0;
  reason: string = "";
  action: Action | null = null;
  backend: Backend | null = null;
  /** The matched route: its PathPrefix is what ReplacePrefixMatch replaces. */
  route: Route | null = null;
  /** The request path without its query, and the query. */
  path: string = "";
  query: string = "";
  /** Headers of a local reply (a redirect's Location, a preflight's CORS headers). */
  headers: Array<string[]> = new Array<string[]>();
}

function reply(status: u32, reason: string, action: Action | null): Decision {
  const d = new Decision();
  d.kind = DECISION_REPLY;
  d.status = status;
  d.reason = reason;
  d.action = action;
  return d;
}

/** The request's path without its query, and the query's first value per name. */
class Target {
  path: string;
  query: string;
  private params: Map<string, string> | null = null;
  constructor(raw: string) {
    let end = raw.indexOf("#");
    if (end < 0) end = raw.length;
    const q = raw.indexOf("?");
    if (q >= 0 && q < end) {
      this.path = raw.substring(0, q);
      this.query = raw.substring(q + 1, end);
    } else {
      this.path = raw.substring(0, end);
      this.query = "";
    }
  }
  param(name: string): string | null {
    let p = this.params;
    if (p === null) {
      p = new Map<string, string>();
      const parts = this.query.split("&");
      for (let i = 0; i < parts.length; i++) {
        const kv = parts[i];
        if (kv.length == 0) continue;
        const eq = kv.indexOf("=");
        const k = eq < 0 ? kv : kv.substring(0, eq);
        // A repeated parameter: the first value counts, as in Envoy's query matching.
        if (!p.has(k)) p.set(k, eq < 0 ? "" : kv.substring(eq + 1));
      }
      this.params = p;
    }
    return p.has(name) ? p.get(name) : null;
  }
}

/** Segment-wise prefix: "/foo" matches "/foo" and "/foo/bar", not "/foobar". */
function prefixMatches(prefix: string, path: string): bool {
  if (prefix == "/") return true;
  if (!path.startsWith(prefix)) return false;
  return path.length == prefix.length || path.charCodeAt(prefix.length) == 0x2f;
}

function routeMatches(r: Route, req: RequestView, target: Target, method: string): bool {
  if (r.pathKind == PATH_EXACT) {
    if (target.path != r.path) return false;
  } else if (r.pathKind == PATH_PREFIX) {
    if (!prefixMatches(r.path, target.path)) return false;
  } else if (r.pathKind == PATH_REGEX) {
    if (!r.regex!.fullMatch(target.path)) return false;
  } else if (r.pathKind != PATH_NONE) {
    return false;
  }
  const m = r.method;
  if (m !== null && m != method) return false;
  for (let i = 0; i < r.conds.length; i++) {
    const c = unchecked(r.conds[i]);
    if (c.kind == COND_HEADER_EXACT) {
      const v = req.header(c.name);
      if (v === null || v != c.value) return false;
    } else if (c.kind == COND_QUERY_EXACT) {
      const v = target.param(c.name);
      if (v === null || v != c.value) return false;
    } else if (c.kind == COND_HEADER_REGEX) {
      const v = req.header(c.name);
      if (v === null || !c.regex!.fullMatch(v)) return false;
    } else if (c.kind == COND_QUERY_REGEX) {
      const v = target.param(c.name);
      if (v === null || !c.regex!.fullMatch(v)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** The lowest-numbered (highest-precedence) route of `list` below `best` that matches, else `best`. */
function firstIn(table: RuleTable, list: Array<i32>, best: i32, req: RequestView, target: Target, method: string): i32 {
  for (let k = 0; k < list.length; k++) {
    const i = unchecked(list[k]);
    if (best >= 0 && i >= best) break;
    if (routeMatches(unchecked(table.routes[i]), req, target, method)) return i;
  }
  return best;
}

/**
 * The highest-precedence matching route of a virtual host, or -1. Only routes that can match the
 * path are tried: those for this exact path, the regular expressions, and those for each of the
 * path's segment prefixes. Route order is precedence order (hostname specificity first, then the
 * path rules), so the lowest matching index wins.
 */
function firstMatch(table: RuleTable, idx: RouteIndex, req: RequestView, target: Target, method: string): i32 {
  let best: i32 = -1;
  const path = target.path;
  if (idx.exact.has(path)) best = firstIn(table, idx.exact.get(path), best, req, target, method);
  best = firstIn(table, idx.regex, best, req, target, method);
  // "/a/b/" tries "/a/b", "/a", then "/": exactly the prefixes that match it segment-wise.
  let p = path;
  while (true) {
    let end = p.length;
    while (end > 0 && p.charCodeAt(end - 1) == 0x2f) end--;
    p = p.substring(0, end);
    const key = end == 0 ? "/" : p;
    if (idx.prefix.has(key)) best = firstIn(table, idx.prefix.get(key), best, req, target, method);
    if (end == 0) break;
    p = p.substring(0, p.lastIndexOf("/") + 1);
  }
  return best;
}

/**
 * The virtual host filed under `key` that takes the request's port: one kept for this proxy's own
 * namespace (a GAMMA consumer route, a Service's short name) first, then one for every client. When
 * the namespace is unknown, every host applies.
 */
function vhostFor(table: RuleTable, key: string, port: u32): VHost | null {
  if (!table.hostIndex.has(key)) return null;
  const list = table.hostIndex.get(key);
  const own = table.clientNamespace;
  let any: VHost | null = null;
  for (let i = 0; i < list.length; i++) {
    const vh = unchecked(table.vhosts[unchecked(list[i])]);
    // A GAMMA route is per Service port, a Gateway route per listener port (0: not known).
    if (vh.port != 0 && vh.port != port) continue;
    if (vh.clients.length == 0 || own.length == 0) {
      if (any === null) any = vh;
      if (own.length == 0) return vh;
    } else if (vh.clients == own) {
      return vh;
    }
  }
  return any;
}

/** Most specific first: the exact host, then ever shorter wildcard suffixes, then "*". */
function findVhost(table: RuleTable, host: string, port: u32): VHost | null {
  let vh = vhostFor(table, host, port);
  if (vh !== null) return vh;
  let dot = host.indexOf(".");
  while (dot >= 0) {
    vh = vhostFor(table, "*" + host.substring(dot), port);
    if (vh !== null) return vh;
    dot = host.indexOf(".", dot + 1);
  }
  return vhostFor(table, "*", port);
}

/** ASCII lower case, allocating only when there is an upper-case letter (host names are ASCII). */
function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.toLowerCase();
  }
  return s;
}

/** Host lower-cased and its port (80 when the authority names none). */
class Authority {
  host: string;
  port: u32 = 80;
  hasPort: bool = false;
  constructor(raw: string) {
    let end = raw.length;
    const close = raw.lastIndexOf("]");
    const colon = raw.lastIndexOf(":");
    if (colon > close) {
      end = colon;
      this.hasPort = true;
      const p = I32.parseInt(raw.substring(colon + 1), 10);
      this.port = isNaN(<f64>p) || p < 0 || p > 65535 ? 0 : <u32>p;
    }
    this.host = asciiLower(raw.substring(0, end));
  }
}

/** A cookie's value from a Cookie header (`a=1; b=2`), or null. */
export function cookieValue(header: string, name: string): string | null {
  const parts = header.split(";");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i].trim();
    const eq = p.indexOf("=");
    if (eq > 0 && p.substring(0, eq) == name) return p.substring(eq + 1);
  }
  return null;
}

/**
 * The key a weighted pick hashes: the sticky header's or cookie's value when the rule has one and
 * the request carries it (one client, one backend), else the request's own key.
 */
function stickyKey(a: Action, req: RequestView): u32 {
  if (a.stickyFrom == STICKY_HEADER) {
    const v = req.header(a.stickyKey);
    if (v !== null) return hashKey(v);
  } else if (a.stickyFrom == STICKY_COOKIE) {
    const c = req.header("cookie");
    const v = c !== null ? cookieValue(c, a.stickyKey) : null;
    if (v !== null) return hashKey(v);
  }
  return req.requestKey();
}

/** Picks a backend by weight: `key` is spread over the total weight. */
function pickBackend(a: Action, key: u32): Backend | null {
  let x = key % a.totalWeight;
  for (let i = 0; i < a.backends.length; i++) {
    const b = unchecked(a.backends[i]);
    if (x < b.weight) return b;
    x -= b.weight;
  }
  return null;
}

/**
 * FNV-1a over a string's UTF-16 code units, then murmur3's finaliser so that ids differing only in
 * their last characters (req-1, req-2, ...) still spread evenly over small weights.
 */
export function hashKey(s: string): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h = (h ^ <u32>s.charCodeAt(i)) * 0x01000193;
  }
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

/**
 * Decides one request. Weighted picks use `req.requestKey()`, which callers derive from the request
 * id so that a request's fate does not depend on which host or worker runs it.
 */
export function decide(table: RuleTable, req: RequestView): Decision {
  const authority = req.header(":authority");
  if (authority === null) return new Decision();
  const a = new Authority(authority);
  // The listener or Service port: the connection's, else (a host that does not say) the one named in
  // Host, else the scheme's default. A port in Host is never part of the hostname.
  let port = req.destinationPort();
  if (port == 0) {
    port = a.port;
    if (!a.hasPort) {
      const scheme = req.header(":scheme");
      port = scheme !== null && scheme == "https" ? 443 : 80;
    }
  }
  const vh = findVhost(table, a.host, port);
  if (vh === null) return new Decision();
  const rawPath = req.header(":path");
  const target = new Target(rawPath !== null ? rawPath : "/");
  const m = req.header(":method");
  const method = m !== null ? m : "GET";
  const i = firstMatch(table, vh.index, req, target, method);
  if (i >= 0) {
    const r = unchecked(table.routes[i]);
    const action = unchecked(table.actions[r.action]);
    // A preflight from an allowed origin, or a redirect, is answered here whatever the backends.
    for (let k = 0; k < action.filters.length; k++) {
      const op = unchecked(action.filters[k]);
      const asked = op.kind == F_CORS && method == "OPTIONS" ? req.header("access-control-request-method") : null;
      if (asked !== null) {
        const origin = req.header("origin");
        if (origin === null || !originAllowed(op.a, origin)) continue;
        const d = reply(200, "cors_preflight", action);
        const next = k + 1 < action.filters.length ? unchecked(action.filters[k + 1]) : null;
        const expose = next !== null && next.kind == F_CORS_EXPOSE ? next.a : "";
        d.headers = preflightHeaders(op, origin, asked, req.header("access-control-request-headers"), expose);
        d.route = r;
        return d;
      }
      if (op.kind != F_REDIRECT) continue;
      const d = reply(op.c >>> 16, "redirect", action);
      const s = req.header(":scheme");
      d.headers.push(["location",
        redirectLocation(op, s !== null ? s : "http", a.host, port, target.path, target.query, r.path)]);
      d.route = r;
      return d;
    }
    // Gateway API: a rule with no usable backend answers 500, never falls through.
    if (action.totalWeight == 0) return reply(500, "no_backend", action);
    const b = action.backends.length == 1 ? unchecked(action.backends[0]) : pickBackend(action, stickyKey(action, req));
    if (b === null || b.unresolved) return reply(500, "backend_unresolved", action);
    const d = new Decision();
    d.kind = DECISION_ROUTE;
    d.status = 200;
    d.action = action;
    d.backend = b;
    d.route = r;
    d.path = target.path;
    d.query = target.query;
    return d;
  }
  return reply(404, "no_matching_route", null);
}
