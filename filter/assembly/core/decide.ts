// Per-request decision over a decoded rule table: pick the virtual host, the first matching route
// in precedence order, then the backend. Pure: reads the request through RequestView only.
import {
  Action, Backend, COND_HEADER_EXACT, COND_HEADER_REGEX, COND_QUERY_EXACT, COND_QUERY_REGEX, F_CORS, F_CORS_EXPOSE, F_REDIRECT,
  HOST_ANY, HOST_EXACT, HOST_WILDCARD, STICKY_COOKIE, STICKY_HEADER, PATH_EXACT, PATH_NONE, PATH_PREFIX, PATH_REGEX, ROOT_HASH, Route, RouteIndex,
  RuleTable, VHost,
} from "./blob";
import {
  bytesEqual, bytesOf, equalsLowered, HASH_SEED, hashFinish, hashLowerBytes, hashStep, hashString, tailWord,
} from "./hash";
import { grown } from "./grown";
import { HashIndex } from "./hash_index";
import { Bytes, RequestView } from "./request";
import { originAllowed, preflightHeaders } from "./cors";
import { redirectLocation } from "./rewrite";

export const DECISION_PASS: i32 = 0; // not traffic the table knows: leave it alone
export const DECISION_ROUTE: i32 = 1; // send to backend
export const DECISION_REPLY: i32 = 2; // answer locally with status

/**
 * What decide() found. Which fields hold depends on `kind`, so a pass writes none of the others:
 * a reply has status, reason, action (null when no rule matched), headers and, for a redirect or a
 * preflight, route; a routed request has status 200, action, backend and route.
 */
export class Decision {
  kind: i32 = DECISION_PASS;
  /** The local reply's status; 200 when routed (what the backend is expected to answer). */
  status: u32 = 0;
  reason: string = "";
  action: Action | null = null;
  backend: Backend | null = null;
  /** The matched route: its PathPrefix is what ReplacePrefixMatch replaces. */
  route: Route | null = null;
  /** The request's path and query. */
  target: Target = target;
  /** Headers of a local reply (a redirect's Location, a preflight's CORS headers). */
  headers: Array<string[]> = NO_HEADERS;
}

const NO_HEADERS = new Array<string[]>(0);
/** Segment prefixes Target.reset() has room for at first; a deeper path makes room once. */
const SEGMENTS = 32;

/**
 * The request's `:path` as the host's bytes: the path ends at "?" or "#", the query runs from "?"
 * to "#". Strings are made only when a rule needs one (a regular expression, a rewrite, a redirect).
 */
export class Target {
  raw: Bytes = new Bytes();
  pathEnd: i32 = 0;
  queryStart: i32 = 0;
  queryEnd: i32 = 0;
  /** The hash of the whole path (core/hash.ts). */
  pathHash: u32 = 0;
  /**
   * The segment prefixes some prefix rule could match, by their length, and their hashes: the
   * bytes before a "/" unless they end in "/" themselves ("/a/b/" has "/a" and "/a/b").
   */
  prefixEnds: StaticArray<i32> = new StaticArray<i32>(SEGMENTS);
  prefixHashes: StaticArray<u32> = new StaticArray<u32>(SEGMENTS);
  prefixCount: i32 = 0;
  private pathString: string | null = null;
  private queryString: string | null = null;

  /**
   * One pass over the bytes, eight at a time: where the path and query end, the path's hash, and
   * the segment prefixes of a length in `lengths` (bit n: n bytes, bit 63: 63 or more;
   * RouteIndex.prefixLengths) with their hashes — the state so far finished with the prefix's bytes
   * of the current word.
   */
  reset(lengths: u64): void {
    const p = this.raw.ptr, n = this.raw.len;
    let ends = this.prefixEnds, hashes = this.prefixHashes;
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
        if (count == ends.length) {
          // The path's length bounds the room (core/grown.ts).
          ends = grown<i32>(ends);
          hashes = grown<u32>(hashes);
          this.prefixEnds = ends;
          this.prefixHashes = hashes;
        }
        unchecked(ends[count] = at);
        unchecked(hashes[count] = hashFinish(h, w & ((<u64>1 << (bit & ~7)) - 1), at));
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
    this.pathHash = pathHash;
    this.pathEnd = end;
    let queryEnd = end;
    if (end < n && load<u8>(p + <usize>end) == 0x3f) {
      queryEnd = end + 1;
      while (queryEnd < n && load<u8>(p + <usize>queryEnd) != 0x23) queryEnd++;
      this.queryStart = end + 1;
    } else {
      this.queryStart = end;
    }
    this.queryEnd = queryEnd;
    this.prefixCount = count;
    if (this.pathString !== null) this.pathString = null;
    if (this.queryString !== null) this.queryString = null;
  }
  path(): string {
    const known = this.pathString;
    if (known !== null) return known;
    const s = String.UTF8.decodeUnsafe(this.raw.ptr, <usize>this.pathEnd);
    this.pathString = s;
    return s;
  }
  query(): string {
    const known = this.queryString;
    if (known !== null) return known;
    const s = String.UTF8.decodeUnsafe(this.raw.ptr + <usize>this.queryStart, <usize>(this.queryEnd - this.queryStart));
    this.queryString = s;
    return s;
  }
  /**
   * Finds the first value of query parameter `name` (UTF-8), as Envoy's query matching takes it: the
   * bytes after "=" up to the next "&" ("" without "="). Leaves it in `found`; false when absent.
   */
  findParam(name: ArrayBuffer, found: Bytes): bool {
    const p = this.raw.ptr;
    const key = changetype<usize>(name), keyLen = name.byteLength;
    let i = this.queryStart;
    const end = this.queryEnd;
    while (i < end) {
      let amp = i;
      while (amp < end && load<u8>(p + <usize>amp) != 0x26) amp++;
      let eq = i;
      while (eq < amp && load<u8>(p + <usize>eq) != 0x3d) eq++;
      if (amp > i && eq - i == keyLen && memory.compare(p + <usize>i, key, <usize>keyLen) == 0) {
        found.ptr = p + <usize>min(eq + 1, amp);
        found.len = eq < amp ? amp - eq - 1 : 0;
        return true;
      }
      i = amp + 1;
    }
    return false;
  }
}

