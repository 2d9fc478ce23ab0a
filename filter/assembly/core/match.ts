// Route matching: the highest-precedence route of a virtual host that matches the request. Only the
// routes that can match the path are tried, found by the hashes of the path and its segment
// prefixes (core/scan.ts); a route whose path alone decides is matched on its hot record, the rest
// (a method, header or query conditions, a regular expression) on the words after their record
// (XW_SIZE, CW_SIZE in core/blob.ts), values compared as bytes.
import {
  CONDITION_KIND_HEADER_EXACT, CONDITION_KIND_HEADER_REGEX, CONDITION_KIND_QUERY_EXACT, CONDITION_KIND_QUERY_REGEX,
  PATH_KIND_NONE, PATH_KIND_EXACT, PATH_KIND_PATH_PREFIX, PATH_KIND_REGULAR_EXPRESSION,
} from "./blob_format";
import {
  CW_KIND, CW_NAME, CW_PROGRAM, CW_SIZE, CW_VALUE, CW_VALUE_LEN, ROOT_HASH, XW_COUNT, XW_METHOD, XW_PROGRAM, XW_SIZE,
} from "./blob";
import { findSlot, runItem, runLength } from "./hash_index";
import {
  HAS_EXACT, HAS_PREFIX, PLAIN, RT_FLAGS, RT_PATH, RT_PATH_LEN, RT_SIZE, VH_EXACT, VH_EXACT_ITEMS, VH_EXACT_MASK, VH_HAS,
  VH_LENGTHS, VH_PREFIX, VH_PREFIX_ITEMS, VH_PREFIX_MASK, VH_REGEX, VH_REGEX_COUNT,
} from "./hot_table";
import { RequestContext } from "./request_context";
import { Target } from "./target";

/**
 * The highest-precedence matching route of virtual host `vh` (a hot record), as its record's offset
 * in the table's blocks (core/blob.ts), or -1. Only routes
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
  for (let k = 0, n = runLength(slot, items); k < n; k++) {
    const i = runItem(slot, items, k);
    if (best >= 0 && i >= best) break;
    if (routeAt(ctx, i)) return i;
  }
  return best;
}

/** Whether route `i` matches the request: on its record when the path alone decides. */
// @ts-ignore: decorator
@inline function routeAt(ctx: RequestContext, i: i32): bool {
  const rec = ctx.routeRecords + <usize>i;
  const flags = load<u32>(rec, RT_FLAGS);
  return (flags & PLAIN) != 0
    ? pathBytesMatch(ctx.target, flags & 0xff, <usize>load<u32>(rec, RT_PATH), <i32>load<u32>(rec, RT_PATH_LEN))
    : routeMatchesWords(ctx, rec, flags & 0xff);
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

/** Whether route record `rec` (path kind `k`, not PLAIN) matches: its path, method and conditions. */
function routeMatchesWords(ctx: RequestContext, rec: usize, k: u32): bool {
  const t = ctx.target, table = ctx.table!;
  const x = rec + RT_SIZE;
  if (k == PATH_KIND_REGULAR_EXPRESSION) {
    if (!unchecked(table.programs[load<i32>(x, XW_PROGRAM)]).fullMatch(t.path())) return false;
  } else if (!pathBytesMatch(t, k, <usize>load<u32>(rec, RT_PATH), <i32>load<u32>(rec, RT_PATH_LEN))) {
    return false;
  }
  const m = load<i32>(x, XW_METHOD);
  if (m >= 0 && unchecked(table.methods[m]) != ctx.method()) return false;
  // Values are compared as bytes; a string is made only for a regular expression.
  const req = ctx.req!, v = ctx.conditionValue;
  let c = x + XW_SIZE;
  for (let i: u32 = 0, n = load<u32>(x, XW_COUNT); i < n; i++, c += CW_SIZE) {
    const kind = load<u32>(c, CW_KIND);
    const name = unchecked(table.condNames[load<i32>(c, CW_NAME)]);
    const present = kind == CONDITION_KIND_HEADER_EXACT || kind == CONDITION_KIND_HEADER_REGEX
      ? req.peekHeader(name, v)
      : kind == CONDITION_KIND_QUERY_EXACT || kind == CONDITION_KIND_QUERY_REGEX ? t.findParam(name, v) : false;
    if (!present) return false;
    if (kind == CONDITION_KIND_HEADER_EXACT || kind == CONDITION_KIND_QUERY_EXACT) {
      const n = load<u32>(c, CW_VALUE_LEN);
      if (v.len != <i32>n || memory.compare(v.ptr, <usize>load<u32>(c, CW_VALUE), <usize>n) != 0) return false;
    } else if (!unchecked(table.programs[load<i32>(c, CW_PROGRAM)]).fullMatch(String.UTF8.decodeUnsafe(v.ptr, <usize>v.len))) {
      return false;
    }
  }
  return true;
}
