// Per-request decision over a decoded rule table: pick the virtual host, the first matching route
// in precedence order, then the backend. Pure: reads the request through RequestView only.
import {
  Action, Backend, COND_HEADER_EXACT, COND_HEADER_REGEX, COND_QUERY_EXACT, COND_QUERY_REGEX,
  HOST_ANY, HOST_EXACT, HOST_WILDCARD, STICKY_COOKIE, STICKY_HEADER, PATH_EXACT, PATH_NONE, PATH_PREFIX, PATH_REGEX, ROOT_HASH, Route,
  RuleTable,
} from "./blob";
import {
  bytesEqual, bytesOf, equalsLowered, HASH_SEED, hashFinish, hashLowerBytes, hashStep, hashString, tailWord,
} from "./hash";
import { frontendOf } from "./frontends";
import { grown } from "./grown";
import { findSlot, runItem, runLength } from "./hash_index";
import {
  DIRECT, HAS_EXACT, HAS_PREFIX, HotTable, PLAIN, RANK_FALLBACK, RANK_OWN, RT_CLUSTER, RT_CLUSTER_LEN, RT_FLAGS,
  RT_PATH, RT_PATH_LEN, RT_SIZE, VH_EXACT, VH_EXACT_ITEMS, VH_EXACT_MASK, VH_HAS, VH_KIND, VH_LENGTHS, VH_NAME, VH_NAME_LEN,
  VH_PORT, VH_PREFIX, VH_PREFIX_ITEMS, VH_PREFIX_MASK, VH_RANK, VH_REGEX, VH_REGEX_COUNT, VH_SIZE,
} from "./hot_table";
import { Bytes, RequestView } from "./request";
import { originAllowed, preflightHeaders } from "./cors";
import { CorsPolicy, RedirectOp } from "./filters";
import { HostOps } from "./host_ops";
import { redirectLocation } from "./rewrite";
import { requestOps } from "./route_ops";
import { Target } from "./target";

export { Target };

export const DECISION_PASS: i32 = 0; // not traffic the table knows: leave it alone
export const DECISION_ROUTE: i32 = 1; // send to backend
export const DECISION_REPLY: i32 = 2; // answer locally with status

/**
 * What decide() found. Which fields hold depends on `kind`, so a pass writes none of the others:
 * a reply has status, reason, action (null when no rule matched), headers and, for a redirect or a
 * preflight, route; a routed request has status 200, the cluster and, once `resolved`, action,
 * backend and route.
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
  /** The request's path and query. */
  target: Target = target;
  /** Headers of a local reply (a redirect's Location, a preflight's CORS headers). */
  headers: Array<string[]> = NO_HEADERS;
  /** Routed: what the host is to do to the request besides routing it (its filters), in order. */
  ops: HostOps = new HostOps();
  /** Routed: the request's Origin when the rule's CORS policy allows it (core/route_ops.ts, responseOps). */
  corsOrigin: string | null = null;
}

const NO_HEADERS = new Array<string[]>(0);

/** The `:authority` as the host's bytes: the hostname (before a port) and the port. */
class Authority {
  raw: Bytes = new Bytes();
  hostLen: i32 = 0;
  /** The port named in Host, else 80. */
  port: u32 = 80;
  hasPort: bool = false;
  private hostString: string | null = null;

  forgetHost(): void {
    this.hostString = null;
  }
  /** The hostname, lower-cased (for a redirect's Location). */
  host(): string {
    const known = this.hostString;
    if (known !== null) return known;
    let s = String.UTF8.decodeUnsafe(this.raw.ptr, <usize>this.hostLen);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x41 && c <= 0x5a) {
        s = s.toLowerCase();
        break;
      }
    }
    this.hostString = s;
    return s;
  }
}

/** Decimal digits as a port; 0 when there are none or the number is out of range. */
function parsePort(p: usize, n: i32): u32 {
  let v: u32 = 0;
  if (n == 0) return 0;
  for (let i = 0; i < n; i++) {
    const d = <u32>load<u8>(p + i) - 0x30;
    if (d > 9) return i == 0 ? 0 : v;
    v = v * 10 + d;
    if (v > 65535) return 0;
  }
  return v;
}

