// What a request reads to find its route, as plain words: for each virtual host and route, the
// fields the lookup needs and the raw addresses of the hash indexes and byte strings they point
// at. The lookup (core/decide.ts) then follows no object: the chain VHost → RouteIndex →
// HashIndex → Route → Action → Backend was one cache miss per object at 10,000 rules. The route
// records are the decoded table's own (RuleTable.routeWords, written by core/blob.ts), pointing at
// paths in the blob and at cluster names in the blob or its pool of derived names; the virtual-host
// records are made here for one proxy's scope and namespace. The hash indexes stay alive in the
// RuleTable that owns this one, and the collector never moves an object, so their addresses hold.
import {
  PI_EXACT, PI_EXACT_MASK, PI_LENGTHS, PI_PREFIX, PI_PREFIX_MASK, PI_REGEX, PI_REGEX_COUNT, PI_SIZE, VI_CLIENTS,
  VI_CLIENTS_LEN, VI_KIND, VI_NAME, VI_NAME_LEN, VI_PORT, VI_SIZE,
} from "./blob";
import { HashIndex, SLOT_BYTES } from "./hash_index";

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
/** The route's rule (an index into RuleTable.actions and actionWords). */
export const RT_ACTION: usize = 20;
/** While the table is built, the hash its path is filed under in its part's index (core/blob.ts); */
export const RT_KEY: usize = 24;
/** once built, the route's index (RuleTable.routes, a decision's routeIndex). */
export const RT_INDEX: usize = 24;
/** RT_FLAGS: the path kind in the low byte, and: */
export const PLAIN: u32 = 0x100; // the path alone decides (no method, condition or regex)
export const DIRECT: u32 = 0x200; // routed to its one backend with nothing else to do (RT_CLUSTER)

/**
 * Where each virtual host's record goes in a HotTable: the 64-byte record, then copies of its part's
 * hostname and of its part's exact and prefix slots, the whole rounded up to 64 bytes. The record and the slots a request
 * probes next are then neighbours (the cache fetches lines in pairs) instead of two misses apart.
 * Byte offsets from the table's first record; one more at the end, the total.
 */
export function vhostOffsets(info: StaticArray<u32>, parts: StaticArray<i32>, partIndex: StaticArray<u32>): StaticArray<u32> {
  const nv = parts.length;
  const out = new StaticArray<u32>(nv + 1);
  let at: u32 = 0;
  for (let i = 0; i < nv; i++) {
    unchecked(out[i] = at);
    const pi = changetype<usize>(partIndex) + <usize>unchecked(parts[i]) * PI_SIZE;
    const name = load<u32>(changetype<usize>(info) + <usize>i * VI_SIZE, VI_NAME_LEN);
    at += vhostBytes(name, slotBytes(pi, PI_EXACT, PI_EXACT_MASK) + slotBytes(pi, PI_PREFIX, PI_PREFIX_MASK));
  }
  unchecked(out[nv] = at);
  return out;
}

/** The bytes of a virtual host's place (vhostOffsets): its hostname is `name` bytes, its part's slots `slots`. */
export function vhostBytes(name: u32, slots: u32): u32 {
  return (<u32>VH_SIZE + ((name + 7) & ~7) + slots + 63) & ~63;
}

function slotBytes(pi: usize, slots: usize, mask: usize): u32 {
  return load<u32>(pi + slots) != 0 ? (load<u32>(pi + mask) + 1) * <u32>SLOT_BYTES : 0;
}

export class HotTable {
  /** The virtual-host records (vhostOffsets), from a 64-byte boundary at `vhosts`. */
  readonly words: StaticArray<u32>;
  readonly vhosts: usize;
  /** The parts' blocks (RuleTable.blocks): a route record is at this address plus its offset. */
  readonly routes: usize;
  /** The host index's raw addresses (RuleTable.hostIndex). */
  readonly hostSlots: usize;
  readonly hostMask: u32;
  readonly hostItems: usize;

