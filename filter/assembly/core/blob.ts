import {
  BACKEND_FLAG_DERIVED, BACKEND_FLAG_UNRESOLVED, CONDITION_KIND_HEADER_EXACT, CONDITION_KIND_HEADER_REGEX,
  CONDITION_KIND_QUERY_REGEX, DERIVED_CLUSTER_SUFFIX, FORMAT_VERSION, HEADER_FLAGS_ROLLBACK, HEADER_SIZE, HOST_KIND_ANY,
  HOST_KIND_EXACT, HOST_KIND_WILDCARD, MAGIC, MAX_DEFLATE_RATIO, MAX_UNPACKED_LENGTH, MODE_GATEWAY, MODE_MESH,
  PACKED_HEADER_SIZE, PACKED_MAGIC, PACKED_VERSION, PACK_METHOD_DEFLATE, PART_KIND_FRONTENDS,
  PART_KIND_VIRTUAL_HOST, PATH_KIND_NONE, PATH_KIND_EXACT, PATH_KIND_REGULAR_EXPRESSION, ROUTE_FLAG_CONDITIONS,
  ROUTE_FLAG_METHOD, STICKY_COOKIE,
} from "./blob_format";
import { hashBytes, hashString } from "./hash";
import { Frontend, FrontendTable } from "./frontends";
import { countKey, fileValue, HashIndex, placeRuns, runWords, SLOT_BYTES, slotCount } from "./hash_index";
import {
  DIRECT, HotTable, vhostBytes, vhostOffsets, PLAIN, RT_ACTION, RT_CLUSTER, RT_CLUSTER_LEN, RT_FLAGS, RT_INDEX, RT_KEY, RT_PATH, RT_PATH_LEN, RT_SIZE,
} from "./hot_table";
import { Program, programError } from "./regex";
import { inflate, inflateError } from "./inflate";
import { Filters, RedirectOp } from "./filters";
import { readFilters } from "./filter_records";
import { NO_STRING, PartReader } from "./part_reader";
import { reserve } from "./reserve";

// Decoder of rule blob format 3 and of packed blobs, a blob DEFLATE-compressed in a small envelope
// (docs/blob-format.md). The table it makes is lean: strings stay in the blob's own buffer and are
// pointed at; every route is one flat record (the hot record the lookup reads, core/hot_table.ts),
// every rule a few words; objects (Route, Action, Backend, their conditions and filters) are made
// only for the rules that need more than a path and one cluster. Two passes: the first checks every
// byte, reference and count and sizes the table; the second fills what the first sized, so nothing
// is allocated from a count that was not checked, and a request never meets an unchecked offset.
// On failure decodeBlob returns null and sets decodeError.

export const ROOT_HASH = hashString("/");
const NO_HASHES = new HashIndex(new Array<u32>(), new Array<i32>());

/**
 * A virtual-host part's route index (RuleTable.partIndex), so a request looks up its own path
 * instead of scanning every route: exact paths and prefixes (stored without a trailing "/") by the
 * hash of their bytes (core/hash.ts) in slots of RuleTable.slots, runs of more than one in
 * RuleTable.runs (core/hash_index.ts), and regular expressions in a list in RuleTable.regexRoutes.
 * Each run and list holds route indices in precedence order; routes whose keys share a hash share a
 * run, and matching compares the path. Addresses, 0 where the part has no such route:
 */
export const PI_SIZE: usize = 40;
export const PI_EXACT: usize = 0, PI_EXACT_MASK: usize = 4, PI_PREFIX: usize = 8, PI_PREFIX_MASK: usize = 12;
export const PI_REGEX: usize = 16, PI_REGEX_COUNT: usize = 20;
/** Bit n set: some prefix is n bytes long (bit 63: 63 or more), so other lengths need no lookup. */
export const PI_LENGTHS: usize = 24;
/** The part's routes: the first one's index, and how many. */
export const PI_FIRST: usize = 32, PI_ROUTES: usize = 36;

/**
 * A route that is more than its one cluster (its rule is not DIRECT): what a decision names, and the
 * PathPrefix a redirect's or rewrite's ReplacePrefixMatch replaces. Matching reads the route's words.
 */
export class Route {
  constructor(public pathKind: u8, public path: string, public action: i32) {}
}

/**
 * What a route that is not PLAIN needs besides its path, right after its record (RuleTable.blocks):
 * a method (an index into RuleTable.methods, -1 for any), its regular expression (an index into
 * RuleTable.programs, -1 for none), and how many conditions follow these words (CW_SIZE each).
 */
export const XW_SIZE: usize = 12;
export const XW_METHOD: usize = 0, XW_PROGRAM: usize = 4, XW_COUNT: usize = 8;
/**
 * A header or query condition: its kind, its name (an index into RuleTable.condNames), its value
 * (a copy after the route's path), and its regular expression (-1 for none).
 */
export const CW_SIZE: usize = 20;
export const CW_KIND: usize = 0, CW_NAME: usize = 4, CW_VALUE: usize = 8, CW_VALUE_LEN: usize = 12, CW_PROGRAM: usize = 16;

export class Backend {
  /** The cluster name in UTF-8, as the decision header carries it on every routed request. */
  clusterBytes: ArrayBuffer;
  /** The host's debug line for a request routed here: the same every time, so made once (filter.ts). */
  routedLine: ArrayBuffer | null = null;
  /** A RequestRedirect among the backend's own filters: a request that picks this backend is answered with it. */
  redirect: RedirectOp | null;
  constructor(public cluster: string, public label: string, public weight: u32,
    public filters: Filters, public unresolved: bool) {
    this.clusterBytes = String.UTF8.encode(cluster);
    this.redirect = filters.redirect;
  }
}

export class Action {
  /**
   * Whether a routed request has filter work (the rule's filters or its backends'), and whether the
   * rule may answer by itself (a redirect, a CORS preflight): known once here, so a request for a
   * plain rule never reads its filter lists.
   */
  hasFilters: bool = false;
  mayReply: bool = false;
  constructor(public route: string, public rule: u32, public backends: Array<Backend>,
    public filters: Filters, public totalWeight: u32, public stickyFrom: u16, public stickyKey: string) {
    let any = filters.any;
    let reply = filters.redirect !== null || filters.cors !== null;
    for (let i = 0; i < backends.length; i++) {
      if (backends[i].filters.any) any = true;
      if (backends[i].redirect !== null) reply = true;
    }
    this.hasFilters = any;
    this.mayReply = reply;
  }
}