// One request is decided at a time (a VM is single-threaded): its state lives in these, reset per
// request, so deciding allocates nothing on the common path.
const target = new Target();
const authority = new Authority();
const decision = new Decision();

/**
 * The lookup reads these globals and raw addresses only (core/hot_table.ts): the served table's
 * words are copied here once per table, so a request loads no object to find them.
 */
let served: RuleTable | null = null;
let servedHot: HotTable | null = null;
let request: RequestView | null = null;
let hostSlots: usize = 0, hostMask: u32 = 0, hostItems: usize = 0;
let vhostRecords: usize = 0, routeRecords: usize = 0;

function serve(table: RuleTable): void {
  const hot = table.hot;
  served = table;
  servedHot = hot;
  hostSlots = hot.hostSlots;
  hostMask = hot.hostMask;
  hostItems = hot.hostItems;
  vhostRecords = hot.vhosts;
  routeRecords = hot.routes;
}

/** Makes room for more segment prefixes (core/grown.ts); the path's length bounds it. */
function growPrefixes(): i32 {
  target.prefixEnds = grown<i32>(target.prefixEnds);
  target.prefixHashes = grown<u32>(target.prefixHashes);
  return target.prefixEnds.length;
}

/**
 * Reads the request's `:path` (Target.raw) in one pass, eight bytes at a time: where the path and
 * query end, the path's hash, and the segment prefixes of a length in `lengths` (bit n: n bytes,
 * bit 63: 63 or more; RouteIndex.prefixLengths) with their hashes — the state so far finished with
 * the prefix's bytes of the current word.
 */
function scanPath(lengths: u64): void {
  const p = target.raw.ptr, n = target.raw.len;
  let ends = changetype<usize>(target.prefixEnds), hashes = changetype<usize>(target.prefixHashes);
  let room = target.prefixEnds.length;
  let count = 0, i = 0, end = n, h = HASH_SEED, pathHash: u32 = 0;
  // The high bit of the previous byte's "/" test: a "/" after a "/" ends no segment, nor does the first.
  let carry: u64 = 0x80;
  while (i < n) {
    const take = min(n - i, 8);
    const w = take == 8 ? load<u64>(p + <usize>i) : tailWord(p + <usize>i, take);
    let slashes = bytesOf(w, 0x2f);
    const stops = bytesOf(w, 0x3f) | bytesOf(w, 0x23);
    if (stops != 0) slashes &= (stops & (~stops + 1)) - 1; // bytes before the first "?" or "#"
    let segments = slashes & ~((slashes << 8) | carry);
    carry = slashes >> 56;
    // A prefix ending in this word is the state so far finished with its bytes of the word.
    while (segments != 0) {
      const bit = ctz(segments);
      segments &= segments - 1;
      const at = i + <i32>(bit >> 3);
      if (((lengths >> <u64>min(at, 63)) & 1) == 0) continue;
      if (count == room) {
        room = growPrefixes();
        ends = changetype<usize>(target.prefixEnds);
        hashes = changetype<usize>(target.prefixHashes);
      }
      store<i32>(ends + (<usize>count << 2), at);
      store<u32>(hashes + (<usize>count << 2), hashFinish(h, w & ((<u64>1 << (bit & ~7)) - 1), at));
      count++;
    }
    if (stops != 0) {
      const bit = ctz(stops);
      end = i + <i32>(bit >> 3);
      pathHash = hashFinish(h, w & ((<u64>1 << (bit & ~7)) - 1), end);
      break;
    }
    if (take < 8) pathHash = hashFinish(h, w, n);
    else h = hashStep(h, w);
    i += take;
  }
  // A path of whole words, and no "?" or "#": its hash is the state finished with no more bytes.
  if (end == n && (n & 7) == 0) pathHash = hashFinish(h, 0, n);
  target.pathHash = pathHash;
  target.pathEnd = end;
  let queryEnd = end;
  if (end < n && load<u8>(p + <usize>end) == 0x3f) {
    queryEnd = end + 1;
    while (queryEnd < n && load<u8>(p + <usize>queryEnd) != 0x23) queryEnd++;
    target.queryStart = end + 1;
  } else {
    target.queryStart = end;
  }
  target.queryEnd = queryEnd;
  target.prefixCount = count;
  target.forgetStrings();
}

