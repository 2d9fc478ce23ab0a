import {
  BACKEND_UNRESOLVED, CONDITION_KIND_HEADER_EXACT, CONDITION_KIND_HEADER_REGEX, CONDITION_KIND_QUERY_REGEX,
  DIRECTORY_ENTRY_SIZE, FORMAT_VERSION, HEADER_FLAGS_ROLLBACK, HEADER_SIZE, HOST_KIND_ANY, HOST_KIND_EXACT,
  HOST_KIND_WILDCARD, MAGIC, MAX_DEFLATE_RATIO, MAX_UNPACKED_LENGTH, MODE_GATEWAY, MODE_MESH, NONE,
  PACKED_HEADER_SIZE, PACKED_MAGIC, PACKED_VERSION, PACK_METHOD_DEFLATE, PATH_KIND_NONE, PATH_KIND_EXACT,
  PATH_KIND_REGULAR_EXPRESSION, RECORD_SIZE_VHOSTS, RECORD_SIZE_ROUTES, RECORD_SIZE_CONDITIONS, RECORD_SIZE_ACTIONS,
  RECORD_SIZE_BACKENDS, RECORD_SIZE_FILTERS, RECORD_SIZE_FRONTENDS, STICKY_COOKIE, SECTION_STRINGS, SECTION_VHOSTS,
  SECTION_ROUTES, SECTION_CONDITIONS, SECTION_ACTIONS, SECTION_BACKENDS, SECTION_FILTERS, SECTION_PROGRAMS,
  SECTION_FRONTENDS,
} from "./blob_format";
import { hashBytes, hashString } from "./hash";
import { Frontend, FrontendTable } from "./frontends";
import { HashIndex } from "./hash_index";
import { HotTable } from "./hot_table";
import { Program, programError } from "./regex";
import { inflate, inflateError } from "./inflate";
import { Filters, RedirectOp } from "./filters";
import { filterRecordError, filterRecords, filtersOf } from "./filter_records";

// Decoder of rule blob format 1 and of packed blobs, format 1 DEFLATE-compressed in a small envelope
// (docs/blob-format.md). Every count, offset and reference is checked before it is used, so no blob
// can make the filter read out of bounds, trap, or allocate more than the blob's own size implies.
// On failure decodeBlob returns null and sets decodeError.





export class VHost {
  /** The lower-case hostname in UTF-8, to confirm a lookup by hash. */
  nameBytes: ArrayBuffer;
  constructor(public hostname: string, public kind: u8, public mode: u8, public port: u32,
    public scope: string, public firstRoute: i32, public routeCount: i32, public index: RouteIndex,
    /** GAMMA: the namespace whose clients this host serves; "" for every client. */
    public clients: string) {
    this.nameBytes = String.UTF8.encode(hostname);
  }
}

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
function bytesHash(b: ArrayBuffer): u32 {
  return hashBytes(changetype<usize>(b), b.byteLength);
}

function buildIndex(routes: Array<Route>, first: i32, count: i32): RouteIndex {
  const exactKeys = new Array<u32>(), exact = new Array<i32>();
  const prefixKeys = new Array<u32>(), prefix = new Array<i32>();
  const regex = new Array<i32>();
  let lengths: u64 = 0;
  for (let i = first; i < first + count; i++) {
    const r = unchecked(routes[i]);
    if (r.pathKind == PATH_KIND_EXACT) {
      exactKeys.push(bytesHash(r.pathBytes));
      exact.push(i);
    } else if (r.pathKind == PATH_KIND_REGULAR_EXPRESSION) {
      regex.push(i);
    } else {
      const root = r.pathKind == PATH_KIND_NONE || r.path == "/";
      prefixKeys.push(root ? ROOT_HASH : bytesHash(r.pathBytes));
      prefix.push(i);
      if (!root) lengths |= <u64>1 << <u64>min(r.pathBytes.byteLength, 63);
    }
  }
  return new RouteIndex(new HashIndex(exactKeys, exact), new HashIndex(prefixKeys, prefix),
    StaticArray.fromArray(regex), lengths);
}