/** A rule's words (RuleTable.actionWords): its HTTPRoute's name and its index, and for a DIRECT rule the cluster. */
export const AW_SIZE: usize = 20;
export const AW_ROUTE: usize = 0, AW_ROUTE_LEN: usize = 4, AW_RULE: usize = 8, AW_CLUSTER: usize = 12, AW_CLUSTER_LEN: usize = 16;
/** A virtual host's words (RuleTable.vhostInfo): what restrictToScope and the hot table read. */
export const VI_SIZE: usize = 40;
export const VI_NAME: usize = 0, VI_NAME_LEN: usize = 4, VI_KIND: usize = 8, VI_MODE: usize = 12, VI_PORT: usize = 16;
export const VI_SCOPE: usize = 20, VI_SCOPE_LEN: usize = 24, VI_CLIENTS: usize = 28, VI_CLIENTS_LEN: usize = 32, VI_PART: usize = 36;

/** The decoded table one root context serves. */
export class RuleTable {
  generation: u32 = 0;
  /** Made by a rollback: taken even when older than the generation serving (pull mode). */
  rollback: bool = false;
  /** The blob: the strings the records point at live here, so it lives as long as the table. */
  blob: ArrayBuffer = new ArrayBuffer(0);
  /** Per virtual host (one per hostname): its part. */
  vhosts: StaticArray<i32> = new StaticArray<i32>(0);
  /** Per virtual host, VI_SIZE bytes of words. */
  vhostInfo: StaticArray<u32> = new StaticArray<u32>(0);
  /** Per virtual-host part, PI_SIZE bytes: its routes' index. */
  partIndex: StaticArray<u32> = new StaticArray<u32>(0);
  /** The parts' runs and regular-expression lists (see PI_SIZE). */
  runs: StaticArray<u32> = new StaticArray<u32>(0);
  regexRoutes: StaticArray<i32> = new StaticArray<i32>(0);
  /** Per route: its objects when its rule is not DIRECT, else null. */
  routes: Array<Route | null> = new Array<Route | null>();
  /** Per rule: its objects when it is not DIRECT, else null. */
  actions: Array<Action | null> = new Array<Action | null>();
  /** The conditions' names in UTF-8 and the routes' methods, each once; every regex program of the blob. */
  condNames: Array<ArrayBuffer> = new Array<ArrayBuffer>();
  methods: Array<string> = new Array<string>();
  programs: Array<Program> = new Array<Program>();
  /**
   * Per virtual-host part, its block: per route its hot record (RT_SIZE bytes, core/hot_table.ts),
   * a copy of its path and the derived cluster names of the rule read with it, then the part's
   * index slots (see PI_SIZE). What one request reads lies together: at 100,000 rules a request's
   * time grows with the separate places it reads (records, names, slots and paths in arrays of
   * their own each cost a miss). Runs, regex lists and indexes hold records by their offset here;
   * offsets grow with route order, so precedence compares them as it did route indices.
   */
  blocks: StaticArray<u32> = new StaticArray<u32>(0);
  /** Per route, the address of its record in `blocks`. */
  routeAt: StaticArray<u32> = new StaticArray<u32>(0);
  /** Per rule, AW_SIZE bytes of words. */
  actionWords: StaticArray<u32> = new StaticArray<u32>(0);
  /** Hash of the lower-case hostname (exact, "*.suffix" or "*") → indices into vhosts, in blob order. */
  hostIndex: HashIndex = NO_HASHES;
  /**
   * What the request lookup reads (core/hot_table.ts), built by restrictToScope once the proxy's
   * scope and client namespace are known: until then the table serves nothing.
   */
  hot: HotTable = new HotTable(this.vhostInfo, this.vhosts, this.partIndex, this.runs, this.blocks,
    new StaticArray<u32>(1), this.hostIndex, "");
  /** Service frontends, in blob order. */
  frontends: Array<Frontend> = new Array<Frontend>();
  /** The frontends this proxy applies, each with its virtual host (restrictToScope). */
  frontendTable: FrontendTable = new FrontendTable(this.frontends, this.hot, false);
  /**
   * The debug line of a DIRECT rule's requests (filter.ts), by rule, made when a debug log first
   * shows one: such a rule has no Backend object to keep it on, as other rules' lines are kept.
   */
  directLines: Map<i32, ArrayBuffer> = new Map<i32, ArrayBuffer>();
}

export let decodeError: string = "";

/**
 * CRC-32 (IEEE), as zlib computes it, eight bytes per step ("slicing by 8": table k holds the CRC of
 * a byte followed by k zero bytes), so the megabytes of a large blob cost a few milliseconds.
 */
let crcTables: StaticArray<u32> | null = null;
export function crc32(base: usize, len: u32): u32 {
  let tables = crcTables;
  if (tables === null) {
    tables = new StaticArray<u32>(8 * 256);
    for (let n: u32 = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      tables[n] = c;
    }
    for (let n = 0; n < 256; n++) {
      for (let k = 1; k < 8; k++) {
        const prev = tables[(k - 1) * 256 + n];
        tables[k * 256 + n] = (prev >>> 8) ^ tables[prev & 0xff];
      }
    }
    crcTables = tables;
  }
  const t = changetype<usize>(tables);
  let crc: u32 = 0xffffffff;
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) {
    const lo = crc ^ load<u32>(base + i), hi = load<u32>(base + i, 4);
    crc = load<u32>(t + ((7 * 256 + (lo & 0xff)) << 2)) ^ load<u32>(t + ((6 * 256 + ((lo >>> 8) & 0xff)) << 2)) ^
      load<u32>(t + ((5 * 256 + ((lo >>> 16) & 0xff)) << 2)) ^ load<u32>(t + ((4 * 256 + (lo >>> 24)) << 2)) ^
      load<u32>(t + ((3 * 256 + (hi & 0xff)) << 2)) ^ load<u32>(t + ((2 * 256 + ((hi >>> 8) & 0xff)) << 2)) ^
      load<u32>(t + ((256 + ((hi >>> 16) & 0xff)) << 2)) ^ load<u32>(t + ((hi >>> 24) << 2));
  }
  for (; i < len; i++) crc = load<u32>(t + (((crc ^ load<u8>(base + i)) & 0xff) << 2)) ^ (crc >>> 8);
  return crc ^ 0xffffffff;
}