/** Reads `len` bytes at `ptr` as a request's `:path` (scanPath); the Target holds until the next call. */
export function scanTarget(ptr: usize, len: i32, lengths: u64): Target {
  target.raw.ptr = ptr;
  target.raw.len = len;
  scanPath(lengths);
  return target;
}

/** Reads the request's `:authority` (Authority.raw): the hostname's length and the port. */
function scanAuthority(): void {
  const p = authority.raw.ptr, n = authority.raw.len;
  // The last ":" or "]", eight bytes at a time: a port follows a ":" unless a "]" (the end of an
  // IPv6 literal) comes after it.
  let last = -1;
  for (let i = 0; i < n; i += 8) {
    const take = min(n - i, 8);
    const w = take == 8 ? load<u64>(p + <usize>i) : tailWord(p + <usize>i, take);
    const marks = bytesOf(w, 0x3a) | bytesOf(w, 0x5d);
    if (marks != 0) last = i + <i32>((63 - clz(marks)) >> 3);
  }
  const colon = last >= 0 && load<u8>(p + <usize>last) == 0x3a ? last : -1;
  authority.forgetHost();
  authority.hasPort = colon >= 0;
  authority.hostLen = colon >= 0 ? colon : n;
  authority.port = colon >= 0 ? parsePort(p + <usize>colon + 1, n - colon - 1) : 80;
}

/** What is read lazily, at most once per request: the port, the method. */
class Lazy {
  port: i64 = -1;
  method: string | null = null;
  reset(): void {
    this.port = -1;
    this.method = null;
  }
}
const lazy = new Lazy();
const conditionValue = new Bytes();

/**
 * The listener or Service port: the connection's, else (a host that does not say) the one named in
 * Host, else the scheme's default. A port in Host is never part of the hostname. Read only when a
 * virtual host or a redirect depends on it.
 */
function requestPort(req: RequestView): u32 {
  if (lazy.port >= 0) return <u32>lazy.port;
  let port = req.destinationPort();
  if (port == 0) {
    port = authority.port;
    if (!authority.hasPort) {
      const scheme = req.header(":scheme");
      port = scheme !== null && scheme == "https" ? 443 : 80;
    }
  }
  lazy.port = port;
  return port;
}

function requestMethod(req: RequestView): string {
  const known = lazy.method;
  if (known !== null) return known;
  const h = req.header(":method");
  const m = h !== null ? h : "GET";
  lazy.method = m;
  return m;
}

function reply(status: u32, reason: string, action: Action | null): Decision {
  const d = decision;
  d.kind = DECISION_REPLY;
  d.resolved = true;
  d.status = status;
  d.reason = reason;
  d.action = action;
  d.backend = null;
  d.route = null;
  d.headers = new Array<string[]>();
  return d;
}

function pathMatches(r: Route, t: Target): bool {
  const k = r.pathKind;
  if (k == PATH_REGEX) return r.regex!.fullMatch(t.path());
  return pathBytesMatch(k, changetype<usize>(r.pathBytes), r.pathBytes.byteLength);
}

/** Whether the request's path matches a path of kind `k` (not a regular expression) with these bytes. */
function pathBytesMatch(k: u32, path: usize, n: i32): bool {
  const p = target.raw.ptr, end = target.pathEnd;
  if (k == PATH_EXACT) return n == end && memory.compare(p, path, <usize>n) == 0;
  if (k == PATH_PREFIX) {
    // Segment-wise: "/foo" matches "/foo" and "/foo/bar", not "/foobar"; "/" matches everything.
    if (n == 1 && load<u8>(path) == 0x2f) return true;
    if (n > end || memory.compare(p, path, <usize>n) != 0) return false;
    return n == end || load<u8>(p + <usize>n) == 0x2f;
  }
  return k == PATH_NONE;
}