export class Cond {
  /** Name and value in UTF-8, compared with the request's bytes. */
  nameBytes: ArrayBuffer;
  valueBytes: ArrayBuffer;
  constructor(public kind: u8, public name: string, public value: string, public regex: Program | null) {
    this.nameBytes = String.UTF8.encode(name);
    this.valueBytes = String.UTF8.encode(value);
  }
}

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
   * plain rule never reads its filter lists — at 10,000 rules each read is a likely cache miss.
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

/** The decoded table one root context serves. */
export class RuleTable {
  generation: u32 = 0;
  /** Made by a rollback: taken even when older than the generation serving (pull mode). */
  rollback: bool = false;
  vhosts: Array<VHost> = new Array<VHost>();
  routes: Array<Route> = new Array<Route>();
  actions: Array<Action> = new Array<Action>();
  /** Hash of the lower-case hostname (exact, "*.suffix" or "*") → indices into vhosts, in blob order. */
  hostIndex: HashIndex = new HashIndex(new Array<u32>(), new Array<i32>());
  /**
   * What the request lookup reads (core/hot_table.ts), built by restrictToScope once the proxy's
   * scope and client namespace are known: until then the table serves nothing.
   */
  hot: HotTable = new HotTable(this.vhosts, this.routes, this.actions, this.hostIndex, "");
  /** Service frontends (section 9), in blob order. */
  frontends: Array<Frontend> = new Array<Frontend>();
  /** The frontends this proxy applies, each with its virtual host (restrictToScope). */
  frontendTable: FrontendTable = new FrontendTable(this.frontends, this.hot, false);
}

export let decodeError: string = "";

class Reader {
  base: usize;
  constructor(public buf: ArrayBuffer) {
    this.base = changetype<usize>(buf);
  }
  get length(): u32 { return <u32>this.buf.byteLength; }
  u8(at: u32): u8 { return load<u8>(this.base + at); }
  u16(at: u32): u16 { return load<u16>(this.base + at); }
  u32(at: u32): u32 { return load<u32>(this.base + at); }
}

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

/** Whether bytes are well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
function validUtf8(base: usize, len: u32): bool {
  let i: u32 = 0;
  while (i < len) {
    const c = <u32>load<u8>(base + i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: u32, min: u32, cp: u32;
    if ((c & 0xe0) == 0xc0) {
      n = 1; min = 0x80; cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2; min = 0x800; cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3; min = 0x10000; cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= len) return false; // the sequence runs past the end
    for (let k: u32 = 1; k <= n; k++) {
      const cc = <u32>load<u8>(base + i + k);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

class Section {
  constructor(public at: u32, public len: u32) {}
}

function fail(msg: string): RuleTable | null {
  decodeError = msg;
  return null;
}

/** Record section bounds: returns the record count, or -1 when the section is malformed. */
function recordCount(r: Reader, s: Section, size: u32): i64 {
  if (s.len < 4) return -1;
  const n = r.u32(s.at);
  if (<u64>4 + <u64>n * <u64>size != <u64>s.len) return -1;
  return <i64>n;
}

/** Decodes a rule blob, plain or packed (the magic decides); null with decodeError set when it is refused. */
export function decodeBlob(buf: ArrayBuffer): RuleTable | null {
  if (buf.byteLength >= 4 && load<u32>(changetype<usize>(buf)) == PACKED_MAGIC) {
    const inner = unpack(buf);
    return inner === null ? null : decodeFormat1(inner);
  }
  return decodeFormat1(buf);
}

function refuse(msg: string): ArrayBuffer | null {
  decodeError = msg;
  return null;
}

/**
 * The format-1 blob inside a packed blob: the envelope's checks, then the checksum of the compressed
 * bytes before anything is allocated or inflated.
 */