function fail(msg: string): RuleTable | null {
  decodeError = msg;
  return null;
}

/**
 * Decodes a rule blob, plain or packed (the magic decides): all of `buf`, or its `length` bytes from
 * `from` (a blob decoded in place in the configuration's buffer); null with decodeError set when it
 * is refused.
 */
export function decodeBlob(buf: ArrayBuffer, from: u32 = 0, length: i32 = -1): RuleTable | null {
  const size = <u32>buf.byteLength;
  if (from > size || (length >= 0 && <u32>length > size - from)) return fail("blob out of its buffer's range");
  const len = length < 0 ? size - from : <u32>length;
  if (len >= 4 && load<u32>(changetype<usize>(buf) + from) == PACKED_MAGIC) {
    const inner = unpack(buf, from, len);
    return inner === null ? null : decodeUnpacked(inner);
  }
  if (from == 0 && len == size) return decodeUnpacked(buf);
  // The table keeps the blob (its strings are read in place): a buffer of its own.
  const own = new ArrayBuffer(<i32>len);
  memory.copy(changetype<usize>(own), changetype<usize>(buf) + from, len);
  return decodeUnpacked(own);
}

function refuse(msg: string): ArrayBuffer | null {
  decodeError = msg;
  return null;
}

/**
 * The blob inside a packed blob: the envelope's checks, then the checksum of the compressed bytes
 * before anything is allocated or inflated.
 */
function unpack(buf: ArrayBuffer, from: u32, len: u32): ArrayBuffer | null {
  const base = changetype<usize>(buf) + from;
  if (len < PACKED_HEADER_SIZE) return refuse("packed blob shorter than its header");
  if (load<u8>(base + 4) != PACKED_VERSION) return refuse("unsupported packed blob version " + load<u8>(base + 4).toString());
  if (load<u8>(base + 5) != PACK_METHOD_DEFLATE) return refuse("unsupported compression method " + load<u8>(base + 5).toString());
  if (load<u16>(base + 6) != 0) return refuse("reserved bytes of the packed blob header are not zero");
  const inner = load<u32>(base + 8), streamLen = len - PACKED_HEADER_SIZE;
  if (inner == 0) return refuse("packed blob declares an empty blob");
  if (inner > MAX_UNPACKED_LENGTH) return refuse("packed blob declares " + inner.toString() + " bytes, over the limit");
  if (<u64>inner > MAX_DEFLATE_RATIO * <u64>streamLen) {
    return refuse("packed blob declares more bytes than its DEFLATE stream can hold");
  }
  if (load<u32>(base + 12) != crc32(base + PACKED_HEADER_SIZE, streamLen)) {
    return refuse("checksum mismatch: the compressed bytes are damaged");
  }
  const out = inflate(buf, from + PACKED_HEADER_SIZE, inner, from + len);
  if (out === null) return refuse("DEFLATE stream refused: " + inflateError);
  return out;
}

/** What the checking pass counted, to size the table. */
class Sizes {
  vhosts: i32 = 0;
  parts: i32 = 0;
  routes: i32 = 0;
  actions: i32 = 0;
  /** Bytes of the parts' blocks (RuleTable.blocks), and their regular-expression routes. */
  blockBytes: usize = 0;
  regex: usize = 0;
  /** Routes that are not PLAIN, conditions, regex programs. */
  conds: i32 = 0;
  programs: i32 = 0;
  /** Bytes of the hot table's virtual hosts (core/hot_table.ts) were all of them in scope. */
  hotBytes: usize = 0;

  /**
   * At most what the filling pass and restrictToScope allocate, the objects of rules that are not
   * DIRECT aside: the table's arrays (decodeUnpacked), its runs (a run of n ≥ 2 values takes n + 1
   * words: 6 bytes a value at most), the hot table with an offset per virtual host, and the host
   * index (its slots, its runs, and the two arrays it is built from, grown to twice their length at most).
   */
  tableBytes(): usize {
    const v = <usize>this.vhosts, routes = <usize>this.routes, rules = <usize>this.actions;
    const arrays = v * (4 + VI_SIZE) + this.blockBytes + routes * (4 + 4) + rules * (AW_SIZE + 4) +
      <usize>this.programs * 4 + <usize>this.parts * PI_SIZE + this.regex * 4;
    const hostIndex = <usize>slotCount(this.vhosts) * SLOT_BYTES + v * 6 + v * 16;
    return arrays + routes * 6 + this.hotBytes + v * 4 + hostIndex;
  }
}

const CLUSTER_HEAD = String.UTF8.encode("outbound|");
const CLUSTER_SUFFIX = String.UTF8.encode(DERIVED_CLUSTER_SUFFIX);

/** Bytes of the decimal digits of `n`. */
function digits(n: u32): usize {
  let d: usize = 1;
  while (n >= 10) {
    n /= 10;
    d++;
  }
  return d;
}

/** The length of `outbound|PORT||NAME.NS.svc.cluster.local`. */
function derivedLength(ns: u32, name: u32, port: u32): usize {
  return <usize>CLUSTER_HEAD.byteLength + digits(port) + 2 + <usize>name + 1 + <usize>ns + 1 + <usize>CLUSTER_SUFFIX.byteLength;
}

/**
 * Reads the blob's parts twice with one reader: `table` null checks and counts into `sizes`,
 * else fills `table` (sized from those counts).
 */