  constructor(info: StaticArray<u32>, parts: StaticArray<i32>, partIndex: StaticArray<u32>, runs: StaticArray<u32>,
    blocks: StaticArray<u32>, offsets: StaticArray<u32>, hostIndex: HashIndex, own: string) {
    const nv = parts.length;
    const words = new StaticArray<u32>(<i32>((<usize>unchecked(offsets[nv]) + 64) >> 2));
    const base = (changetype<usize>(words) + 63) & ~(<usize>63), from = changetype<usize>(info);
    const ownBytes = String.UTF8.encode(own);
    for (let i = 0; i < nv; i++) {
      const pi = changetype<usize>(partIndex) + <usize>unchecked(parts[i]) * PI_SIZE;
      writeVhost(base + <usize>unchecked(offsets[i]), from + <usize>i * VI_SIZE, pi, changetype<usize>(runs), ownBytes);
    }
    this.words = words;
    this.vhosts = base;
    this.routes = changetype<usize>(blocks);
    this.hostSlots = hostIndex.slotsAt;
    this.hostMask = hostIndex.slotMask;
    this.hostItems = hostIndex.itemsAt;
  }
}

function writeVhost(at: usize, vi: usize, pi: usize, runs: usize, own: ArrayBuffer): void {
  store<u32>(at, load<u32>(vi, VI_KIND), VH_KIND);
  // With no namespace known every host applies; else one for this namespace first, then one for all.
  const clients = load<u32>(vi, VI_CLIENTS_LEN);
  const mine = clients == <u32>own.byteLength &&
    memory.compare(<usize>load<u32>(vi, VI_CLIENTS), changetype<usize>(own), <usize>clients) == 0;
  const rank = own.byteLength == 0 || (clients > 0 && mine) ? RANK_OWN : clients == 0 ? RANK_FALLBACK : RANK_SKIP;
  store<u32>(at, rank, VH_RANK);
  store<u32>(at, load<u32>(vi, VI_PORT), VH_PORT);
  // The hostname, compared first, and the part's slots, probed next, copied after the record (the
  // slots' values are offsets: the copies say the same).
  const name = load<u32>(vi, VI_NAME_LEN);
  memory.copy(at + VH_SIZE, <usize>load<u32>(vi, VI_NAME), <usize>name);
  store<u32>(at, <u32>(at + VH_SIZE), VH_NAME);
  store<u32>(at, name, VH_NAME_LEN);
  let exact = load<u32>(pi, PI_EXACT), prefix = load<u32>(pi, PI_PREFIX);
  let next = at + VH_SIZE + ((<usize>name + 7) & ~(<usize>7));
  const exactBytes = slotBytes(pi, PI_EXACT, PI_EXACT_MASK), prefixBytes = slotBytes(pi, PI_PREFIX, PI_PREFIX_MASK);
  if (exact != 0) {
    memory.copy(next, <usize>exact, exactBytes);
    exact = <u32>next;
    next += exactBytes;
  }
  if (prefix != 0) {
    memory.copy(next, <usize>prefix, prefixBytes);
    prefix = <u32>next;
  }
  store<u32>(at, exact, VH_EXACT);
  store<u32>(at, load<u32>(pi, PI_EXACT_MASK), VH_EXACT_MASK);
  store<u32>(at, <u32>runs, VH_EXACT_ITEMS);
  store<u32>(at, prefix, VH_PREFIX);
  store<u32>(at, load<u32>(pi, PI_PREFIX_MASK), VH_PREFIX_MASK);
  store<u32>(at, <u32>runs, VH_PREFIX_ITEMS);
  store<u32>(at, load<u32>(pi, PI_REGEX), VH_REGEX);
  store<u32>(at, load<u32>(pi, PI_REGEX_COUNT), VH_REGEX_COUNT);
  store<u64>(at, load<u64>(pi, PI_LENGTHS), VH_LENGTHS);
  store<u32>(at, (exact != 0 ? HAS_EXACT : 0) | (prefix != 0 ? HAS_PREFIX : 0), VH_HAS);
}