function unpack(buf: ArrayBuffer): ArrayBuffer | null {
  const r = new Reader(buf);
  const len = r.length;
  if (len < PACKED_HEADER_SIZE) return refuse("packed blob shorter than its header");
  if (r.u8(4) != PACKED_VERSION) return refuse("unsupported packed blob version " + r.u8(4).toString());
  if (r.u8(5) != PACK_METHOD_DEFLATE) return refuse("unsupported compression method " + r.u8(5).toString());
  if (r.u16(6) != 0) return refuse("reserved bytes of the packed blob header are not zero");
  const inner = r.u32(8), streamLen = len - PACKED_HEADER_SIZE;
  if (inner == 0) return refuse("packed blob declares an empty blob");
  if (inner > MAX_UNPACKED_LENGTH) return refuse("packed blob declares " + inner.toString() + " bytes, over the limit");
  if (<u64>inner > MAX_DEFLATE_RATIO * <u64>streamLen) {
    return refuse("packed blob declares more bytes than its DEFLATE stream can hold");
  }
  if (r.u32(12) != crc32(r.base + PACKED_HEADER_SIZE, streamLen)) {
    return refuse("checksum mismatch: the compressed bytes are damaged");
  }
  const out = inflate(buf, PACKED_HEADER_SIZE, inner);
  if (out === null) return refuse("DEFLATE stream refused: " + inflateError);
  return out;
}