class Decoder {
  r: PartReader = new PartReader();
  sizes: Sizes = new Sizes();
  table: RuleTable | null = null;
  /** Filling: where the next virtual host, part, route and rule go, and the pool's next byte. */
  vhost: i32 = 0;
  part: i32 = 0;
  route: i32 = 0;
  action: i32 = 0;
  /**
   * Where the next route's record goes in the blocks (checking counts from 0 what filling lays out
   * from the blocks' address, alike), and the next derived cluster name of its rule.
   */
  cursor: usize = 0;
  poolAt: usize = 0;
  /** The part's first rule (actions are referred to within their part). */
  partActions: i32 = 0;
  /** The index of the part's first regex program in RuleTable.programs. */
  programBase: i32 = 0;
  /** Checking: the lengths of the part's hostnames. */
  names: Array<u32> = new Array<u32>();
  /** Interned condition names and methods (filling). */
  condNames: Interner = new Interner();
  methodNames: Interner = new Interner();
  /** What the last rule read was: DIRECT, and then its cluster. */
  direct: bool = false;
  clusterPtr: usize = 0;
  clusterLen: u32 = 0;
  frontendKeys: Set<string> = new Set<string>();
  /** The part's routes by path kind (the index's sizes). */
  exact: i32 = 0;
  prefix: i32 = 0;
  regex: i32 = 0;
  lengths: u64 = 0;
  /** Filling: the next free word of the table's regex lists, and the words runs will take. */
  regexAt: usize = 0;
  runWords: u32 = 0;

  /** Every part of the blob, directory at [HEADER_SIZE, first), parts at [first, end): false (and decodeError) at the first bad one. */
  parts(base: usize, count: u32, first: usize, end: usize): bool {
    const r = this.r;
    if (!r.directory(base + HEADER_SIZE, base + first, count, base + end)) {
      decodeError = r.error;
      return false;
    }
    for (let i: u32 = 0; i < count; i++) {
      r.nextPart();
      const kind = r.u8();
      r.tables();
      if (!r.failed && !this.checkPrograms()) return this.refuse(i, programError);
      if (kind == PART_KIND_VIRTUAL_HOST) this.virtualHost();
      else if (kind == PART_KIND_FRONTENDS) this.frontends();
      else r.skip(); // a newer server's kind of part: skipped
      if (!r.failed) r.finish();
      if (r.failed) return this.refuse(i, r.error);
      this.programBase += r.programs;
    }
    return true;
  }

  refuse(part: u32, msg: string): bool {
    decodeError = "part " + part.toString() + ": " + msg;
    return false;
  }

  /** Checking: every program of the part is one the VM can run. Filling: they are decoded for the routes. */
  checkPrograms(): bool {
    const r = this.r;
    const table = this.table;
    for (let i = 0; i < r.programs; i++) {
      const p = Program.decode(<usize>unchecked(r.programPtrs[i]), unchecked(r.programLens[i]));
      if (p === null) return false;
      if (table !== null) unchecked(table.programs[this.programBase + i] = p);
    }
    return true;
  }

  virtualHost(): void {
    const r = this.r, table = this.table;
    const hosts = r.count1("hostname");
    const firstVhost = this.vhost;
    for (let k: u32 = 0; k < hosts && !r.failed; k++) {
      const h = r.need("hostname");
      if (r.failed) return;
      if (!lowerCase(r.ptr(h), r.len(h))) {
        r.fail("hostname is not lower-case");
        return;
      }
      if (table === null) this.names.push(r.len(h));
      else {
        const at = changetype<usize>(table.vhostInfo) + <usize>this.vhost * VI_SIZE;
        store<u32>(at, <u32>r.ptr(h), VI_NAME);
        store<u32>(at, r.len(h), VI_NAME_LEN);
        store<u32>(at, hostKind(r.ptr(h), r.len(h)), VI_KIND);
        store<u32>(at, <u32>this.part, VI_PART);
        unchecked(table.vhosts[this.vhost] = this.part);
      }
      this.vhost++;
    }
    const mode = r.u8(), port = r.varint(), scope = r.ref(), clients = r.ref();
    if (mode > MODE_MESH || port > 65535) r.fail("bad mode or port");
    if (r.failed) return;
    if (table !== null) {
      for (let v = firstVhost; v < this.vhost; v++) {
        const at = changetype<usize>(table.vhostInfo) + <usize>v * VI_SIZE;
        store<u32>(at, mode, VI_MODE);
        store<u32>(at, port, VI_PORT);
        store<u32>(at, scope == NO_STRING ? 0 : <u32>r.ptr(scope), VI_SCOPE);
        store<u32>(at, scope == NO_STRING ? 0 : r.len(scope), VI_SCOPE_LEN);
        store<u32>(at, clients == NO_STRING ? 0 : <u32>r.ptr(clients), VI_CLIENTS);
        store<u32>(at, clients == NO_STRING ? 0 : r.len(clients), VI_CLIENTS_LEN);
      }
    }
    const n = r.count1("route");
    const firstRoute = this.route;
    this.partActions = this.action;
    this.exact = 0;
    this.prefix = 0;
    this.regex = 0;
    this.lengths = 0;
    for (let k: u32 = 0; k < n && !r.failed; k++) this.routeRecord();
    if (r.failed) return;
    if (table === null) this.sizeIndex();
    else this.countIndex(table, firstRoute);
    this.part++;
  }

  /** Checking: what the part's block, regex list and virtual hosts in the hot table will take. */
  sizeIndex(): void {
    const sizes = this.sizes;
    let at = this.cursor;
    if (this.exact > 0) at += <usize>slotCount(this.exact) * SLOT_BYTES;
    if (this.prefix > 0) at += <usize>slotCount(this.prefix) * SLOT_BYTES;
    const slots = <u32>(at - this.cursor);
    for (let i = 0; i < this.names.length; i++) sizes.hotBytes += vhostBytes(unchecked(this.names[i]), slots);
    this.names.length = 0;
    this.cursor = at;
    sizes.blockBytes = at;
    sizes.regex += <usize>this.regex;
  }

