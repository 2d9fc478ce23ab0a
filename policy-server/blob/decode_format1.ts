/**
 * The format-1 reader of `decodeBlob`.
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { BlobFormatError } from "./blob_format_error.ts";
import { validateProgram } from "../regex/match_program.ts";
import type {
  Backend,
  Condition,
  PathModifier,
  RouteAction,
  RouteEntry,
  RouteFilter,
  RouteTable,
  ServiceFrontend,
  VirtualHost,
} from "../ir/types.ts";
import {
  BACKEND_UNRESOLVED,
  CONDITION_KIND,
  DIRECTORY_ENTRY_SIZE,
  FILTER_KIND,
  FORMAT_VERSION,
  HEADER_FLAGS,
  HEADER_SIZE,
  HOST_KIND,
  MAGIC,
  MODE,
  NONE,
  PATH_KIND,
  PATH_MODIFIER,
  RECORD_SIZE,
  Section,
  STICKY,
} from "./format1.ts";
import { nameOf } from "./format.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function fail(msg: string): never {
  throw new BlobFormatError(msg);
}

/** The rows of one record section: how many, and where row `i` starts. */
interface Rows {
  n: number;
  row: (i: number) => number;
}

/** What every record decoder reads: the bytes, the record sections, the strings, the programs. */
interface Format1 {
  view: DataView;
  records: (id: number) => Rows;
  str: (i: number) => string;
  optStr: (i: number) => string | undefined;
  nPrograms: number;
}

/**
 * Reads a format-1 blob (docs/blob-format.md, "Format 1"), with every check the filter made of it:
 * the policy server writes format 2 now, but a store keeps the format-1 generations it had (the blob
 * history, a rollback, which encodes what this reads as format 2).
 */