function routeMatches(r: Route, req: RequestView, t: Target): bool {
  if (!pathMatches(r, t)) return false;
  const m = r.method;
  if (m !== null && m != requestMethod(req)) return false;
  // Values are compared as bytes; a string is made only for a regular expression.
  const v = conditionValue;
  for (let i = 0; i < r.conds.length; i++) {
    const c = unchecked(r.conds[i]);
    const k = c.kind;
    const present = k == COND_HEADER_EXACT || k == COND_HEADER_REGEX
      ? req.peekHeader(c.nameBytes, v)
      : k == COND_QUERY_EXACT || k == COND_QUERY_REGEX ? t.findParam(c.nameBytes, v) : false;
    if (!present) return false;
    if (k == COND_HEADER_EXACT || k == COND_QUERY_EXACT) {
      if (!bytesEqual(v.ptr, v.len, c.valueBytes)) return false;
    } else if (!c.regex!.fullMatch(String.UTF8.decodeUnsafe(v.ptr, <usize>v.len))) {
      return false;
    }
  }
  return true;
}

/** Route `i` with a method, a condition or a regular expression: matched on its objects. */
function routeMatchesObjects(i: i32): bool {
  return routeMatches(unchecked(served!.routes[i]), request!, target);
}

/** Whether route `i` matches the request: on its record when the path alone decides. */
// @ts-ignore: decorator
@inline function routeAt(i: i32): bool {
  const rec = routeRecords + <usize>i * RT_SIZE;
  const flags = load<u32>(rec, RT_FLAGS);
  return (flags & PLAIN) != 0
    ? pathBytesMatch(flags & 0xff, <usize>load<u32>(rec, RT_PATH), <i32>load<u32>(rec, RT_PATH_LEN))
    : routeMatchesObjects(i);
}

/**
 * The lowest-numbered (highest-precedence) route filed under hash `h` below `best` that matches,
 * else `best`. Each run is in precedence order.
 */
function filedUnder(slots: usize, mask: u32, items: usize, h: u32, best: i32): i32 {
  const slot = findSlot(slots, mask, h);
  if (slot == 0) return best;
  for (let k = 0, n = runLength(slot); k < n; k++) {
    const i = runItem(slot, items, k);
    if (best >= 0 && i >= best) break;
    if (routeAt(i)) return i;
  }
  return best;
}

/**
 * The highest-precedence matching route of virtual host `vh` (a hot record), or -1. Only routes
 * that can match the path are tried: those for this exact path, the regular expressions, and those
 * for each of the path's segment prefixes ("/a/b/" tries "/a/b", "/a", then "/"), found by the hash
 * of the bytes so far. Route order is precedence order (hostname specificity first, then the path
 * rules), so the lowest matching index wins.
 */
function firstMatch(vh: usize): i32 {
  let best: i32 = -1;
  const has = load<u32>(vh, VH_HAS);
  if ((has & HAS_EXACT) != 0) {
    best = filedUnder(<usize>load<u32>(vh, VH_EXACT), load<u32>(vh, VH_EXACT_MASK), <usize>load<u32>(vh, VH_EXACT_ITEMS),
      target.pathHash, best);
  }
  const regex = <usize>load<u32>(vh, VH_REGEX);
  for (let k = 0, n = <i32>load<u32>(vh, VH_REGEX_COUNT); k < n; k++) {
    const i = load<i32>(regex + (<usize>k << 2));
    if (best >= 0 && i >= best) break;
    if (routeAt(i)) {
      best = i;
      break;
    }
  }
  if ((has & HAS_PREFIX) == 0) return best;
  const slots = <usize>load<u32>(vh, VH_PREFIX), mask = load<u32>(vh, VH_PREFIX_MASK);
  const items = <usize>load<u32>(vh, VH_PREFIX_ITEMS);
  // Only lengths some prefix has were hashed (scanPath).
  const hashes = changetype<usize>(target.prefixHashes);
  for (let k = 0, n = target.prefixCount; k < n; k++) {
    best = filedUnder(slots, mask, items, load<u32>(hashes + (<usize>k << 2)), best);
  }
  const end = target.pathEnd;
  const wholeIsPrefix = end > 0 && load<u8>(target.raw.ptr + <usize>(end - 1)) != 0x2f;
  if (wholeIsPrefix && ((load<u64>(vh, VH_LENGTHS) >> <u64>min(end, 63)) & 1) != 0) {
    best = filedUnder(slots, mask, items, target.pathHash, best);
  }
  return filedUnder(slots, mask, items, ROOT_HASH, best);
}