  /**
   * Filling: the part's index record, its slots with their keys counted and its regex list; the
   * runs are placed once every part has been counted (fileRuns), in an array of the words they take.
   */
  countIndex(table: RuleTable, first: i32): void {
    const at = changetype<usize>(table.partIndex) + <usize>this.part * PI_SIZE;
    const blocks = changetype<usize>(table.blocks);
    let exact: usize = 0, exactCap: u32 = 0, prefix: usize = 0, prefixCap: u32 = 0;
    let slotAt = this.cursor;
    if (this.exact > 0) {
      exactCap = slotCount(this.exact);
      exact = blocks + slotAt;
      slotAt += <usize>exactCap * SLOT_BYTES;
    }
    if (this.prefix > 0) {
      prefixCap = slotCount(this.prefix);
      prefix = blocks + slotAt;
      slotAt += <usize>prefixCap * SLOT_BYTES;
    }
    this.cursor = slotAt;
    const regex = changetype<usize>(table.regexRoutes) + (this.regexAt << 2);
    let regexCount: u32 = 0;
    for (let i = first; i < this.route; i++) {
      const rec = <usize>unchecked(table.routeAt[i]);
      const kind = load<u32>(rec, RT_FLAGS) & 0xff;
      if (kind == PATH_KIND_EXACT) countKey(exact, exactCap - 1, load<u32>(rec, RT_KEY));
      else if (kind == PATH_KIND_REGULAR_EXPRESSION) {
        store<i32>(regex + (<usize>regexCount << 2), <i32>(rec - blocks));
        regexCount++;
      } else countKey(prefix, prefixCap - 1, load<u32>(rec, RT_KEY));
    }
    this.regexAt += <usize>regexCount;
    if (exact != 0) this.runWords += runWords(exact, exactCap);
    if (prefix != 0) this.runWords += runWords(prefix, prefixCap);
    store<u32>(at, <u32>exact, PI_EXACT);
    store<u32>(at, exactCap - 1, PI_EXACT_MASK);
    store<u32>(at, <u32>prefix, PI_PREFIX);
    store<u32>(at, prefixCap - 1, PI_PREFIX_MASK);
    store<u32>(at, regexCount > 0 ? <u32>regex : 0, PI_REGEX);
    store<u32>(at, regexCount, PI_REGEX_COUNT);
    store<u64>(at, this.lengths, PI_LENGTHS);
    store<u32>(at, <u32>first, PI_FIRST);
    store<u32>(at, <u32>(this.route - first), PI_ROUTES);
  }

  /** Counts route `kind` at `path` in the part's index; its key (RT_KEY), 0 for a regular expression. */
  fileRoute(kind: u32, path: i32): u32 {
    const r = this.r;
    if (kind == PATH_KIND_REGULAR_EXPRESSION) {
      this.regex++;
      return 0;
    }
    if (kind == PATH_KIND_EXACT) this.exact++;
    else this.prefix++;
    if (this.table === null) return 0; // checking: only counted
    const p = path == NO_STRING ? 0 : r.ptr(path), n = path == NO_STRING ? 0 : r.len(path);
    if (kind == PATH_KIND_EXACT) return hashBytes(p, n);
    const root = kind == PATH_KIND_NONE || (n == 1 && load<u8>(p) == 0x2f);
    if (root) return ROOT_HASH;
    this.lengths |= <u64>1 << <u64>min(n, 63);
    return hashBytes(p, n);
  }

  routeRecord(): void {
    const r = this.r, table = this.table;
    const head = r.u8();
    const kind = <u8>(head & 3);
    if ((head & ~(3 | ROUTE_FLAG_METHOD | ROUTE_FLAG_CONDITIONS)) != 0) r.fail("unknown route flags");
    const path = kind != PATH_KIND_NONE ? r.need("path") : NO_STRING;
    const program = kind == PATH_KIND_REGULAR_EXPRESSION ? r.program() : -1;
    const method = (head & ROUTE_FLAG_METHOD) != 0 ? r.need("method") : NO_STRING;
    const hasConds = (head & ROUTE_FLAG_CONDITIONS) != 0;
    const plain = method == NO_STRING && !hasConds && kind != PATH_KIND_REGULAR_EXPRESSION;
    // The route's place in its part's block: its record, its extra and condition words, copies of
    // its path and condition values, then the derived cluster names of a rule read here, so that a
    // request finds together what it compares and sends.
    const at = this.cursor, blocks = table !== null ? changetype<usize>(table.blocks) : 0;
    let w = at + RT_SIZE + (plain ? 0 : XW_SIZE), conds: u32 = 0, values: usize = 0;
    if (hasConds) {
      const n = r.count1("condition");
      if (n == 0) r.fail("conditions flag without conditions");
      for (let k: u32 = 0; k < n && !r.failed; k++) {
        const ck = r.u8(), name = r.need("condition name"), value = r.need("condition value");
        if (ck < CONDITION_KIND_HEADER_EXACT || ck > CONDITION_KIND_QUERY_REGEX) r.fail("unknown condition kind");
        const isRegex = ck == CONDITION_KIND_HEADER_REGEX || ck == CONDITION_KIND_QUERY_REGEX;
        const p = isRegex ? r.program() : -1;
        if (r.failed) break;
        if (table !== null) {
          const c = blocks + w;
          store<u32>(c, ck, CW_KIND);
          store<i32>(c, this.condNames.index(r.ptr(name), r.len(name), table.condNames, null), CW_NAME);
          store<u32>(c, <u32>r.ptr(value), CW_VALUE);
          store<u32>(c, r.len(value), CW_VALUE_LEN);
          store<i32>(c, p >= 0 ? this.programBase + p : -1, CW_PROGRAM);
        }
        w += CW_SIZE;
        values += <usize>r.len(value);
        conds++;
      }
    }
    const ref = r.varint();
    if (r.failed) return;
    const key = this.fileRoute(kind, path);
    const pathAt = w, pathLen = path == NO_STRING ? 0 : <usize>r.len(path);
    this.poolAt = pathAt + pathLen + values;
    let action: i32;
    if (ref == 0) {
      action = this.action;
      this.rule();
    } else {
      if (ref > <u32>(this.action - this.partActions)) {
        r.fail("action reference " + ref.toString() + " out of range");
        return;
      }
      action = this.action - <i32>ref;
      if (table !== null) this.direct = unchecked(table.actions[action]) === null;
    }
    if (r.failed) return;
    this.cursor = (this.poolAt + 7) & ~(<usize>7);
    if (table !== null) {
      const rec = blocks + at;
      unchecked(table.routeAt[this.route] = <u32>rec);
      let flags = <u32>kind | (plain ? PLAIN : 0);
      if (pathLen > 0) memory.copy(blocks + pathAt, r.ptr(path), pathLen);
      store<u32>(rec, path == NO_STRING ? 0 : <u32>(blocks + pathAt), RT_PATH);
      store<u32>(rec, <u32>pathLen, RT_PATH_LEN);
      store<u32>(rec, <u32>action, RT_ACTION);
      store<u32>(rec, key, RT_KEY);
      if (this.direct) {
        const aw = changetype<usize>(table.actionWords) + <usize>action * AW_SIZE;
        flags |= DIRECT;
        store<u32>(rec, load<u32>(aw, AW_CLUSTER), RT_CLUSTER);
        store<u32>(rec, load<u32>(aw, AW_CLUSTER_LEN), RT_CLUSTER_LEN);
      }
      store<u32>(rec, flags, RT_FLAGS);
      if (!plain) {
        const x = rec + RT_SIZE;
        store<i32>(x, method == NO_STRING ? -1 : this.methodNames.index(r.ptr(method), r.len(method), null, table.methods),
          XW_METHOD);
        store<i32>(x, program >= 0 ? this.programBase + program : -1, XW_PROGRAM);
        store<u32>(x, conds, XW_COUNT);
        // The condition values, after the path: each moved from the blob to its copy.
        let v = blocks + pathAt + pathLen;
        for (let c = x + XW_SIZE, k: u32 = 0; k < conds; k++, c += CW_SIZE) {
          const n = <usize>load<u32>(c, CW_VALUE_LEN);
          memory.copy(v, <usize>load<u32>(c, CW_VALUE), n);
          store<u32>(c, <u32>v, CW_VALUE);
          v += n;
        }
      }
      if (!this.direct) unchecked(table.routes[this.route] = new Route(kind, r.text(path), action));
    }
    this.route++;
  }