/** The `:authority` as the host's bytes: the hostname (before a port) and the port. */
class Authority {
  raw: Bytes = new Bytes();
  hostLen: i32 = 0;
  /** The port named in Host, else 80. */
  port: u32 = 80;
  hasPort: bool = false;
  private hostString: string | null = null;

  reset(): void {
    const p = this.raw.ptr, n = this.raw.len;
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
    if (this.hostString !== null) this.hostString = null;
    this.hasPort = colon >= 0;
    this.hostLen = colon >= 0 ? colon : n;
    this.port = colon >= 0 ? parsePort(p + <usize>colon + 1, n - colon - 1) : 80;
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

/** What is read lazily, at most once per request: the port, the method. */
class Lazy {
  port: i64 = -1;
  method: string | null = null;
  reset(): void {
    this.port = -1;
    // Managed fields are stored through the collector's write barrier: only when there is a change.
    if (this.method !== null) this.method = null;
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
  if (k == PATH_EXACT) return bytesEqual(t.raw.ptr, t.pathEnd, r.pathBytes);
  if (k == PATH_PREFIX) {
    // Segment-wise: "/foo" matches "/foo" and "/foo/bar", not "/foobar"; "/" matches everything.
    const n = r.pathBytes.byteLength;
    if (n == 1 && load<u8>(changetype<usize>(r.pathBytes)) == 0x2f) return true;
    if (n > t.pathEnd || memory.compare(t.raw.ptr, changetype<usize>(r.pathBytes), <usize>n) != 0) return false;
    return n == t.pathEnd || load<u8>(t.raw.ptr + <usize>n) == 0x2f;
  }
  if (k == PATH_REGEX) return r.regex!.fullMatch(t.path());
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

/**
 * The lowest-numbered (highest-precedence) route filed under hash `h` below `best` that matches,
 * else `best`. Each run is in precedence order.
 */
function filedUnder(table: RuleTable, index: HashIndex, h: u32, best: i32, req: RequestView, t: Target): i32 {
  const slot = index.find(h);
  if (slot < 0) return best;
  for (let k = 0, n = index.count(slot); k < n; k++) {
    const i = index.item(slot, k);
    if (best >= 0 && i >= best) break;
    if (routeMatches(unchecked(table.routes[i]), req, t)) return i;
  }
  return best;
}

/**
 * The highest-precedence matching route of a virtual host, or -1. Only routes that can match the
 * path are tried: those for this exact path, the regular expressions, and those for each of the
 * path's segment prefixes ("/a/b/" tries "/a/b", "/a", then "/"), found by the hash of the bytes
 * so far. Route order is precedence order (hostname specificity first, then the path rules), so the
 * lowest matching index wins.
 */
function firstMatch(table: RuleTable, idx: RouteIndex, req: RequestView, t: Target): i32 {
  let best: i32 = -1;
  const end = t.pathEnd;
  if (idx.exact.size > 0) best = filedUnder(table, idx.exact, t.pathHash, best, req, t);
  for (let k = 0; k < idx.regex.length; k++) {
    const i = unchecked(idx.regex[k]);
    if (best >= 0 && i >= best) break;
    if (routeMatches(unchecked(table.routes[i]), req, t)) {
      best = i;
      break;
    }
  }
  if (idx.prefix.size == 0) return best;
  // Only lengths some prefix has were hashed (Target.reset).
  const lengths = idx.prefixLengths;
  for (let k = 0; k < t.prefixCount; k++) {
    best = filedUnder(table, idx.prefix, unchecked(t.prefixHashes[k]), best, req, t);
  }
  const wholeIsPrefix = end > 0 && load<u8>(t.raw.ptr + <usize>(end - 1)) != 0x2f;
  if (wholeIsPrefix && ((lengths >> <u64>min(end, 63)) & 1) != 0) {
    best = filedUnder(table, idx.prefix, t.pathHash, best, req, t);
  }
  return filedUnder(table, idx.prefix, ROOT_HASH, best, req, t);
}

/**
 * Whether `vh` is the request's hostname from byte `from` on: an exact host the whole name, a
 * wildcard "*" + the rest (from a "."). Hash lookups only find candidates.
 */
function nameMatches(vh: VHost, from: i32, wildcard: bool): bool {
  if (vh.kind != (wildcard ? HOST_WILDCARD : HOST_EXACT)) return false;
  const skip = wildcard ? 1 : 0;
  const len = authority.hostLen - from;
  if (vh.nameBytes.byteLength != len + skip) return false;
  return equalsLowered(authority.raw.ptr + <usize>from, changetype<usize>(vh.nameBytes) + <usize>skip, len);
}

/**
 * The virtual host filed under hash `h` that takes the request's port: one kept for this proxy's own
 * namespace (a GAMMA consumer route, a Service's short name) first, then one for every client. When
 * the namespace is unknown, every host applies.
 */
function vhostFor(table: RuleTable, h: u32, from: i32, wildcard: bool, any: bool, req: RequestView): VHost | null {
  const index = table.hostIndex;
  const slot = index.find(h);
  if (slot < 0) return null;
  const own = table.clientNamespace;
  let fallback: VHost | null = null;
  for (let k = 0, n = index.count(slot); k < n; k++) {
    const vh = unchecked(table.vhosts[index.item(slot, k)]);
    if (any ? vh.kind != HOST_ANY : !nameMatches(vh, from, wildcard)) continue;
    // A GAMMA route is per Service port, a Gateway route per listener port (0: not known).
    if (vh.port != 0 && vh.port != requestPort(req)) continue;
    if (vh.clients.length == 0 || own.length == 0) {
      if (fallback === null) fallback = vh;
      if (own.length == 0) return vh;
    } else if (vh.clients == own) {
      return vh;
    }
  }
  return fallback;
}

const STAR_HASH = hashString("*");

/**
 * Most specific first: the exact host, then ever shorter wildcard suffixes (a wildcard host is
 * filed under its suffix from the "."), then "*".
 */
function findVhost(table: RuleTable, req: RequestView): VHost | null {
  const p = authority.raw.ptr, n = authority.hostLen;
  let vh = vhostFor(table, hashLowerBytes(p, n), 0, false, false, req);
  if (vh !== null) return vh;
  for (let dot = 0; dot < n; dot++) {
    if (load<u8>(p + dot) != 0x2e) continue;
    vh = vhostFor(table, hashLowerBytes(p + dot, n - dot), dot, true, false, req);
    if (vh !== null) return vh;
  }
  return vhostFor(table, STAR_HASH, 0, false, true, req);
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
  lazy.reset();
  if (!req.headerBytes(AUTHORITY_NAME, authority.raw)) return d;
  authority.reset();
  const vh = findVhost(table, req);
  if (vh === null) return d;
  if (!req.headerBytes(PATH_NAME, target.raw)) {
    target.raw.ptr = ROOT_PATH;
    target.raw.len = 1;
  }
  target.reset(vh.index.prefixLengths);
  const i = firstMatch(table, vh.index, req, target);
  if (i < 0) return reply(404, "no_matching_route", null);
  const r = unchecked(table.routes[i]);
  const action = unchecked(table.actions[r.action]);
  // A preflight from an allowed origin, or a redirect, is answered here whatever the backends.
  for (let k = 0, n = action.mayReply ? action.filters.length : 0; k < n; k++) {
    const op = unchecked(action.filters[k]);
    const asked = op.kind == F_CORS && requestMethod(req) == "OPTIONS" ? req.header("access-control-request-method") : null;
    if (asked !== null) {
      const origin = req.header("origin");
      if (origin === null || !originAllowed(op.a, origin)) continue;
      const out = reply(200, "cors_preflight", action);
      const next = k + 1 < action.filters.length ? unchecked(action.filters[k + 1]) : null;
      const expose = next !== null && next.kind == F_CORS_EXPOSE ? next.a : "";
      out.headers = preflightHeaders(op, origin, asked, req.header("access-control-request-headers"), expose);
      out.route = r;
      return out;
    }
    if (op.kind != F_REDIRECT) continue;
    const out = reply(op.c >>> 16, "redirect", action);
    const s = req.header(":scheme");
    out.headers.push(["location", redirectLocation(op, s !== null ? s : "http", authority.host(), requestPort(req),
      target.path(), target.query(), r.path)]);
    out.route = r;
    return out;
  }
  // Gateway API: a rule with no usable backend answers 500, never falls through.
  if (action.totalWeight == 0) return reply(500, "no_backend", action);
  const b = action.backends.length == 1 ? unchecked(action.backends[0]) : pickBackend(action, stickyKey(action, req));
  if (b === null || b.unresolved) return reply(500, "backend_unresolved", action);
  d.kind = DECISION_ROUTE;
  d.status = 200;
  d.action = action;
  d.backend = b;
  d.route = r;
  return d;
}