/**
 * Whether host record `vh` is the request's hostname from byte `from` on: an exact host the whole
 * name, a wildcard "*" + the rest (from a "."). Hash lookups only find candidates.
 */
function nameMatches(vh: usize, from: i32, wildcard: bool): bool {
  if (load<u32>(vh, VH_KIND) != <u32>(wildcard ? HOST_WILDCARD : HOST_EXACT)) return false;
  const skip = wildcard ? 1 : 0;
  const len = authority.hostLen - from;
  if (<i32>load<u32>(vh, VH_NAME_LEN) != len + skip) return false;
  return equalsLowered(authority.raw.ptr + <usize>from, <usize>load<u32>(vh, VH_NAME) + <usize>skip, len);
}

function portOfRequest(): u32 {
  return requestPort(request!);
}

/**
 * The virtual host (a hot record) filed under hash `h` that takes the request's port, or 0: one kept
 * for this proxy's own namespace (a GAMMA consumer route, a Service's short name) first, then one
 * for every client (RANK_*). When the namespace is unknown, every host applies.
 */
function vhostFor(h: u32, from: i32, wildcard: bool, any: bool): usize {
  const slot = findSlot(hostSlots, hostMask, h);
  if (slot == 0) return 0;
  let fallback: usize = 0;
  for (let k = 0, n = runLength(slot); k < n; k++) {
    const vh = vhostRecords + <usize>runItem(slot, hostItems, k) * VH_SIZE;
    if (any ? load<u32>(vh, VH_KIND) != HOST_ANY : !nameMatches(vh, from, wildcard)) continue;
    // A GAMMA route is per Service port, a Gateway route per listener port (0: not known).
    const port = load<u32>(vh, VH_PORT);
    if (port != 0 && port != portOfRequest()) continue;
    const rank = load<u32>(vh, VH_RANK);
    if (rank == RANK_OWN) return vh;
    if (rank == RANK_FALLBACK && fallback == 0) fallback = vh;
  }
  return fallback;
}

const STAR_HASH = hashString("*");

/**
 * Most specific first: the exact host, then ever shorter wildcard suffixes (a wildcard host is
 * filed under its suffix from the "."), then "*".
 */
function findVhost(): usize {
  const p = authority.raw.ptr, n = authority.hostLen;
  let vh = vhostFor(hashLowerBytes(p, n), 0, false, false);
  if (vh != 0) return vh;
  for (let dot = 0; dot < n; dot++) {
    if (load<u8>(p + dot) != 0x2e) continue;
    vh = vhostFor(hashLowerBytes(p + dot, n - dot), dot, true, false);
    if (vh != 0) return vh;
  }
  return vhostFor(STAR_HASH, 0, false, true);
}

/**
 * GAMMA: a request addressed to a Service's frontend takes that Service's virtual host (0: none for
 * its port, so the request passes), whatever its Host (core/frontends.ts); any other by Host.
 */
