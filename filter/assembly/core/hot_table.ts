// What a request reads to find its route, as plain words: for each virtual host and route, the
// fields the lookup needs and the raw addresses of the hash indexes and byte strings they point
// at. The lookup (core/decide.ts) then follows no object: the chain VHost → RouteIndex →
// HashIndex → Route → Action → Backend was one cache miss per object at 10,000 rules. The bytes a lookup compares or hands the host (hostnames,
// paths, cluster names) are copied into one pool in table order, so a request touches a few
// neighbouring lines instead of objects spread over the heap. The hash indexes stay alive in the
// RuleTable that owns this one, and the collector never moves an object, so their addresses hold.
import { PATH_KIND_REGULAR_EXPRESSION } from "./blob_format";
import { Action, Backend, Route, RouteIndex, VHost } from "./blob";
import { HashIndex } from "./hash_index";

/** A virtual host: 16 words, one cache line. Byte offsets of its fields: */
export const VH_SIZE: usize = 64;
export const VH_KIND: usize = 0, VH_RANK: usize = 4, VH_PORT: usize = 8, VH_NAME: usize = 12, VH_NAME_LEN: usize = 16;
export const VH_EXACT: usize = 20, VH_EXACT_MASK: usize = 24, VH_EXACT_ITEMS: usize = 28;
export const VH_PREFIX: usize = 32, VH_PREFIX_MASK: usize = 36, VH_PREFIX_ITEMS: usize = 40;
export const VH_REGEX: usize = 44, VH_REGEX_COUNT: usize = 48, VH_LENGTHS: usize = 52, VH_HAS: usize = 60;
/** VH_HAS bits: the host has exact-path routes, prefix routes. */
export const HAS_EXACT: u32 = 1, HAS_PREFIX: u32 = 2;

/**
 * Which clients a virtual host serves, against this proxy's namespace (see vhostFor in decide.ts):
 * OWN is taken at once, FALLBACK when no OWN host follows, SKIP never.
 */
export const RANK_SKIP: u32 = 0, RANK_FALLBACK: u32 = 1, RANK_OWN: u32 = 2;

/** A route: 8 words. Byte offsets of its fields: */
export const RT_SIZE: usize = 32;
export const RT_FLAGS: usize = 0, RT_PATH: usize = 4, RT_PATH_LEN: usize = 8, RT_CLUSTER: usize = 12, RT_CLUSTER_LEN: usize = 16;
/** RT_FLAGS: the path kind in the low byte, and: */
export const PLAIN: u32 = 0x100; // the path alone decides (no method, condition or regex)
export const DIRECT: u32 = 0x200; // routed to its one backend with nothing else to do (RT_CLUSTER)

export class HotTable {
  /** The virtual-host records, then the route records. */
  readonly words: StaticArray<u32>;
  /** The bytes the records point at. */
  readonly pool: StaticArray<u8>;
  readonly vhosts: usize;
  readonly routes: usize;
  /** The host index's raw addresses (RuleTable.hostIndex). */
  readonly hostSlots: usize;
  readonly hostMask: u32;
  readonly hostItems: usize;

  constructor(vhosts: Array<VHost>, routes: Array<Route>, actions: Array<Action>, hostIndex: HashIndex, own: string) {
    const nv = vhosts.length, nr = routes.length;
    const words = new StaticArray<u32>(<i32>((<usize>nv * VH_SIZE + <usize>nr * RT_SIZE) >> 2));
    let bytes = 0;
    for (let i = 0; i < nv; i++) bytes += unchecked(vhosts[i]).nameBytes.byteLength;
    for (let i = 0; i < nr; i++) {
      const r = unchecked(routes[i]);
      bytes += r.pathBytes.byteLength;
      const b = directBackend(unchecked(actions[r.action]));
      if (b !== null) bytes += b.clusterBytes.byteLength;
    }
    const pool = new StaticArray<u8>(bytes);
    const base = changetype<usize>(words);
    let next = changetype<usize>(pool);
    for (let i = 0; i < nv; i++) next = writeVhost(base + <usize>i * VH_SIZE, unchecked(vhosts[i]), own, next);
    const routesAt = base + <usize>nv * VH_SIZE;
    for (let i = 0; i < nr; i++) {
      const r = unchecked(routes[i]);
      next = writeRoute(routesAt + <usize>i * RT_SIZE, r, directBackend(unchecked(actions[r.action])), next);
    }
    this.words = words;
    this.pool = pool;
    this.vhosts = base;
    this.routes = routesAt;
    this.hostSlots = hostIndex.slotsAt;
    this.hostMask = hostIndex.slotMask;
    this.hostItems = hostIndex.itemsAt;
  }
}

