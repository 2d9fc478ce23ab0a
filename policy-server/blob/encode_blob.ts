import { crc32 } from "node:zlib";
import { compileRegex } from "../regex/compile_regex.ts";
import type { Backend, RouteAction, RouteFilter, RouteTable } from "../ir/types.ts";
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
} from "./format.ts";

const utf8 = new TextEncoder();

/** Deduplicating string table: equal strings get one index. */
class StringTable {
  #index = new Map<string, number>();
  #bytes: Uint8Array[] = [];
  ref(s: string | undefined): number {
    if (s === undefined) return NONE;
    let i = this.#index.get(s);
    if (i === undefined) {
      i = this.#bytes.length;
      this.#index.set(s, i);
      this.#bytes.push(utf8.encode(s));
    }
    return i;
  }
  section(): Uint8Array {
    const n = this.#bytes.length;
    const dataLen = this.#bytes.reduce((a, b) => a + b.length, 0);
    const out = new Uint8Array(4 + 4 * (n + 1) + dataLen);
    const view = new DataView(out.buffer);
    view.setUint32(0, n, true);
    let off = 0;
    let at = 4 + 4 * (n + 1);
    this.#bytes.forEach((b, i) => {
      view.setUint32(4 + 4 * i, off, true);
      out.set(b, at);
      off += b.length;
      at += b.length;
    });
    view.setUint32(4 + 4 * n, off, true);
    return out;
  }
}

/** Regex programs, compiled once per distinct pattern; laid out like the string table. */
class ProgramTable {
  #index = new Map<string, number>();
  #programs: Uint8Array[] = [];
  ref(pattern: string): number {
    let i = this.#index.get(pattern);
    if (i === undefined) {
      i = this.#programs.length;
      this.#index.set(pattern, i);
      this.#programs.push(compileRegex(pattern));
    }
    return i;
  }
  section(): Uint8Array {
    const n = this.#programs.length;
    const out = new Uint8Array(4 + 4 * (n + 1) + this.#programs.reduce((a, p) => a + p.length, 0));
    const view = new DataView(out.buffer);
    view.setUint32(0, n, true);
    let off = 0;
    this.#programs.forEach((p, i) => {
      view.setUint32(4 + 4 * i, off, true);
      out.set(p, 4 + 4 * (n + 1) + off);
      off += p.length;
    });
    view.setUint32(4 + 4 * n, off, true);
    return out;
  }
}