  /** A rule inline after its first route: checked (and DIRECT found); filled as words, and objects when not DIRECT. */
  rule(): void {
    const r = this.r, table = this.table;
    r.markRule();
    this.scanRule(false);
    if (r.failed) return;
    if (table !== null) {
      const aw = changetype<usize>(table.actionWords) + <usize>this.action * AW_SIZE;
      store<u32>(aw, <u32>r.ptr(this.ruleRoute), AW_ROUTE);
      store<u32>(aw, r.len(this.ruleRoute), AW_ROUTE_LEN);
      store<u32>(aw, this.ruleIndex, AW_RULE);
      store<u32>(aw, <u32>this.clusterPtr, AW_CLUSTER);
      store<u32>(aw, this.clusterLen, AW_CLUSTER_LEN);
      if (!this.direct) {
        // Read again for its objects, from the same place in its sections and the string table.
        r.rereadRule();
        unchecked(table.actions[this.action] = this.scanRule(true));
      }
    }
    r.endRule();
    this.action++;
  }

  /** The last rule's HTTPRoute (a string of the part) and index. */
  ruleRoute: i32 = 0;
  ruleIndex: u32 = 0;

  /**
   * Reads one rule: its HTTPRoute, index, sticky key, filters and backends. Sets `direct` (one
   * usable backend, no filters anywhere) and the cluster of its last backend; with `build`, returns
   * its objects.
   */
  scanRule(build: bool): Action | null {
    const r = this.r;
    const rule = r.ruleId(), route = r.ruleRoute, sticky = r.u8();
    const key = sticky != 0 ? r.need("sticky key") : NO_STRING;
    if (rule > 0xffff || sticky > STICKY_COOKIE) r.fail("bad rule index or sticky key");
    this.ruleRoute = route;
    this.ruleIndex = rule;
    const before = r.at;
    const filters = readFilters(r, build);
    let plain = r.at == before + 1; // a count of 0, nothing else
    const n = r.count1("backend");
    const backends = build ? new Array<Backend>() : null;
    let total: u64 = 0, usable = false;
    for (let k: u32 = 0; k < n && !r.failed; k++) {
      const flags = r.u8(), weight = r.varint();
      if ((flags & ~(BACKEND_FLAG_UNRESOLVED | BACKEND_FLAG_DERIVED)) != 0) r.fail("unknown backend flags");
      const derived = (flags & BACKEND_FLAG_DERIVED) != 0;
      const a = r.need(derived ? "backend namespace" : "backend cluster"), b = r.need(derived ? "backend name" : "backend label");
      const port = derived ? r.varint() : 0;
      if (derived && (port == 0 || port > 65535)) r.fail("backend port " + port.toString());
      const at = r.at;
      const bf = readFilters(r, build);
      if (r.at != at + 1) plain = false;
      if (r.failed) break;
      total += weight;
      usable = (flags & BACKEND_FLAG_UNRESOLVED) == 0;
      if (backends === null) this.cluster(derived, a, b, port);
      else {
        // Filled before, when its words were (rule()): the name is made again as a string.
        const cluster = derived
          ? "outbound|" + port.toString() + "||" + r.text(b) + "." + r.text(a) + "." + DERIVED_CLUSTER_SUFFIX
          : r.text(a);
        const label = derived ? r.text(a) + "/" + r.text(b) + ":" + port.toString() : r.text(b);
        backends.push(new Backend(cluster, label, weight, bf, !usable));
      }
    }
    if (total > 0xffffffff) r.fail("total weight over 32 bits");
    this.direct = plain && n == 1 && total > 0 && usable;
    if (!build || r.failed) return null;
    return new Action(r.text(route), rule, backends!, filters, <u32>total, <u16>sticky, r.text(key));
  }

  /**
   * Points clusterPtr/clusterLen at a backend's cluster: in place, or a derived name, which the
   * checking pass counts and the filling pass writes into the pool (once: a rule is filled once).
   */
  cluster(derived: bool, a: i32, b: i32, port: u32): void {
    const r = this.r, table = this.table;
    if (!derived) {
      this.clusterPtr = r.ptr(a);
      this.clusterLen = r.len(a);
      return;
    }
    const len = derivedLength(r.len(a), r.len(b), port);
    if (table === null) {
      this.poolAt += len;
      return;
    }
    let at = changetype<usize>(table.blocks) + this.poolAt;
    this.clusterPtr = at;
    this.clusterLen = <u32>len;
    at = put(at, changetype<usize>(CLUSTER_HEAD), CLUSTER_HEAD.byteLength);
    const d = digits(port);
    let p = port;
    for (let k = d; k > 0; k--) {
      store<u8>(at + k - 1, <u8>(0x30 + p % 10));
      p /= 10;
    }
    at += d;
    store<u16>(at, 0x7c7c); // "||"
    at = put(at + 2, r.ptr(b), r.len(b));
    store<u8>(at++, 0x2e);
    at = put(at, r.ptr(a), r.len(a));
    store<u8>(at++, 0x2e);
    put(at, changetype<usize>(CLUSTER_SUFFIX), CLUSTER_SUFFIX.byteLength);
    this.poolAt += len;
  }