/** Copies `b` to `next` in the pool; returns the address after it. */
function copied(b: ArrayBuffer, next: usize): usize {
  memory.copy(next, changetype<usize>(b), <usize>b.byteLength);
  return next + <usize>b.byteLength;
}

/** The backend of a rule with one usable backend and nothing else to do (DIRECT), else null. */
function directBackend(a: Action): Backend | null {
  if (a.backends.length != 1 || a.totalWeight == 0 || a.mayReply || a.hasFilters) return null;
  const b = unchecked(a.backends[0]);
  return b.unresolved ? null : b;
}

function writeVhost(at: usize, vh: VHost, own: string, next: usize): usize {
  const idx: RouteIndex = vh.index;
  store<u32>(at, vh.kind, VH_KIND);
  // With no namespace known every host applies; else one for this namespace first, then one for all.
  const rank = own.length == 0 || (vh.clients.length > 0 && vh.clients == own)
    ? RANK_OWN
    : vh.clients.length == 0 ? RANK_FALLBACK : RANK_SKIP;
  store<u32>(at, rank, VH_RANK);
  store<u32>(at, vh.port, VH_PORT);
  store<u32>(at, <u32>next, VH_NAME);
  store<u32>(at, vh.nameBytes.byteLength, VH_NAME_LEN);
  store<u32>(at, <u32>idx.exact.slotsAt, VH_EXACT);
  store<u32>(at, idx.exact.slotMask, VH_EXACT_MASK);
  store<u32>(at, <u32>idx.exact.itemsAt, VH_EXACT_ITEMS);
  store<u32>(at, <u32>idx.prefix.slotsAt, VH_PREFIX);
  store<u32>(at, idx.prefix.slotMask, VH_PREFIX_MASK);
  store<u32>(at, <u32>idx.prefix.itemsAt, VH_PREFIX_ITEMS);
  store<u32>(at, <u32>changetype<usize>(idx.regex), VH_REGEX);
  store<u32>(at, idx.regex.length, VH_REGEX_COUNT);
  store<u64>(at, idx.prefixLengths, VH_LENGTHS);
  store<u32>(at, (idx.exact.size > 0 ? HAS_EXACT : 0) | (idx.prefix.size > 0 ? HAS_PREFIX : 0), VH_HAS);
  return copied(vh.nameBytes, next);
}

function writeRoute(at: usize, r: Route, direct: Backend | null, next: usize): usize {
  let flags = <u32>r.pathKind;
  if (r.method === null && r.conds.length == 0 && r.pathKind != PATH_KIND_REGULAR_EXPRESSION) flags |= PLAIN;
  store<u32>(at, <u32>next, RT_PATH);
  store<u32>(at, r.pathBytes.byteLength, RT_PATH_LEN);
  next = copied(r.pathBytes, next);
  // One usable backend and no filters: the decision is the cluster name, nothing else is read.
  if (direct !== null) {
    flags |= DIRECT;
    store<u32>(at, <u32>next, RT_CLUSTER);
    store<u32>(at, direct.clusterBytes.byteLength, RT_CLUSTER_LEN);
    next = copied(direct.clusterBytes, next);
  }
  store<u32>(at, flags, RT_FLAGS);
  return next;
}