/** Fixed-size records of one section, written field by field into one growing buffer. */
class Records {
  readonly size: number;
  view = new DataView(new ArrayBuffer(1024));
  #count = 0;
  constructor(id: number) {
    this.size = RECORD_SIZE[id];
  }
  get count(): number {
    return this.#count;
  }
  add(): Row {
    const at = this.#count * this.size;
    if (at + this.size > this.view.byteLength) {
      const grown = new Uint8Array(Math.max(2 * this.view.byteLength, at + this.size));
      grown.set(new Uint8Array(this.view.buffer));
      this.view = new DataView(grown.buffer);
    }
    this.#count++;
    return new Row(this, at);
  }
  section(): Uint8Array {
    const out = new Uint8Array(4 + this.size * this.#count);
    new DataView(out.buffer).setUint32(0, this.#count, true);
    out.set(new Uint8Array(this.view.buffer, 0, this.size * this.#count), 4);
    return out;
  }
}

/** One record of {@linkcode Records}: its fields by offset, as a DataView of the record would take them. */
class Row {
  readonly #records: Records;
  readonly #at: number;
  constructor(records: Records, at: number) {
    this.#records = records;
    this.#at = at;
  }
  setUint8(offset: number, value: number): void {
    this.#records.view.setUint8(this.#at + offset, value);
  }
  setUint16(offset: number, value: number, littleEndian: boolean): void {
    this.#records.view.setUint16(this.#at + offset, value, littleEndian);
  }
  setUint32(offset: number, value: number, littleEndian: boolean): void {
    this.#records.view.setUint32(this.#at + offset, value, littleEndian);
  }
}

/**
 * Encodes a routing table as a rule blob (docs/blob-format.md). Deterministic: the same table gives
 * the same bytes, so an unchanged compile keeps its version and checksum.
 *
 * @example
 * ```ts
 * import { encodeBlob } from "./encode_blob.ts";
 * const blob = encodeBlob({ generation: 1, vhosts: [] });
 * if (String.fromCharCode(...blob.slice(0, 4)) !== "WRTB") throw new Error("bad magic");
 * ```
 */
export function encodeBlob(table: RouteTable): Uint8Array {
  const strings = new StringTable();
  // Patterns are compiled here, by the one parser of the project; the filter only runs programs.
  const programs = new ProgramTable();
  const vhosts = new Records(Section.VHOSTS);
  const routes = new Records(Section.ROUTES);
  const conditions = new Records(Section.CONDITIONS);
  const actions = new Records(Section.ACTIONS);
  const backends = new Records(Section.BACKENDS);
  const filters = new Records(Section.FILTERS);
  const actionIndex = new Map<RouteAction, number>();

  /** Writes a filter list; returns its first record and how many records it took. */
  const writeFilters = (list: RouteFilter[]): [number, number] => {
    const first = filters.count;
    for (const f of list) {
      if (f.kind === "CORS") {
        // Two records: what a preflight answer needs, and what actual responses get.
        const pre = filters.add();
        pre.setUint16(0, FILTER_KIND.CORS, true);
        pre.setUint32(4, strings.ref(f.allowOrigins), true);
        pre.setUint32(8, strings.ref(f.allowMethods), true);
        pre.setUint32(12, ((f.maxAge & 0x7fffffff) | (f.allowCredentials ? 0x80000000 : 0)) >>> 0, true);
        pre.setUint32(16, strings.ref(f.allowHeaders), true);
        const expose = filters.add();
        expose.setUint16(0, FILTER_KIND.CORSExpose, true);
        expose.setUint32(4, strings.ref(f.exposeHeaders), true);
        expose.setUint32(8, NONE, true);
        expose.setUint32(16, NONE, true);
        continue;
      }
      const r = filters.add();
      r.setUint16(0, FILTER_KIND[f.kind], true);
      // a and b are strings, c a number, d a string or a number by kind; absent strings are NONE.
      const [a, b, c, d] = filterFields(f);
      r.setUint16(2, "path" in f && f.path ? PATH_MODIFIER[f.path.type] : 0, true);
      r.setUint32(4, strings.ref(a), true);
      r.setUint32(8, strings.ref(b), true);
      r.setUint32(12, c, true);
      r.setUint32(16, typeof d === "number" ? d : strings.ref(d), true);
    }
    return [first, filters.count - first];
  };
  const writeBackend = (b: Backend) => {
    // Backend filters first, so the backend record can point at them.
    const [firstFilter, filterCount] = writeFilters(b.filters);
    const r = backends.add();
    r.setUint32(0, strings.ref(b.cluster), true);
    r.setUint32(4, strings.ref(b.label), true);
    r.setUint32(8, b.weight, true);
    r.setUint32(12, firstFilter, true);
    r.setUint16(16, filterCount, true);
    r.setUint16(18, b.unresolved ? BACKEND_UNRESOLVED : 0, true);
  };
  const writeAction = (a: RouteAction): number => {
    const known = actionIndex.get(a);
    if (known !== undefined) return known;
    const [firstFilter, filterCount] = writeFilters(a.filters);
    const firstBackend = backends.count;
    a.backends.forEach(writeBackend);
    const r = actions.add();
    r.setUint32(0, strings.ref(a.route), true);
    r.setUint16(4, a.rule, true);
    r.setUint16(6, a.sticky ? STICKY[a.sticky.from] : 0, true);
    r.setUint32(8, firstBackend, true);
    r.setUint16(12, a.backends.length, true);
    r.setUint16(14, filterCount, true);
    r.setUint32(16, firstFilter, true);
    r.setUint32(20, a.backends.reduce((sum, b) => sum + b.weight, 0), true);
    r.setUint32(24, strings.ref(a.sticky?.name), true);
    actionIndex.set(a, actions.count - 1);
    return actions.count - 1;
  };

  for (const vh of table.vhosts) {
    const firstRoute = routes.count;
    for (const entry of vh.routes) {
      const firstCondition = conditions.count;
      for (const c of entry.conditions) {
        const r = conditions.add();
        r.setUint8(0, CONDITION_KIND[c.kind]);
        r.setUint32(4, strings.ref(c.name), true);
        r.setUint32(8, strings.ref(c.value), true);
        r.setUint32(12, c.kind.endsWith("Regex") ? programs.ref(c.value) : NONE, true);
      }
      const action = writeAction(entry.action);
      const r = routes.add();
      r.setUint8(0, entry.path ? PATH_KIND[entry.path.type] : PATH_KIND.None);
      r.setUint16(2, entry.conditions.length, true);
      r.setUint32(4, strings.ref(entry.path?.value), true);
      r.setUint32(8, strings.ref(entry.method), true);
      r.setUint32(12, firstCondition, true);
      r.setUint32(16, action, true);
      r.setUint32(20, entry.path?.type === "RegularExpression" ? programs.ref(entry.path.value) : NONE, true);
    }
    // One record per hostname, all pointing at the same route range.
    for (const hostname of vh.hostnames) {
      const r = vhosts.add();
      const kind = hostname === "*"
        ? HOST_KIND.any
        : hostname.startsWith("*.")
        ? HOST_KIND.wildcard
        : HOST_KIND.exact;
      r.setUint32(0, strings.ref(hostname), true);
      r.setUint8(4, kind);
      r.setUint8(5, MODE[vh.mode]);
      r.setUint16(6, vh.port, true);
      r.setUint32(8, strings.ref(vh.scope), true);
      r.setUint32(12, firstRoute, true);
      r.setUint32(16, vh.routes.length, true);
      r.setUint32(20, strings.ref(vh.clients), true);
    }
  }

  // Service frontends (GAMMA by address): a section only when there are any, so a table without
  // them encodes as it did before the section existed.
  const frontends = new Records(Section.FRONTENDS);
  for (const f of table.frontends ?? []) {
    const r = frontends.add();
    r.setUint32(0, strings.ref(f.address), true);
    r.setUint16(4, f.port, true);
    r.setUint32(8, strings.ref(f.hostname), true);
    r.setUint32(12, strings.ref(f.service), true);
  }

  const sections: [number, Uint8Array][] = [
    [Section.STRINGS, strings.section()],
    [Section.VHOSTS, vhosts.section()],
    [Section.ROUTES, routes.section()],
    [Section.CONDITIONS, conditions.section()],
    [Section.ACTIONS, actions.section()],
    [Section.BACKENDS, backends.section()],
    [Section.FILTERS, filters.section()],
    [Section.PROGRAMS, programs.section()],
    ...(frontends.count ? [[Section.FRONTENDS, frontends.section()] as [number, Uint8Array]] : []),
  ];
  const align = (n: number) => (n + 3) & ~3;
  let offset = HEADER_SIZE + DIRECTORY_ENTRY_SIZE * sections.length;
  const placed = sections.map(([id, bytes]) => {
    const at = offset;
    offset = align(offset + bytes.length);
    return { id, bytes, at };
  });
  const out = new Uint8Array(offset);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint16(6, HEADER_SIZE, true);
  view.setUint32(8, out.length, true);
  view.setUint32(16, table.generation, true);
  view.setUint32(20, sections.length, true);
  view.setUint32(24, table.rollback ? HEADER_FLAGS.ROLLBACK : 0, true);
  placed.forEach(({ id, bytes, at }, i) => {
    const d = HEADER_SIZE + i * DIRECTORY_ENTRY_SIZE;
    view.setUint32(d, id, true);
    view.setUint32(d + 4, at, true);
    view.setUint32(d + 8, bytes.length, true);
    out.set(bytes, at);
  });
  view.setUint32(12, crc32(out.subarray(16)) >>> 0, true);
  return out;
}

/** A filter's record fields (a, b, c, d) as docs/blob-format.md lays them out per kind. */
function filterFields(
  f: RouteFilter,
): [string | undefined, string | undefined, number, string | number | undefined] {
  switch (f.kind) {
    case "RequestRedirect":
      return [f.scheme, f.hostname, ((f.port ?? 0) | (f.statusCode << 16)) >>> 0, f.path?.value];
    case "URLRewrite":
      return [undefined, f.hostname, 0, f.path?.value];
    case "RequestMirror":
      return [f.cluster, f.label, f.numerator, f.denominator];
    case "CORS":
      throw new Error("unreachable: CORS is written as two records");
    default:
      return [f.name, f.value, 0, undefined];
  }
}
