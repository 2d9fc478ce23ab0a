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
import { HashIndex } from "./hash_index";
import { DIRECT, HotTable, PLAIN, RT_ACTION, RT_CLUSTER, RT_CLUSTER_LEN, RT_FLAGS, RT_PATH, RT_PATH_LEN, RT_SIZE } from "./hot_table";
import { Program, programError } from "./regex";
import { inflate, inflateError } from "./inflate";
import { Filters, RedirectOp } from "./filters";
import { readFilters } from "./filter_records";
import { NO_STRING, PartReader } from "./part_reader";

// Decoder of rule blob format 3 and of packed blobs, a blob DEFLATE-compressed in a small envelope
// (docs/blob-format.md). The table it makes is lean: strings stay in the blob's own buffer and are
// pointed at; every route is one flat record (the hot record the lookup reads, core/hot_table.ts),
// every rule a few words; objects (Route, Action, Backend, their conditions and filters) are made
// only for the rules that need more than a path and one cluster. Two passes: the first checks every
// byte, reference and count and sizes the table; the second fills what the first sized, so nothing
// is allocated from a count that was not checked, and a request never meets an unchecked offset.
// On failure decodeBlob returns null and sets decodeError.

/**
 * A virtual host's routes by what their paths need, so a request looks up its own path instead of
 * scanning every route: exact paths and prefixes (stored without a trailing "/") by the hash of
 * their bytes (core/hash.ts), and regular expressions in a list. Each run holds route indices in
 * precedence order; routes whose keys share a hash share a run, and matching compares the path.
 */
export class RouteIndex {
  constructor(public exact: HashIndex, public prefix: HashIndex, public regex: StaticArray<i32>,
    /** Bit n set: some prefix is n bytes long (bit 63: 63 or more), so other lengths need no lookup. */
    public prefixLengths: u64) {}
}

export const ROOT_HASH = hashString("/");
const NO_HASHES = new HashIndex(new Array<u32>(), new Array<i32>());
const NO_REGEX = new StaticArray<i32>(0);

export class Cond {
  /** Name and value in UTF-8, compared with the request's bytes. */
  nameBytes: ArrayBuffer;
  valueBytes: ArrayBuffer;
  constructor(public kind: u8, name: string, value: string, public regex: Program | null) {
    this.nameBytes = String.UTF8.encode(name);
    this.valueBytes = String.UTF8.encode(value);
  }
}

/** A route that needs more than its hot record: a method, conditions, a regular expression, or a rule with objects. */
export class Route {
  /** The path in UTF-8, compared with the request's bytes. */
  pathBytes: ArrayBuffer;
  constructor(public pathKind: u8, public path: string, public method: string | null,
    public conds: Array<Cond>, public action: i32, public regex: Program | null) {
    this.pathBytes = String.UTF8.encode(path);
  }
}

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
  /** Per virtual host (one per hostname): the index of its part's RouteIndex. */
  vhosts: StaticArray<i32> = new StaticArray<i32>(0);
  /** Per virtual host, VI_SIZE bytes of words. */
  vhostInfo: StaticArray<u32> = new StaticArray<u32>(0);
  /** Per virtual-host part: its routes' index. */
  indexes: Array<RouteIndex> = new Array<RouteIndex>();
  /** Per route: its objects when it needs them (not PLAIN, or its rule not DIRECT), else null. */
  routes: Array<Route | null> = new Array<Route | null>();
  /** Per rule: its objects when it is not DIRECT, else null. */
  actions: Array<Action | null> = new Array<Action | null>();
  /** Per route, its hot record (RT_SIZE bytes, core/hot_table.ts). */
  routeWords: StaticArray<u32> = new StaticArray<u32>(0);
  /** Per rule, AW_SIZE bytes of words. */
  actionWords: StaticArray<u32> = new StaticArray<u32>(0);
  /** The derived cluster names (backends written as namespace, name and port). */
  pool: StaticArray<u8> = new StaticArray<u8>(0);
  /** Hash of the lower-case hostname (exact, "*.suffix" or "*") → indices into vhosts, in blob order. */
  hostIndex: HashIndex = NO_HASHES;
  /**
   * What the request lookup reads (core/hot_table.ts), built by restrictToScope once the proxy's
   * scope and client namespace are known: until then the table serves nothing.
   */
  hot: HotTable = new HotTable(this.vhostInfo, this.vhosts, this.indexes, this.routeWords, this.hostIndex, "");
  /** Service frontends, in blob order. */
  frontends: Array<Frontend> = new Array<Frontend>();
  /** The frontends this proxy applies, each with its virtual host (restrictToScope). */
  frontendTable: FrontendTable = new FrontendTable(this.frontends, this.hot, false);
}

export let decodeError: string = "";