function decodeFormat1(buf: ArrayBuffer): RuleTable | null {
  const r = new Reader(buf);
  const len = r.length;
  if (len < HEADER_SIZE) return fail("blob shorter than its header");
  if (r.u32(0) != MAGIC) return fail("bad magic: not a wasmroute rule blob");
  if (r.u16(4) != FORMAT_VERSION) return fail("unsupported blob format " + r.u16(4).toString());
  if (r.u16(6) != <u16>HEADER_SIZE) return fail("bad header size");
  if (r.u32(8) != len) return fail("length field does not match the bytes received");
  if (r.u32(12) != crc32(r.base + 16, len - 16)) return fail("checksum mismatch");
  const count = r.u32(20);
  if (<u64>HEADER_SIZE + <u64>count * <u64>DIRECTORY_ENTRY_SIZE > <u64>len) return fail("section directory out of range");

  const sections = new StaticArray<Section | null>(10);
  for (let i: u32 = 0; i < count; i++) {
    const d = HEADER_SIZE + i * DIRECTORY_ENTRY_SIZE;
    const id = r.u32(d), at = r.u32(d + 4), slen = r.u32(d + 8);
    if (<u64>at + <u64>slen > <u64>len || (at & 3) != 0) return fail("section " + id.toString() + " out of range");
    if (id >= 1 && id <= SECTION_FRONTENDS) {
      if (sections[id] !== null) return fail("section " + id.toString() + " appears twice");
      sections[id] = new Section(at, slen);
    }
  }
  for (let id = 1; id <= 8; id++) {
    if (sections[id] === null) return fail("section " + id.toString() + " missing");
  }

  // Strings
  const st = sections[SECTION_STRINGS]!;
  if (st.len < 4) return fail("string table too short");
  const ns = r.u32(st.at);
  if (<u64>4 + (<u64>ns + 1) * 4 > <u64>st.len) return fail("string table offsets out of range");
  const dataAt = st.at + 4 + 4 * (ns + 1);
  const dataLen = st.at + st.len - dataAt;
  const strings = new Array<string>(ns);
  for (let i: u32 = 0; i < ns; i++) {
    const from = r.u32(st.at + 4 + 4 * i), to = r.u32(st.at + 8 + 4 * i);
    if (from > to || to > dataLen) return fail("string " + i.toString() + " out of range");
    if (!validUtf8(r.base + dataAt + from, to - from)) return fail("string " + i.toString() + " is not valid UTF-8");
    strings[i] = String.UTF8.decodeUnsafe(r.base + dataAt + from, to - from);
  }

  // Programs: the same layout as strings; each is validated as it is decoded.
  const ps = sections[SECTION_PROGRAMS]!;
  if (ps.len < 4) return fail("program table too short");
  const np = r.u32(ps.at);
  if (<u64>4 + (<u64>np + 1) * 4 > <u64>ps.len) return fail("program table offsets out of range");
  const progAt = ps.at + 4 + 4 * (np + 1);
  const progLen = ps.at + ps.len - progAt;
  const programs = new Array<Program>(np);
  for (let i: u32 = 0; i < np; i++) {
    const from = r.u32(ps.at + 4 + 4 * i), to = r.u32(ps.at + 8 + 4 * i);
    if (from > to || to > progLen) return fail("program " + i.toString() + " out of range");
    const p = Program.decode(r.base + progAt + from, to - from);
    if (p === null) return fail("program " + i.toString() + ": " + programError);
    programs[i] = p;
  }

  const fs = sections[SECTION_FILTERS]!;
  const nfs = recordCount(r, fs, RECORD_SIZE_FILTERS);
  if (nfs < 0) return fail("filter section length does not match its count");
  const filters = filterRecords(r.base + fs.at + 4, <u32>nfs, strings);
  if (filters === null) return fail(filterRecordError);
  const nf = filters.length;

  const bs = sections[SECTION_BACKENDS]!;
  const nb = recordCount(r, bs, RECORD_SIZE_BACKENDS);
  if (nb < 0) return fail("backend section length does not match its count");
  const backends = new Array<Backend>(<i32>nb);
  for (let i: u32 = 0; i < <u32>nb; i++) {
    const at = bs.at + 4 + i * RECORD_SIZE_BACKENDS;
    const cluster = r.u32(at), label = r.u32(at + 4), first = r.u32(at + 12), n = <u32>r.u16(at + 16);
    if (cluster >= ns || label >= ns) return fail("backend " + i.toString() + ": string out of range");
    if (<u64>first + <u64>n > <u64>nf && n > 0) return fail("backend " + i.toString() + ": filters out of range");
    backends[i] = new Backend(strings[cluster], strings[label], r.u32(at + 8),
      filtersOf(filters, first, n), (r.u16(at + 18) & BACKEND_UNRESOLVED) != 0);
  }

  const as = sections[SECTION_ACTIONS]!;
  const na = recordCount(r, as, RECORD_SIZE_ACTIONS);
  if (na < 0) return fail("action section length does not match its count");
  const table = new RuleTable();
  table.generation = r.u32(16);
  table.rollback = (r.u32(24) & HEADER_FLAGS_ROLLBACK) != 0;
  for (let i: u32 = 0; i < <u32>na; i++) {
    const at = as.at + 4 + i * RECORD_SIZE_ACTIONS;
    const route = r.u32(at), firstB = r.u32(at + 8), nB = <u32>r.u16(at + 12), nF = <u32>r.u16(at + 14);
    const firstF = r.u32(at + 16), total = r.u32(at + 20), stickyFrom = r.u16(at + 6), stickyKey = r.u32(at + 24);
    if (route >= ns) return fail("action " + i.toString() + ": string out of range");
    if (stickyFrom > STICKY_COOKIE || (stickyFrom != 0 && stickyKey >= ns)) {
      return fail("action " + i.toString() + ": bad sticky key");
    }
    if (nB > 0 && <u64>firstB + <u64>nB > <u64>nb) return fail("action " + i.toString() + ": backends out of range");
    if (nF > 0 && <u64>firstF + <u64>nF > <u64>nf) return fail("action " + i.toString() + ": filters out of range");
    const own = nB > 0 ? backends.slice(firstB, firstB + nB) : new Array<Backend>();
    let sum: u64 = 0;
    for (let k = 0; k < own.length; k++) sum += own[k].weight;
    if (sum != <u64>total) return fail("action " + i.toString() + ": total weight does not match its backends");
    table.actions.push(new Action(strings[route], r.u16(at + 4), own,
      filtersOf(filters, firstF, nF), total, stickyFrom,
      stickyFrom != 0 ? strings[stickyKey] : "")); // 0: no sticky key
  }

  const cs = sections[SECTION_CONDITIONS]!;
  const nc = recordCount(r, cs, RECORD_SIZE_CONDITIONS);
  if (nc < 0) return fail("condition section length does not match its count");
  const conds = new Array<Cond>(<i32>nc);
  for (let i: u32 = 0; i < <u32>nc; i++) {
    const at = cs.at + 4 + i * RECORD_SIZE_CONDITIONS;
    const kind = r.u8(at), name = r.u32(at + 4), value = r.u32(at + 8), prog = r.u32(at + 12);
    if (kind < CONDITION_KIND_HEADER_EXACT || kind > CONDITION_KIND_QUERY_REGEX) return fail("condition " + i.toString() + ": unknown kind");
    if (name >= ns || value >= ns) return fail("condition " + i.toString() + ": string out of range");
    const isRegex = kind == CONDITION_KIND_HEADER_REGEX || kind == CONDITION_KIND_QUERY_REGEX;
    if (isRegex ? prog >= np : prog != NONE) return fail("condition " + i.toString() + ": bad program reference");
    conds[i] = new Cond(kind, strings[name], strings[value], isRegex ? programs[prog] : null);
  }

  const rs = sections[SECTION_ROUTES]!;
  const nr = recordCount(r, rs, RECORD_SIZE_ROUTES);
  if (nr < 0) return fail("route section length does not match its count");
  for (let i: u32 = 0; i < <u32>nr; i++) {
    const at = rs.at + 4 + i * RECORD_SIZE_ROUTES;
    const kind = r.u8(at), nC = <u32>r.u16(at + 2), path = r.u32(at + 4), method = r.u32(at + 8);
    const firstC = r.u32(at + 12), action = r.u32(at + 16), prog = r.u32(at + 20);
    if (kind > PATH_KIND_REGULAR_EXPRESSION) return fail("route " + i.toString() + ": unknown path kind");
    if (kind == PATH_KIND_REGULAR_EXPRESSION ? prog >= np : prog != NONE) return fail("route " + i.toString() + ": bad program reference");
    if ((kind != PATH_KIND_NONE && path >= ns) || (method != NONE && method >= ns)) {
      return fail("route " + i.toString() + ": string out of range");
    }
    if (nC > 0 && <u64>firstC + <u64>nC > <u64>nc) return fail("route " + i.toString() + ": conditions out of range");
    if (action >= <u32>na) return fail("route " + i.toString() + ": action out of range");
    table.routes.push(new Route(kind, kind == PATH_KIND_NONE ? "" : strings[path], method == NONE ? null : strings[method],
      nC > 0 ? conds.slice(firstC, firstC + nC) : new Array<Cond>(), <i32>action, kind == PATH_KIND_REGULAR_EXPRESSION ? programs[prog] : null));
  }

  const vs = sections[SECTION_VHOSTS]!;
  const indexes = new Map<u64, RouteIndex>();
  const nv = recordCount(r, vs, RECORD_SIZE_VHOSTS);
  if (nv < 0) return fail("virtual host section length does not match its count");
  for (let i: u32 = 0; i < <u32>nv; i++) {
    const at = vs.at + 4 + i * RECORD_SIZE_VHOSTS;
    const host = r.u32(at), kind = r.u8(at + 4), mode = r.u8(at + 5), scope = r.u32(at + 8);
    const first = r.u32(at + 12), n = r.u32(at + 16), clients = r.u32(at + 20);
    if (host >= ns || (scope != NONE && scope >= ns) || (clients != NONE && clients >= ns)) {
      return fail("virtual host " + i.toString() + ": string out of range");
    }
    if (mode > MODE_MESH) return fail("virtual host " + i.toString() + ": unknown mode");
    const h = strings[host];
    if (kind != (h == "*" ? HOST_KIND_ANY : h.startsWith("*.") ? HOST_KIND_WILDCARD : HOST_KIND_EXACT)) {
      return fail("virtual host " + i.toString() + ": host kind does not match its name");
    }
    if (<u64>first + <u64>n > <u64>nr) return fail("virtual host " + i.toString() + ": routes out of range");
    const name = strings[host].toLowerCase();
    // Hostnames sharing a route range share its index.
    const rangeKey = (<u64>first << 32) | <u64>n;
    if (!indexes.has(rangeKey)) indexes.set(rangeKey, buildIndex(table.routes, <i32>first, <i32>n));
    table.vhosts.push(new VHost(name, kind, mode, <u32>r.u16(at + 6), scope == NONE ? "" : strings[scope], <i32>first,
      <i32>n, indexes.get(rangeKey), clients == NONE ? "" : strings[clients]));
  }
  const fs9 = sections[SECTION_FRONTENDS];
  if (fs9 !== null && !decodeFrontends(r, fs9, strings, table)) return null;
  decodeError = "";
  return table;
}