function vhostOfRequest(table: RuleTable, req: RequestView): usize {
  const frontends = table.frontendTable;
  const f = frontendOf(frontends, req);
  if (f < 0) return findVhost();
  lazy.port = frontends.portOf(f);
  return frontends.vhostOf(f);
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

const ROOT_PATH = memory.data<u8>([0x2f]);
const AUTHORITY_NAME = String.UTF8.encode(":authority");
const PATH_NAME = String.UTF8.encode(":path");

/**
 * Decides one request. Weighted picks use `req.requestKey()`, which callers derive from the request
 * id so that a request's fate does not depend on which host or worker runs it. The Decision (and its
 * Target) is reused: it is valid until the next call.
 */
export function decide(table: RuleTable, req: RequestView): Decision {
  const d = decision;
  d.kind = DECISION_PASS;
  d.status = 0;
  d.ops.clear();
  d.corsOrigin = null;
  lazy.reset();
  if (servedHot !== table.hot) serve(table);
  request = req;
  if (!req.headerBytes(AUTHORITY_NAME, authority.raw)) return d;
  scanAuthority();
  const vh = vhostOfRequest(table, req);
  if (vh == 0) return d;
  if (!req.headerBytes(PATH_NAME, target.raw)) {
    target.raw.ptr = ROOT_PATH;
    target.raw.len = 1;
  }
  scanPath(load<u64>(vh, VH_LENGTHS));
  const i = firstMatch(vh);
  if (i < 0) return reply(404, "no_matching_route", null);
  d.routeIndex = i;
  const rec = routeRecords + <usize>i * RT_SIZE;
  if ((load<u32>(rec, RT_FLAGS) & DIRECT) != 0) {
    d.kind = DECISION_ROUTE;
    d.status = 200;
    d.clusterPtr = <usize>load<u32>(rec, RT_CLUSTER);
    d.clusterLen = <i32>load<u32>(rec, RT_CLUSTER_LEN);
    d.resolved = false;
    return d;
  }
  return decideRule(table, req, i);
}

/** The decision for route `i` when it is more than its one cluster: filters, replies, weights. */
function decideRule(table: RuleTable, req: RequestView, i: i32): Decision {
  const d = decision;
  const r = unchecked(table.routes[i]);
  const action = unchecked(table.actions[r.action]);
  // A preflight, or a redirect, is answered here whatever the backends; the first of the two wins.
  const filters = action.filters, redirect = filters.redirect, cors = filters.cors;
  if (cors !== null && (redirect === null || filters.corsFirst)) {
    const answer = preflightReply(cors, action, r, req);
    if (answer !== null) return answer;
  }
  if (redirect !== null) return redirectReply(redirect, action, r, req);
  // Gateway API: a rule with no usable backend answers 500, never falls through.
  if (action.totalWeight == 0) return reply(500, "no_backend", action);
  const b = action.backends.length == 1 ? unchecked(action.backends[0]) : pickBackend(action, stickyKey(action, req));
  if (b === null || b.unresolved) return reply(500, "backend_unresolved", action);
  // A backend's own RequestRedirect answers the requests its weight gives it.
  const backendRedirect = b.redirect;
  if (backendRedirect !== null) return redirectReply(backendRedirect, action, r, req);
  d.kind = DECISION_ROUTE;
  d.status = 200;
  d.clusterPtr = changetype<usize>(b.clusterBytes);
  d.clusterLen = b.clusterBytes.byteLength;
  d.resolved = true;
  d.action = action;
  d.backend = b;
  d.route = r;
  if (action.hasFilters) d.corsOrigin = requestOps(filters, b.filters, req, target, r.path, d.ops);
  return d;
}

/**
 * The answer to a CORS preflight (an OPTIONS request with Access-Control-Request-Method and an
 * Origin), or null when the request is not one.
 */
function preflightReply(policy: CorsPolicy, action: Action, r: Route, req: RequestView): Decision | null {
  if (requestMethod(req) != "OPTIONS") return null;
  const asked = req.header("access-control-request-method");
  if (asked === null) return null;
  const origin = req.header("origin");
  if (origin === null) return null; // not a CORS preflight: a plain OPTIONS request
  // Gateway API: a preflight from an origin the policy does not allow is answered here, without
  // any allow header, and never forwarded.
  if (!originAllowed(policy, origin)) {
    const denied = reply(403, "cors_origin_not_allowed", action);
    denied.route = r;
    return denied;
  }
  const out = reply(200, "cors_preflight", action);
  out.headers = preflightHeaders(policy, origin, asked, req.header("access-control-request-headers"));
  out.route = r;
  return out;
}

/** The answer of a RequestRedirect (the rule's or the picked backend's): its status and Location. */
function redirectReply(op: RedirectOp, action: Action, r: Route, req: RequestView): Decision {
  const out = reply(op.status, "redirect", action);
  const s = req.header(":scheme");
  out.headers.push(["location", redirectLocation(op, s !== null ? s : "http", authority.host(), requestPort(req),
    target.path(), target.query(), r.path)]);
  out.route = r;
  return out;
}

/** Fills a routed decision's action, backend and route (for a DIRECT route, only when asked). */
export function resolve(d: Decision): void {
  if (d.resolved) return;
  const table = served!;
  const r = unchecked(table.routes[d.routeIndex]);
  const action = unchecked(table.actions[r.action]);
  d.route = r;
  d.action = action;
  d.backend = unchecked(action.backends[0]);
  d.resolved = true;
}