/** CRC-32 (IEEE), as zlib computes it. */
let crcTable: StaticArray<u32> | null = null;
export function crc32(base: usize, len: u32): u32 {
  let table = crcTable;
  if (table === null) {
    table = new StaticArray<u32>(256);
    for (let n: u32 = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
    crcTable = table;
  }
  let crc: u32 = 0xffffffff;
  for (let i: u32 = 0; i < len; i++) {
    crc = unchecked(table[(crc ^ load<u8>(base + i)) & 0xff]) ^ (crc >>> 8);
  }
  return crc ^ 0xffffffff;
}

function fail(msg: string): RuleTable | null {
  decodeError = msg;
  return null;
}

/** Decodes a rule blob, plain or packed (the magic decides); null with decodeError set when it is refused. */
export function decodeBlob(buf: ArrayBuffer): RuleTable | null {
  if (buf.byteLength >= 4 && load<u32>(changetype<usize>(buf)) == PACKED_MAGIC) {
    const inner = unpack(buf);
    return inner === null ? null : decodeFormat2(inner);
  }
  return decodeFormat2(buf);
}

function refuse(msg: string): ArrayBuffer | null {
  decodeError = msg;
  return null;
}

/**
 * The blob inside a packed blob: the envelope's checks, then the checksum of the compressed bytes
 * before anything is allocated or inflated.
 */
function unpack(buf: ArrayBuffer): ArrayBuffer | null {
  const base = changetype<usize>(buf);
  const len = <u32>buf.byteLength;
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
  const out = inflate(buf, PACKED_HEADER_SIZE, inner);
  if (out === null) return refuse("DEFLATE stream refused: " + inflateError);
  return out;
}

/** What the checking pass counted, to size the table. */
class Sizes {
  vhosts: i32 = 0;
  parts: i32 = 0;
  routes: i32 = 0;
  actions: i32 = 0;
  pool: usize = 0;
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
  poolAt: usize = 0;
  /** The part's first rule (actions are referred to within their part). */
  partActions: i32 = 0;
  /** The part's regex programs, decoded when filling. */
  programs: Array<Program> = new Array<Program>();
  /** What the last rule read was: DIRECT, and then its cluster. */
  direct: bool = false;
  clusterPtr: usize = 0;
  clusterLen: u32 = 0;
  frontendKeys: Set<string> = new Set<string>();

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
    this.programs.length = 0;
    for (let i = 0; i < r.programs; i++) {
      const p = Program.decode(<usize>unchecked(r.programPtrs[i]), unchecked(r.programLens[i]));
      if (p === null) return false;
      if (this.table !== null) this.programs.push(p);
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
      if (table !== null) {
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
    for (let k: u32 = 0; k < n && !r.failed; k++) this.routeRecord();
    if (r.failed) return;
    if (table !== null) table.indexes.push(buildIndex(table.routeWords, firstRoute, this.route - firstRoute));
    this.part++;
  }

  routeRecord(): void {
    const r = this.r, table = this.table;
    const head = r.u8();
    const kind = <u8>(head & 3);
    if ((head & ~(3 | ROUTE_FLAG_METHOD | ROUTE_FLAG_CONDITIONS)) != 0) r.fail("unknown route flags");
    const path = kind != PATH_KIND_NONE ? r.need("path") : NO_STRING;
    const program = kind == PATH_KIND_REGULAR_EXPRESSION ? r.program() : -1;
    const method = (head & ROUTE_FLAG_METHOD) != 0 ? r.need("method") : NO_STRING;
    let conds: Array<Cond> | null = null;
    if ((head & ROUTE_FLAG_CONDITIONS) != 0) {
      const n = r.count1("condition");
      if (n == 0) r.fail("conditions flag without conditions");
      if (table !== null) conds = new Array<Cond>();
      for (let k: u32 = 0; k < n && !r.failed; k++) {
        const ck = r.u8(), name = r.need("condition name"), value = r.need("condition value");
        if (ck < CONDITION_KIND_HEADER_EXACT || ck > CONDITION_KIND_QUERY_REGEX) r.fail("unknown condition kind");
        const isRegex = ck == CONDITION_KIND_HEADER_REGEX || ck == CONDITION_KIND_QUERY_REGEX;
        const p = isRegex ? r.program() : -1;
        if (conds !== null && !r.failed) {
          conds.push(new Cond(<u8>ck, r.text(name), r.text(value), isRegex ? this.programs[p] : null));
        }
      }
    }
    const ref = r.varint();
    if (r.failed) return;
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
    if (table !== null) {
      const plain = method == NO_STRING && conds === null && kind != PATH_KIND_REGULAR_EXPRESSION;
      const rec = changetype<usize>(table.routeWords) + <usize>this.route * RT_SIZE;
      let flags = <u32>kind | (plain ? PLAIN : 0);
      store<u32>(rec, path == NO_STRING ? 0 : <u32>r.ptr(path), RT_PATH);
      store<u32>(rec, path == NO_STRING ? 0 : r.len(path), RT_PATH_LEN);
      store<u32>(rec, <u32>action, RT_ACTION);
      if (this.direct) {
        const aw = changetype<usize>(table.actionWords) + <usize>action * AW_SIZE;
        flags |= DIRECT;
        store<u32>(rec, load<u32>(aw, AW_CLUSTER), RT_CLUSTER);
        store<u32>(rec, load<u32>(aw, AW_CLUSTER_LEN), RT_CLUSTER_LEN);
      }
      store<u32>(rec, flags, RT_FLAGS);
      if (!plain || !this.direct) {
        unchecked(table.routes[this.route] = new Route(kind, r.text(path), method == NO_STRING ? null : r.text(method),
          conds !== null ? conds : new Array<Cond>(), action, program >= 0 ? this.programs[program] : null));
      }
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
      this.sizes.pool += len;
      return;
    }
    let at = changetype<usize>(table.pool) + this.poolAt;
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

function decodeFormat2(buf: ArrayBuffer): RuleTable | null {
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

  // Filling pass: into arrays of exactly those sizes.
  const table = new RuleTable();
  table.generation = load<u32>(base + 16);
  table.rollback = (load<u32>(base + 24) & HEADER_FLAGS_ROLLBACK) != 0;
  table.blob = buf;
  table.vhosts = new StaticArray<i32>(sizes.vhosts);
  table.vhostInfo = new StaticArray<u32>(<i32>(<usize>sizes.vhosts * VI_SIZE >> 2));
  table.routeWords = new StaticArray<u32>(<i32>(<usize>sizes.routes * RT_SIZE >> 2));
  table.actionWords = new StaticArray<u32>(<i32>(<usize>sizes.actions * AW_SIZE >> 2));
  table.routes = new Array<Route | null>(sizes.routes);
  table.actions = new Array<Action | null>(sizes.actions);
  table.pool = new StaticArray<u8>(<i32>sizes.pool);
  const fill = new Decoder();
  fill.table = table;
  fill.r = check.r; // its string arrays are already the largest a part needs
  if (!fill.parts(base, count, <usize>first, <usize>len)) return null;
  decodeError = "";
  return table;
}

function buildIndex(words: StaticArray<u32>, first: i32, count: i32): RouteIndex {
  const exactKeys = new Array<u32>(), exact = new Array<i32>();
  const prefixKeys = new Array<u32>(), prefix = new Array<i32>();
  const regex = new Array<i32>();
  let lengths: u64 = 0;
  const base = changetype<usize>(words);
  for (let i = first; i < first + count; i++) {
    const rec = base + <usize>i * RT_SIZE;
    const kind = load<u32>(rec, RT_FLAGS) & 0xff;
    const p = <usize>load<u32>(rec, RT_PATH), n = load<u32>(rec, RT_PATH_LEN);
    if (kind == PATH_KIND_EXACT) {
      exactKeys.push(hashBytes(p, n));
      exact.push(i);
    } else if (kind == PATH_KIND_REGULAR_EXPRESSION) {
      regex.push(i);
    } else {
      const root = kind == PATH_KIND_NONE || (n == 1 && load<u8>(p) == 0x2f);
      prefixKeys.push(root ? ROOT_HASH : hashBytes(p, n));
      prefix.push(i);
      if (!root) lengths |= <u64>1 << <u64>min(n, 63);
    }
  }
  return new RouteIndex(exact.length > 0 ? new HashIndex(exactKeys, exact) : NO_HASHES,
    prefix.length > 0 ? new HashIndex(prefixKeys, prefix) : NO_HASHES,
    regex.length > 0 ? StaticArray.fromArray(regex) : NO_REGEX, lengths);
}

/**
 * Keeps only the virtual hosts this proxy serves: "mesh" keeps GAMMA hosts, "gateway:NS/NAME" that
 * Gateway's hosts, "" all; and serves the clients of namespace `clients` ("" when unknown) as GAMMA
 * consumer routes say. Done once per configuration, so requests never look at other traffic.
 */
export function restrictToScope(table: RuleTable, scope: string, clients: string): void {
  table.hostIndex = indexHosts(table, scope);
  table.hot = new HotTable(table.vhostInfo, table.vhosts, table.indexes, table.routeWords, table.hostIndex, clients);
  // A Gateway is no Service's frontend: there the Host decides alone.
  table.frontendTable = new FrontendTable(table.frontends, table.hot, !scope.startsWith("gateway:"));
}

/** The virtual hosts of `scope` ("" for all, else as restrictToScope) by the hash of their names. */
function indexHosts(table: RuleTable, scope: string): HashIndex {
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
    hosts.push(i);
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
 * hot record alone decides (PLAIN and DIRECT), objects made now from its words — only a debug log
 * line asks for them.
 */
export function routeObjects(table: RuleTable, i: i32): Route {
  const own = unchecked(table.routes[i]);
  if (own !== null) return own;
  const rec = changetype<usize>(table.routeWords) + <usize>i * RT_SIZE;
  return new Route(<u8>(load<u32>(rec, RT_FLAGS) & 0xff), text(load<u32>(rec, RT_PATH), load<u32>(rec, RT_PATH_LEN)), null,
    new Array<Cond>(), <i32>load<u32>(rec, RT_ACTION), null);
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