export function decodeFormat1(blob: Uint8Array): RouteTable {
  if (blob.length < HEADER_SIZE) fail(`Blob is ${blob.length} bytes, shorter than its header`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const { generation, count, rollback } = readHeader(blob, view);
  const sections = readDirectory(blob, view, count);
  const section = (id: number) => sections.get(id) ?? fail(`Section ${id} missing`);
  const records = (id: number): Rows => {
    const { at, len } = section(id);
    const n = len >= 4 ? view.getUint32(at, true) : fail(`Section ${id} too short`);
    if (4 + n * RECORD_SIZE[id] !== len) fail(`Section ${id} length does not match its count`);
    return { n, row: (i: number) => at + 4 + i * RECORD_SIZE[id] };
  };
  const strings = readStrings(blob, view, section(Section.STRINGS));
  const str = (i: number) => (i < strings.length ? strings[i] : fail(`String ref ${i} out of range`));
  const nPrograms = checkPrograms(blob, view, section(Section.PROGRAMS));
  const t: Format1 = { view, records, str, optStr: (i) => (i === NONE ? undefined : str(i)), nPrograms };

  const filters = decodeFilters(t);
  const backends = decodeBackends(t, filters);
  const actions = decodeActions(t, backends, filters);
  const conditions = decodeConditions(t);
  const routes = decodeRoutes(t, conditions, actions);
  const vhosts = decodeVirtualHosts(t, routes);
  const frontends = sections.has(Section.FRONTENDS)
    ? decodeFrontends(records(Section.FRONTENDS), view, str)
    : [];
  return { generation, vhosts, ...(frontends.length && { frontends }), ...(rollback && { rollback }) };
}

/** The header's checks (magic, format, sizes, checksum) and what it says. */
function readHeader(
  blob: Uint8Array,
  view: DataView,
): { generation: number; count: number; rollback: boolean } {
  if (!MAGIC.every((b, i) => blob[i] === b)) fail("Bad magic: not a wasmroute rule blob");
  if (view.getUint16(4, true) !== FORMAT_VERSION) fail(`Unsupported format ${view.getUint16(4, true)}`);
  if (view.getUint16(6, true) !== HEADER_SIZE) fail("Bad header size");
  if (view.getUint32(8, true) !== blob.length) fail("Total length does not match the bytes received");
  if (view.getUint32(12, true) !== (crc32(blob.subarray(16)) >>> 0)) fail("Checksum mismatch");
  const generation = view.getUint32(16, true);
  const count = view.getUint32(20, true);
  const rollback = (view.getUint32(24, true) & HEADER_FLAGS.ROLLBACK) !== 0;
  return { generation, count, rollback };
}

/** The section directory: each section inside the blob, 4-aligned, once. */
function readDirectory(
  blob: Uint8Array,
  view: DataView,
  count: number,
): Map<number, { at: number; len: number }> {
  if (HEADER_SIZE + count * DIRECTORY_ENTRY_SIZE > blob.length) fail("Section directory out of range");
  const sections = new Map<number, { at: number; len: number }>();
  for (let i = 0; i < count; i++) {
    const d = HEADER_SIZE + i * DIRECTORY_ENTRY_SIZE;
    const id = view.getUint32(d, true);
    const at = view.getUint32(d + 4, true);
    const len = view.getUint32(d + 8, true);
    if (at + len > blob.length || at % 4 !== 0) fail(`Section ${id} out of range`);
    if (sections.has(id)) fail(`Section ${id} appears twice`);
    sections.set(id, { at, len });
  }
  return sections;
}

/** The STRINGS section: a count, count + 1 offsets, then UTF-8 data. */
function readStrings(blob: Uint8Array, view: DataView, st: { at: number; len: number }): string[] {
  const nStrings = st.len >= 4 ? view.getUint32(st.at, true) : fail("String table too short");
  const dataAt = st.at + 4 + 4 * (nStrings + 1);
  if (dataAt > st.at + st.len) fail("String table offsets out of range");
  const strings: string[] = [];
  for (let i = 0; i < nStrings; i++) {
    const from = view.getUint32(st.at + 4 + 4 * i, true);
    const to = view.getUint32(st.at + 8 + 4 * i, true);
    if (from > to || dataAt + to > st.at + st.len) fail(`String ${i} out of range`);
    strings.push(utf8.decode(blob.subarray(dataAt + from, dataAt + to)));
  }
  return strings;
}

/** The PROGRAMS section, laid out like STRINGS: each program validated; returns how many. */
function checkPrograms(blob: Uint8Array, view: DataView, ps: { at: number; len: number }): number {
  const nPrograms = ps.len >= 4 ? view.getUint32(ps.at, true) : fail("Program table too short");
  const programsAt = ps.at + 4 + 4 * (nPrograms + 1);
  if (programsAt > ps.at + ps.len) fail("Program table offsets out of range");
  for (let i = 0; i < nPrograms; i++) {
    const from = view.getUint32(ps.at + 4 + 4 * i, true), to = view.getUint32(ps.at + 8 + 4 * i, true);
    if (from > to || programsAt + to > ps.at + ps.len) fail(`Program ${i} out of range`);
    const problem = validateProgram(blob.subarray(programsAt + from, programsAt + to));
    if (problem) fail(`Program ${i}: ${problem}`);
  }
  return nPrograms;
}

/** A regex record must name a program; any other record must not. */
function checkProgram(t: Format1, ref: number, regex: boolean, what: string): void {
  if (regex ? ref >= t.nPrograms : ref !== NONE) fail(`${what}: bad program reference`);
}

function slice<T>(all: T[], first: number, n: number, what: string): T[] {
  return first + n <= all.length || n === 0
    ? all.slice(first, first + n)
    : fail(`${what} range out of bounds`);
}

/** A CORS filter spans two records that decode to one object. */
function filterSlice(filters: RouteFilter[], first: number, n: number, what: string): RouteFilter[] {
  return slice(filters, first, n, what).filter((f, i, all) => i === 0 || all[i - 1] !== f);
}

/** The FILTERS section, one entry per record (a CORS filter's two records share one object). */
function decodeFilters(t: Format1): RouteFilter[] {
  const f = t.records(Section.FILTERS);
  const filters: RouteFilter[] = [];
  for (let i = 0; i < f.n; i++) filters.push(decodeFilter(t, f, i, filters));
  return filters;
}

/** The fields of a filter record: two strings, a number and a fourth word (a string, or a number). */
interface FilterFields {
  i: number;
  modifier: number;
  a?: string;
  b?: string;
  c: number;
  d?: string;
  dRaw: number;
}

function decodeFilter(t: Format1, f: Rows, i: number, filters: RouteFilter[]): RouteFilter {
  const { view, optStr } = t;
  const r = f.row(i);
  const kind = nameOf(FILTER_KIND, view.getUint16(r, true)) ?? fail(`Filter ${i}: unknown kind`);
  const modifier = view.getUint16(r + 2, true);
  const a = optStr(view.getUint32(r + 4, true)), b = optStr(view.getUint32(r + 8, true));
  const c = view.getUint32(r + 12, true), dRaw = view.getUint32(r + 16, true);
  const d = kind === "RequestMirror" ? undefined : optStr(dRaw);
  if (modifier !== 0 && kind !== "RequestRedirect" && kind !== "URLRewrite") {
    fail(`Filter ${i}: path modifier on a filter without a path`);
  }
  const fields: FilterFields = { i, modifier, a, b, c, d, dRaw };
  if (kind === "RequestRedirect") return redirectFilter(fields);
  if (kind === "URLRewrite") {
    return { kind, ...(b !== undefined && { hostname: b }), ...pathModifier(fields) };
  }
  if (kind === "RequestMirror") return mirrorFilter(fields);
  if ((kind === "CORS" || kind === "CORSExpose") && a === undefined) {
    fail(`Filter ${i}: CORS origins missing`);
  }
  if (kind === "CORS") return corsFilter(fields);
  if (kind === "CORSExpose") return corsExpose(t, f, fields, filters);
  return { kind, name: a ?? fail(`Filter ${i}: header name missing`), ...(b !== undefined && { value: b }) };
}

/** A redirect's or rewrite's path modifier (its value in the fourth word), or nothing. */
function pathModifier({ i, modifier, d }: FilterFields): { path?: PathModifier } {
  if (modifier === 0) return {};
  const type = nameOf(PATH_MODIFIER, modifier) ?? fail(`Filter ${i}: unknown path modifier`);
  return { path: { type, value: d ?? fail(`Filter ${i}: path modifier without a path`) } };
}

/** The number word holds the status code (high half) and the port (low half). */
function redirectFilter(fields: FilterFields): RouteFilter {
  const { i, a, b, c } = fields;
  const port = c & 0xffff;
  if (![301, 302, 303, 307, 308].includes(c >>> 16)) fail(`Filter ${i}: redirect status ${c >>> 16}`);
  return {
    kind: "RequestRedirect",
    ...(a !== undefined && { scheme: a }),
    ...(b !== undefined && { hostname: b }),
    ...(port !== 0 && { port }),
    ...pathModifier(fields),
    statusCode: c >>> 16,
  };
}

/** A mirror's share is numerator (number word) over denominator (fourth word). */
function mirrorFilter({ i, a, b, c, dRaw }: FilterFields): RouteFilter {
  const denominator = dRaw;
  if (a === undefined || b === undefined || denominator === 0 || c > denominator) {
    fail(`Filter ${i}: bad mirror`);
  }
  return { kind: "RequestMirror", cluster: a!, label: b!, numerator: c, denominator };
}

/** The number word holds max-age (low 31 bits) and allow-credentials (top bit). */
function corsFilter({ a, b, c, d }: FilterFields): RouteFilter {
  return {
    kind: "CORS",
    allowOrigins: a ?? "",
    allowMethods: b ?? "",
    allowHeaders: d ?? "",
    exposeHeaders: "",
    maxAge: c & 0x7fffffff,
    allowCredentials: (c & 0x80000000) !== 0,
  };
}

/** The second record of a CORS filter: sets the exposed headers of the one before, and repeats it. */
function corsExpose(t: Format1, f: Rows, { i, a }: FilterFields, filters: RouteFilter[]): RouteFilter {
  if (i === 0 || t.view.getUint16(f.row(i - 1), true) !== FILTER_KIND.CORS) {
    fail(`Filter ${i}: CORS expose record without its CORS record`);
  }
  const pre = filters[filters.length - 1];
  (pre as { exposeHeaders: string }).exposeHeaders = a ?? "";
  return pre; // keeps record indexes aligned; the duplicate is dropped when lists are sliced
}

function decodeBackends(t: Format1, filters: RouteFilter[]): Backend[] {
  const { view, str } = t;
  const b = t.records(Section.BACKENDS);
  const backends: Backend[] = [];
  for (let i = 0; i < b.n; i++) {
    const r = b.row(i);
    const unresolved = (view.getUint16(r + 18, true) & BACKEND_UNRESOLVED) !== 0;
    backends.push({
      cluster: str(view.getUint32(r, true)),
      label: str(view.getUint32(r + 4, true)),
      weight: view.getUint32(r + 8, true),
      filters: filterSlice(
        filters,
        view.getUint32(r + 12, true),
        view.getUint16(r + 16, true),
        "Backend filter",
      ),
      ...(unresolved && { unresolved }),
    });
  }
  return backends;
}

function decodeActions(t: Format1, backends: Backend[], filters: RouteFilter[]): RouteAction[] {
  const { view, str } = t;
  const a = t.records(Section.ACTIONS);
  const actions: RouteAction[] = [];
  for (let i = 0; i < a.n; i++) {
    const r = a.row(i);
    const own = slice(backends, view.getUint32(r + 8, true), view.getUint16(r + 12, true), "Action backend");
    if (own.reduce((s, x) => s + x.weight, 0) !== view.getUint32(r + 20, true)) {
      fail(`Action ${i}: total weight does not match its backends`);
    }
    const stickyFrom = view.getUint16(r + 6, true);
    const sticky = stickyFrom === 0 ? undefined : {
      from: nameOf(STICKY, stickyFrom) ?? fail(`Action ${i}: unknown sticky-key source`),
      name: str(view.getUint32(r + 24, true)),
    };
    actions.push({
      route: str(view.getUint32(r, true)),
      rule: view.getUint16(r + 4, true),
      ...(sticky && { sticky }),
      backends: own,
      filters: filterSlice(
        filters,
        view.getUint32(r + 16, true),
        view.getUint16(r + 14, true),
        "Action filter",
      ),
    });
  }
  return actions;
}

function decodeConditions(t: Format1): Condition[] {
  const { view, str } = t;
  const c = t.records(Section.CONDITIONS);
  const conditions: Condition[] = [];
  for (let i = 0; i < c.n; i++) {
    const r = c.row(i);
    const kind = nameOf(CONDITION_KIND, view.getUint8(r)) ?? fail(`Condition ${i}: unknown kind`);
    checkProgram(t, view.getUint32(r + 12, true), kind.endsWith("Regex"), `Condition ${i}`);
    conditions.push({
      kind,
      name: str(view.getUint32(r + 4, true)),
      value: str(view.getUint32(r + 8, true)),
    });
  }
  return conditions;
}

function decodeRoutes(t: Format1, conditions: Condition[], actions: RouteAction[]): RouteEntry[] {
  const { view, str, optStr } = t;
  const ro = t.records(Section.ROUTES);
  const routes: RouteEntry[] = [];
  for (let i = 0; i < ro.n; i++) {
    const r = ro.row(i);
    const pathKind = nameOf(PATH_KIND, view.getUint8(r)) ?? fail(`Route ${i}: unknown path kind`);
    checkProgram(t, view.getUint32(r + 20, true), pathKind === "RegularExpression", `Route ${i}`);
    const method = optStr(view.getUint32(r + 8, true));
    const action = view.getUint32(r + 16, true);
    routes.push({
      ...(pathKind !== "None" && { path: { type: pathKind, value: str(view.getUint32(r + 4, true)) } }),
      ...(method !== undefined && { method }),
      conditions: slice(
        conditions,
        view.getUint32(r + 12, true),
        view.getUint16(r + 2, true),
        "Route condition",
      ),
      action: action < actions.length ? actions[action] : fail(`Route ${i}: action out of range`),
    });
  }
  return routes;
}

function decodeVirtualHosts(t: Format1, routes: RouteEntry[]): VirtualHost[] {
  const { view, str, optStr } = t;
  const v = t.records(Section.VHOSTS);
  const vhosts: VirtualHost[] = [];
  let previous = "";
  for (let i = 0; i < v.n; i++) {
    const r = v.row(i);
    const mode = nameOf(MODE, view.getUint8(r + 5)) ?? fail(`Virtual host ${i}: unknown mode`);
    const scope = optStr(view.getUint32(r + 8, true));
    const hostname = str(view.getUint32(r, true));
    const kind = nameOf(HOST_KIND, view.getUint8(r + 4));
    if (kind !== (hostname === "*" ? "any" : hostname.startsWith("*.") ? "wildcard" : "exact")) {
      fail(`Virtual host ${i}: host kind does not match "${hostname}"`);
    }
    const first = view.getUint32(r + 12, true), n = view.getUint32(r + 16, true);
    // Unlike the other ranges, the filter wants even an empty one to start inside ROUTES.
    if (first + n > routes.length) fail(`Virtual host ${i}: routes out of range`);
    const port = view.getUint16(r + 6, true);
    const clients = optStr(view.getUint32(r + 20, true));
    // Consecutive records sharing a route range are the hostnames of one virtual host.
    const key = `${mode}|${scope}|${port}|${clients}|${first}|${n}`;
    if (key === previous) {
      vhosts[vhosts.length - 1].hostnames.push(hostname);
      continue;
    }
    previous = key;
    vhosts.push({
      hostnames: [hostname],
      mode,
      port,
      ...(scope !== undefined && { scope }),
      ...(clients !== undefined && { clients }),
      routes: slice(routes, first, n, "Virtual host route"),
    });
  }
  return vhosts;
}

/** The optional FRONTENDS section, with the filter's checks: each address and port once. */
function decodeFrontends(
  f: { n: number; row: (i: number) => number },
  view: DataView,
  str: (i: number) => string,
): ServiceFrontend[] {
  const out: ServiceFrontend[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < f.n; i++) {
    const r = f.row(i);
    const address = str(view.getUint32(r, true)), port = view.getUint16(r + 4, true);
    if (address === "" || port === 0 || view.getUint16(r + 6, true) !== 0) {
      throw new BlobFormatError(`Frontend ${i}: bad address, port or reserved bytes`);
    }
    if (seen.has(`${address}|${port}`)) throw new BlobFormatError(`Frontend ${i}: address and port repeated`);
    seen.add(`${address}|${port}`);
    out.push({
      address,
      port,
      service: str(view.getUint32(r + 12, true)),
      hostname: str(view.getUint32(r + 8, true)),
    });
  }
  return out;
}