/** The optional FRONTENDS section: real ports, zero reserved bytes, each address and port once. */
function decodeFrontends(r: Reader, s: Section, strings: Array<string>, table: RuleTable): bool {
  const n = recordCount(r, s, RECORD_SIZE_FRONTENDS);
  if (n < 0) return refused("frontend section length does not match its count");
  const ns = <u32>strings.length;
  const seen = new Set<string>();
  for (let i: u32 = 0; i < <u32>n; i++) {
    const at = s.at + 4 + i * RECORD_SIZE_FRONTENDS;
    const address = r.u32(at), port = <u32>r.u16(at + 4), hostname = r.u32(at + 8), service = r.u32(at + 12);
    const what = "frontend " + i.toString();
    if (address >= ns || hostname >= ns || service >= ns) return refused(what + ": string out of range");
    if (strings[address].length == 0 || port == 0 || r.u16(at + 6) != 0) {
      return refused(what + ": bad address, port or reserved bytes");
    }
    const f = new Frontend(strings[address], port, strings[hostname]);
    const key = strings[address] + " " + port.toString();
    if (seen.has(key)) return refused(what + ": address and port repeated");
    seen.add(key);
    table.frontends.push(f);
  }
  return true;
}

function refused(msg: string): bool {
  decodeError = msg;
  return false;
}