  frontends(): void {
    const r = this.r, table = this.table;
    const n = r.count1("frontend");
    for (let k: u32 = 0; k < n && !r.failed; k++) {
      const address = r.need("frontend address"), port = r.varint();
      const hostname = r.need("frontend hostname");
      r.need("frontend service");
      if (r.failed) return;
      if (r.len(address) == 0 || port == 0 || port > 65535) {
        r.fail("frontend " + k.toString() + ": bad address or port");
        return;
      }
      const key = r.text(address) + " " + port.toString();
      if (this.frontendKeys.has(key)) {
        r.fail("frontend " + k.toString() + ": address and port repeated");
        return;
      }
      this.frontendKeys.add(key);
      if (table !== null) table.frontends.push(new Frontend(r.text(address), port, r.text(hostname)));
    }
  }
}

/**
 * Strings a table holds once however many records name them (condition names, methods): each gets
 * an index in the order first seen, found again by the hash of its bytes.
 */
class Interner {
  first: Map<u32, i32> = new Map<u32, i32>();
  bytes: Array<ArrayBuffer> = new Array<ArrayBuffer>();

  /** The index of the bytes at [p, p + n), added (to `asBytes` or, decoded, to `asText`) when new. */
  index(p: usize, n: u32, asBytes: Array<ArrayBuffer> | null, asText: Array<string> | null): i32 {
    const h = hashBytes(p, <i32>n);
    if (this.first.has(h)) {
      const i = this.first.get(h);
      if (same(unchecked(this.bytes[i]), p, n)) return i;
      // Another string with the same hash: rare, so looked for one by one.
      for (let k = 0; k < this.bytes.length; k++) if (same(unchecked(this.bytes[k]), p, n)) return k;
    }
    const b = new ArrayBuffer(<i32>n);
    memory.copy(changetype<usize>(b), p, n);
    const i = this.bytes.length;
    this.bytes.push(b);
    if (!this.first.has(h)) this.first.set(h, i);
    if (asBytes !== null) asBytes.push(b);
    if (asText !== null) asText.push(String.UTF8.decode(b));
    return i;
  }
}

function same(b: ArrayBuffer, p: usize, n: u32): bool {
  return <u32>b.byteLength == n && memory.compare(changetype<usize>(b), p, n) == 0;
}

function put(at: usize, from: usize, n: i32): usize {
  memory.copy(at, from, <usize>n);
  return at + <usize>n;
}

/** Whether a hostname has no upper-case ASCII letter (the lookup lowers the request's host, not the table's). */
function lowerCase(p: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c >= 0x41 && c <= 0x5a) return false;
  }
  return true;
}

function hostKind(p: usize, n: u32): u32 {
  if (n == 1 && load<u8>(p) == 0x2a) return HOST_KIND_ANY;
  return n >= 2 && load<u16>(p) == 0x2e2a ? HOST_KIND_WILDCARD : HOST_KIND_EXACT; // "*."
}

/** An unpacked blob of the current format (format 3: header, part directory, parts). */
function decodeUnpacked(buf: ArrayBuffer): RuleTable | null {
  const base = changetype<usize>(buf);
  const len = <u32>buf.byteLength;
  if (len < HEADER_SIZE) return fail("blob shorter than its header");
  if (load<u32>(base) != MAGIC) return fail("bad magic: not a wasmroute rule blob");
  const format = load<u16>(base + 4);
  if (format == 1 || format == 2) {
    return fail("blob format " + format.toString() + " is no longer read: compile the routes again with this version's policy server");
  }
  if (format != FORMAT_VERSION) return fail("unsupported blob format " + format.toString());
  if (load<u16>(base + 6) != <u16>HEADER_SIZE) return fail("bad header size");
  if (load<u32>(base + 8) != len) return fail("length field does not match the bytes received");
  const count = load<u32>(base + 20);
  const first = <u64>HEADER_SIZE + <u64>load<u32>(base + 28);
  if (first > <u64>len) return fail("part directory out of range");
  if (load<u32>(base + 12) != crc32(base + 16, len - 16)) return fail("checksum mismatch");
  if ((load<u32>(base + 24) & ~HEADER_FLAGS_ROLLBACK) != 0) return fail("reserved header bits set");

  // Checking pass: every byte and reference, and the table's sizes.
  const check = new Decoder();
  const sizes = check.sizes;
  if (!check.parts(base, count, <usize>first, <usize>len)) return null;
  sizes.vhosts = check.vhost;
  sizes.parts = check.part;
  sizes.routes = check.route;
  sizes.actions = check.action;
  sizes.programs = check.programBase;

  // Filling pass: into arrays of exactly those sizes, in memory grown once for them all.
  reserve(sizes.tableBytes());
  const table = new RuleTable();
  table.generation = load<u32>(base + 16);
  table.rollback = (load<u32>(base + 24) & HEADER_FLAGS_ROLLBACK) != 0;
  table.blob = buf;
  table.vhosts = new StaticArray<i32>(sizes.vhosts);
  table.vhostInfo = new StaticArray<u32>(<i32>(<usize>sizes.vhosts * VI_SIZE >> 2));
  table.blocks = new StaticArray<u32>(<i32>(sizes.blockBytes >> 2));
  table.routeAt = new StaticArray<u32>(sizes.routes);
  table.actionWords = new StaticArray<u32>(<i32>(<usize>sizes.actions * AW_SIZE >> 2));
  table.routes = new Array<Route | null>(sizes.routes);
  table.actions = new Array<Action | null>(sizes.actions);
  table.programs = new Array<Program>(sizes.programs);
  table.partIndex = new StaticArray<u32>(<i32>(<usize>sizes.parts * PI_SIZE >> 2));
  table.regexRoutes = new StaticArray<i32>(<i32>sizes.regex);
  const fill = new Decoder();
  fill.table = table;
  fill.r = check.r; // its string arrays are already the largest a part needs
  if (!fill.parts(base, count, <usize>first, <usize>len)) return null;
  fileRuns(table, fill.runWords);
  decodeError = "";
  return table;
}

