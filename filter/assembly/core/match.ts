// Route matching: the highest-precedence route of a virtual host that matches the request. Only the
// routes that can match the path are tried, found by the hashes of the path and its segment
// prefixes (core/scan.ts); a route whose path alone decides is matched on its hot record, the rest
// (a method, header or query conditions, a regular expression) on their decoded objects.
import {
  CONDITION_KIND_HEADER_EXACT, CONDITION_KIND_HEADER_REGEX, CONDITION_KIND_QUERY_EXACT, CONDITION_KIND_QUERY_REGEX,
  PATH_KIND_NONE, PATH_KIND_EXACT, PATH_KIND_PATH_PREFIX, PATH_KIND_REGULAR_EXPRESSION,
} from "./blob_format";
import { ROOT_HASH, Route } from "./blob";
import { bytesEqual } from "./hash";
import { findSlot, runItem, runLength } from "./hash_index";
import {
  HAS_EXACT, HAS_PREFIX, PLAIN, RT_FLAGS, RT_PATH, RT_PATH_LEN, RT_SIZE, VH_EXACT, VH_EXACT_ITEMS, VH_EXACT_MASK, VH_HAS,
  VH_LENGTHS, VH_PREFIX, VH_PREFIX_ITEMS, VH_PREFIX_MASK, VH_REGEX, VH_REGEX_COUNT,
} from "./hot_table";
import { RequestContext } from "./request_context";
import { Target } from "./target";

/**
 * The highest-precedence matching route of virtual host `vh` (a hot record), or -1. Only routes
 * that can match the path are tried: those for this exact path, the regular expressions, and those
 * for each of the path's segment prefixes ("/a/b/" tries "/a/b", "/a", then "/"), found by the hash
 * of the bytes so far. Route order is precedence order (hostname specificity first, then the path
 * rules), so the lowest matching index wins.
 */
export function firstMatch(ctx: RequestContext, vh: usize): i32 {
  let best: i32 = -1;
  const target = ctx.target;
  const has = load<u32>(vh, VH_HAS);
  if ((has & HAS_EXACT) != 0) {
    best = filedUnder(ctx, <usize>load<u32>(vh, VH_EXACT), load<u32>(vh, VH_EXACT_MASK), <usize>load<u32>(vh, VH_EXACT_ITEMS),
      target.pathHash, best);
  }
  best = firstRegex(ctx, vh, best);
  if ((has & HAS_PREFIX) == 0) return best;
  const slots = <usize>load<u32>(vh, VH_PREFIX), mask = load<u32>(vh, VH_PREFIX_MASK);
  const items = <usize>load<u32>(vh, VH_PREFIX_ITEMS);
  // Only lengths some prefix has were hashed (scanPath).
  const hashes = changetype<usize>(target.prefixHashes);
  for (let k = 0, n = target.prefixCount; k < n; k++) {
    best = filedUnder(ctx, slots, mask, items, load<u32>(hashes + (<usize>k << 2)), best);
  }
  const end = target.pathEnd;
  const wholeIsPrefix = end > 0 && load<u8>(target.raw.ptr + <usize>(end - 1)) != 0x2f;
  if (wholeIsPrefix && ((load<u64>(vh, VH_LENGTHS) >> <u64>min(end, 63)) & 1) != 0) {
    best = filedUnder(ctx, slots, mask, items, target.pathHash, best);
  }
  return filedUnder(ctx, slots, mask, items, ROOT_HASH, best);
}

/** The first regular-expression route of `vh` below `best` that matches, else `best`. */
function firstRegex(ctx: RequestContext, vh: usize, best: i32): i32 {
  const regex = <usize>load<u32>(vh, VH_REGEX);
  for (let k = 0, n = <i32>load<u32>(vh, VH_REGEX_COUNT); k < n; k++) {
    const i = load<i32>(regex + (<usize>k << 2));
    if (best >= 0 && i >= best) break;
    if (routeAt(ctx, i)) return i;
  }
  return best;
}