/**
 * Keeps only the virtual hosts this proxy serves: "mesh" keeps GAMMA hosts, "gateway:NS/NAME" that
 * Gateway's hosts, "" all; and serves the clients of namespace `clients` ("" when unknown) as GAMMA
 * consumer routes say. Done once per configuration, so requests never look at other traffic.
 */
export function restrictToScope(table: RuleTable, scope: string, clients: string): void {
  table.hostIndex = indexHosts(table, scope);
  table.hot = new HotTable(table.vhosts, table.routes, table.actions, table.hostIndex, clients);
  // A Gateway is no Service's frontend: there the Host decides alone.
  table.frontendTable = new FrontendTable(table.frontends, table.hot, !scope.startsWith("gateway:"));
}

/** The virtual hosts of `scope` ("" for all, else as restrictToScope) by the hash of their names. */
function indexHosts(table: RuleTable, scope: string): HashIndex {
  const mesh = scope == "mesh";
  const gateway = mesh || scope.length == 0 ? "" : scope.substring(8);
  const keys = new Array<u32>(), hosts = new Array<i32>();
  for (let i = 0; i < table.vhosts.length; i++) {
    const vh = table.vhosts[i];
    if (scope.length > 0 && (mesh ? vh.mode != MODE_MESH : vh.mode != MODE_GATEWAY || vh.scope != gateway)) continue;
    // A wildcard is filed under its suffix (".example.com"), which a request's host holds as it is.
    keys.push(vh.kind == HOST_KIND_WILDCARD
      ? hashBytes(changetype<usize>(vh.nameBytes) + 1, vh.nameBytes.byteLength - 1)
      : bytesHash(vh.nameBytes));
    hosts.push(i);
  }
  return new HashIndex(keys, hosts);
}