/** Places the runs of every part's index (counted while filling) in one array of `words` words, and files the routes. */
function fileRuns(table: RuleTable, words: u32): void {
  const runs = new StaticArray<u32>(<i32>words);
  const at = changetype<usize>(runs), blocks = changetype<usize>(table.blocks);
  let next: u32 = 0;
  for (let part = 0, parts = table.partIndex.length / <i32>(PI_SIZE >> 2); part < parts; part++) {
    const pi = changetype<usize>(table.partIndex) + <usize>part * PI_SIZE;
    const exact = <usize>load<u32>(pi, PI_EXACT), exactMask = load<u32>(pi, PI_EXACT_MASK);
    const prefix = <usize>load<u32>(pi, PI_PREFIX), prefixMask = load<u32>(pi, PI_PREFIX_MASK);
    if (exact != 0) next = placeRuns(exact, exactMask + 1, at, next);
    if (prefix != 0) next = placeRuns(prefix, prefixMask + 1, at, next);
    const first = <i32>load<u32>(pi, PI_FIRST), end = first + <i32>load<u32>(pi, PI_ROUTES);
    for (let i = first; i < end; i++) {
      const rec = <usize>unchecked(table.routeAt[i]);
      const kind = load<u32>(rec, RT_FLAGS) & 0xff, offset = <i32>(rec - blocks);
      if (kind == PATH_KIND_EXACT) fileValue(exact, exactMask, at, load<u32>(rec, RT_KEY), offset);
      else if (kind != PATH_KIND_REGULAR_EXPRESSION) fileValue(prefix, prefixMask, at, load<u32>(rec, RT_KEY), offset);
      store<u32>(rec, <u32>i, RT_INDEX); // filed: the key's word now names the route
    }
  }
  table.runs = runs;
}

/**
 * Keeps only the virtual hosts this proxy serves: "mesh" keeps GAMMA hosts, "gateway:NS/NAME" that
 * Gateway's hosts, "" all; and serves the clients of namespace `clients` ("" when unknown) as GAMMA
 * consumer routes say. Done once per configuration, so requests never look at other traffic.
 */
export function restrictToScope(table: RuleTable, scope: string, clients: string): void {
  const offsets = vhostOffsets(table.vhostInfo, table.vhosts, table.partIndex);
  table.hostIndex = indexHosts(table, scope, offsets);
  table.hot = new HotTable(table.vhostInfo, table.vhosts, table.partIndex, table.runs, table.blocks, offsets, table.hostIndex,
    clients);
  // A Gateway is no Service's frontend: there the Host decides alone.
  table.frontendTable = new FrontendTable(table.frontends, table.hot, !scope.startsWith("gateway:"));
}

/**
 * The virtual hosts of `scope` ("" for all, else as restrictToScope) by the hash of their names:
 * each as its record's offset in the HotTable (vhostOffsets).
 */
function indexHosts(table: RuleTable, scope: string, offsets: StaticArray<u32>): HashIndex {
  const mesh = scope == "mesh";
  const gateway = String.UTF8.encode(mesh || scope.length == 0 ? "" : scope.substring(8));
  const keys = new Array<u32>(), hosts = new Array<i32>();
  const info = changetype<usize>(table.vhostInfo);
  for (let i = 0; i < table.vhosts.length; i++) {
    const vh = info + <usize>i * VI_SIZE;
    const mode = load<u32>(vh, VI_MODE);
    if (scope.length > 0 && (mesh ? mode != MODE_MESH : mode != MODE_GATEWAY || !sameBytes(vh, VI_SCOPE, gateway))) continue;
    const p = <usize>load<u32>(vh, VI_NAME), n = load<u32>(vh, VI_NAME_LEN);
    // A wildcard is filed under its suffix (".example.com"), which a request's host holds as it is.
    keys.push(load<u32>(vh, VI_KIND) == HOST_KIND_WILDCARD ? hashBytes(p + 1, n - 1) : hashBytes(p, n));
    hosts.push(<i32>unchecked(offsets[i]));
  }
  return new HashIndex(keys, hosts);
}

/** Whether the string a record points at (address at `field`, length after it) is `bytes`. */
export function sameBytes(rec: usize, field: usize, bytes: ArrayBuffer): bool {
  const n = load<u32>(rec + field, 4);
  return n == <u32>bytes.byteLength && memory.compare(<usize>load<u32>(rec + field), changetype<usize>(bytes), <usize>n) == 0;
}

/**
 * The objects of route `i` for a decision (core/decide.ts resolve): its own, or, for a route whose
 * rule is DIRECT, objects made now from its words — only a debug log line asks for them.
 */
export function routeObjects(table: RuleTable, i: i32): Route {
  const own = unchecked(table.routes[i]);
  if (own !== null) return own;
  const rec = <usize>unchecked(table.routeAt[i]);
  return new Route(<u8>(load<u32>(rec, RT_FLAGS) & 0xff), text(load<u32>(rec, RT_PATH), load<u32>(rec, RT_PATH_LEN)),
    <i32>load<u32>(rec, RT_ACTION));
}

/** The rule (its index in `actions`) route `i` belongs to, without making objects. */
export function ruleOf(table: RuleTable, i: i32): i32 {
  const own = unchecked(table.routes[i]);
  return own !== null ? own.action : <i32>load<u32>(<usize>unchecked(table.routeAt[i]), RT_ACTION);
}

/** The objects of rule `a`: its own, or, for a DIRECT rule, made now from its words (see routeObjects). */
export function actionObjects(table: RuleTable, a: i32): Action {
  const own = unchecked(table.actions[a]);
  if (own !== null) return own;
  const aw = changetype<usize>(table.actionWords) + <usize>a * AW_SIZE;
  const cluster = text(load<u32>(aw, AW_CLUSTER), load<u32>(aw, AW_CLUSTER_LEN));
  const backends = new Array<Backend>();
  backends.push(new Backend(cluster, cluster, 1, new Filters(), false));
  return new Action(text(load<u32>(aw, AW_ROUTE), load<u32>(aw, AW_ROUTE_LEN)), load<u32>(aw, AW_RULE), backends,
    new Filters(), 1, 0, "");
}

function text(p: u32, n: u32): string {
  return String.UTF8.decodeUnsafe(<usize>p, <usize>n);
}