/**
 * The lowest-numbered (highest-precedence) route filed under hash `h` below `best` that matches,
 * else `best`. Each run is in precedence order.
 */
function filedUnder(ctx: RequestContext, slots: usize, mask: u32, items: usize, h: u32, best: i32): i32 {
  const slot = findSlot(slots, mask, h);
  if (slot == 0) return best;
  for (let k = 0, n = runLength(slot); k < n; k++) {
    const i = runItem(slot, items, k);
    if (best >= 0 && i >= best) break;
    if (routeAt(ctx, i)) return i;
  }
  return best;
}

/** Whether route `i` matches the request: on its record when the path alone decides. */
// @ts-ignore: decorator
@inline function routeAt(ctx: RequestContext, i: i32): bool {
  const rec = ctx.routeRecords + <usize>i * RT_SIZE;
  const flags = load<u32>(rec, RT_FLAGS);
  return (flags & PLAIN) != 0
    ? pathBytesMatch(ctx.target, flags & 0xff, <usize>load<u32>(rec, RT_PATH), <i32>load<u32>(rec, RT_PATH_LEN))
    : routeMatchesObjects(ctx, i);
}

/** Route `i` with a method, a condition or a regular expression: matched on its objects. */
function routeMatchesObjects(ctx: RequestContext, i: i32): bool {
  // A route that is not PLAIN has its objects (core/blob.ts).
  return routeMatches(ctx, changetype<Route>(unchecked(ctx.table!.routes[i])));
}

/** Whether the request's path matches a path of kind `k` (not a regular expression) with these bytes. */
function pathBytesMatch(target: Target, k: u32, path: usize, n: i32): bool {
  const p = target.raw.ptr, end = target.pathEnd;
  if (k == PATH_KIND_EXACT) return n == end && memory.compare(p, path, <usize>n) == 0;
  if (k == PATH_KIND_PATH_PREFIX) {
    // Segment-wise: "/foo" matches "/foo" and "/foo/bar", not "/foobar"; "/" matches everything.
    if (n == 1 && load<u8>(path) == 0x2f) return true;
    if (n > end || memory.compare(p, path, <usize>n) != 0) return false;
    return n == end || load<u8>(p + <usize>n) == 0x2f;
  }
  return k == PATH_KIND_NONE;
}

function pathMatches(r: Route, t: Target): bool {
  const k = r.pathKind;
  if (k == PATH_KIND_REGULAR_EXPRESSION) return r.regex!.fullMatch(t.path());
  return pathBytesMatch(t, k, changetype<usize>(r.pathBytes), r.pathBytes.byteLength);
}

/** Whether route `r` matches: its path, method and conditions. */
function routeMatches(ctx: RequestContext, r: Route): bool {
  const t = ctx.target;
  if (!pathMatches(r, t)) return false;
  const m = r.method;
  if (m !== null && m != ctx.method()) return false;
  // Values are compared as bytes; a string is made only for a regular expression.
  const req = ctx.req!, v = ctx.conditionValue;
  for (let i = 0; i < r.conds.length; i++) {
    const c = unchecked(r.conds[i]);
    const k = c.kind;
    const present = k == CONDITION_KIND_HEADER_EXACT || k == CONDITION_KIND_HEADER_REGEX
      ? req.peekHeader(c.nameBytes, v)
      : k == CONDITION_KIND_QUERY_EXACT || k == CONDITION_KIND_QUERY_REGEX ? t.findParam(c.nameBytes, v) : false;
    if (!present) return false;
    if (k == CONDITION_KIND_HEADER_EXACT || k == CONDITION_KIND_QUERY_EXACT) {
      if (!bytesEqual(v.ptr, v.len, c.valueBytes)) return false;
    } else if (!c.regex!.fullMatch(String.UTF8.decodeUnsafe(v.ptr, <usize>v.len))) {
      return false;
    }
  }
  return true;
}
