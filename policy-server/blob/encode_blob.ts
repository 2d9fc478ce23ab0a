/**
 * The rule blob encoder (format 3, docs/blob-format.md). A blob is a header, a part directory and
 * parts: one per virtual host, plus one for the Services' frontends. Each part is self-contained —
 * its own strings and regex programs, records that refer only inside it — so a part's bytes depend
 * on its virtual host alone: {@linkcode encodeParts} can take them from a cache and
 * {@linkcode assembleBlob} only concatenates, giving the same bytes as a fresh {@linkcode encodeBlob}.
 * A part is four sections (format.ts `SECTION`); the blob holds every part's first section, then
 * every part's second, and so on, so that DEFLATE meets strings next to strings and records next to
 * records of the same kind.
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { compileRegex } from "../regex/compile_regex.ts";
import type {
  Backend,
  RouteAction,
  RouteFilter,
  RouteTable,
  ServiceFrontend,
  VirtualHost,
} from "../ir/types.ts";
import {
  ACTION_REF_NEW,
  BACKEND_FLAG,
  CONDITION_KIND,
  DERIVED_CLUSTER_SUFFIX,
  FILTER_KIND,
  FORMAT_VERSION,
  HEADER_FLAGS,
  HEADER_SIZE,
  MAGIC,
  MODE,
  PART_KIND,
  PATH_KIND,
  PATH_MODIFIER,
  ROUTE_FLAG,
  SECTION_COUNT,
  STICKY,
  STRING_REF,
} from "./format.ts";

const utf8 = new TextEncoder();

/** One part of a blob: its sections' bytes, in `SECTION` order. */
export interface EncodedPart {
  readonly sections: readonly Uint8Array[];
}

/** A growing byte buffer with the format's field writers. */
class Bytes {
  buf = new Uint8Array(256);
  length = 0;
  #room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buf.length, this.length + n));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }
  u8(v: number): void {
    this.#room(1);
    this.buf[this.length++] = v;
  }
  /** Unsigned LEB128. */
  varint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`Not a u32: ${v}`);
    this.#room(5);
    while (v >= 0x80) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.length++] = v;
  }
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Zigzag: 0, -1, 1, -2 … → 0, 1, 2, 3 …, so a small step either way is a small varint. */
export const zigzag = (n: number): number => (n >= 0 ? 2 * n : -2 * n - 1);

/**
 * The writer of one part. Records go to the records section (`body`) and rules to the rules section
 * (`rules`) while strings and programs are numbered in the order they are first referenced — the
 * order the decoder meets the references in: the rule-ID section's HTTPRoutes first, then records
 * and rules as they interleave. `finish` puts the tables together.
 */
class PartWriter {
  readonly body = new Bytes();
  readonly ids = new Bytes();
  readonly rules = new Bytes();
  /** The section string references go to (records, or the rule being written). */
  out: Bytes = this.body;
  #strings = new Map<string, number>();
  #programs = new Map<string, number>();
  #programBytes: Uint8Array[] = [];
  /** Each HTTPRoute's first rule number (rules numbered HTTPRoute by HTTPRoute, by index). */
  #firstRule = new Map<string, number>();
  #lastRule = -1;
  /** The namespace of the HTTPRoute of the rule being written. */
  #namespace: string | undefined;

  /**
   * The rule-ID section's head: the part's HTTPRoutes (sorted, so that rules tied in precedence,
   * which Gateway API orders by HTTPRoute and then by index, get ascending numbers), each with how
   * many rule numbers it takes (its largest index + 1).
   */
  routeList(actions: Iterable<RouteAction>): void {
    const count = new Map<string, number>();
    for (const a of actions) count.set(a.route, Math.max(count.get(a.route) ?? 0, a.rule + 1));
    const names = [...count.keys()].sort();
    this.ids.varint(names.length);
    let next = 0;
    for (const name of names) {
      this.#firstRule.set(name, next);
      this.out = this.ids;
      this.str(name);
      this.out = this.body;
      this.ids.varint(count.get(name)!);
      next += count.get(name)!;
    }
  }

  /** A rule's number, as the step from the last rule's (zigzag); string references go to the rules section. */
  ruleId(a: RouteAction): void {
    const n = this.#firstRule.get(a.route)! + a.rule;
    this.ids.varint(zigzag(n - this.#lastRule - 1));
    this.#lastRule = n;
    const slash = a.route.indexOf("/");
    this.#namespace = slash > 0 ? a.route.slice(0, slash) : undefined;
    this.out = this.rules;
  }
  endRule(): void {
    this.out = this.body;
    this.#namespace = undefined;
  }

  /** A string reference: NONE, NEXT for a string not referenced before, ROUTE_NAMESPACE, else FIRST + its index. */
  str(s: string | undefined): void {
    if (s === undefined) return this.out.varint(STRING_REF.NONE);
    const known = this.#strings.get(s);
    if (known !== undefined) return this.out.varint(STRING_REF.FIRST + known);
    this.#strings.set(s, this.#strings.size);
    this.out.varint(STRING_REF.NEXT);
  }
  /** A backend's namespace: ROUTE_NAMESPACE when it is the rule's HTTPRoute's own. */
  namespace(ns: string): void {
    if (ns === this.#namespace) this.out.varint(STRING_REF.ROUTE_NAMESPACE);
    else this.str(ns);
  }
  /**
   * A regex program's index, one per distinct pattern. The IR from buildIr carries each program,
   * compiled there; only IR read back from JSON or an older blob (goldens, a rollback) has none.
   */
  program(pattern: string, program: Uint8Array | undefined): void {
    let i = this.#programs.get(pattern);
    if (i === undefined) {
      i = this.#programBytes.length;
      this.#programs.set(pattern, i);
      this.#programBytes.push(program ?? compileRegex(pattern));
    }
    this.out.varint(i);
  }
  finish(kind: number): EncodedPart {
    const tables = new Bytes();
    tables.u8(kind);
    tables.varint(this.#strings.size);
    for (const s of this.#strings.keys()) {
      const b = utf8.encode(s);
      tables.varint(b.length);
      tables.bytes(b);
    }
    tables.varint(this.#programBytes.length);
    for (const p of this.#programBytes) {
      tables.varint(p.length);
      tables.bytes(p);
    }
    if (this.ids.length === 0) this.ids.varint(0); // no HTTPRoutes
    return { sections: [tables.done(), this.body.done(), this.ids.done(), this.rules.done()] };
  }
}

/** `[namespace, name, port]` when the backend's cluster and label are the derived ones. */
export function derivedBackend(b: Pick<Backend, "cluster" | "label">): [string, string, number] | undefined {
  const m = /^([^/]+)\/([^:/]+):(\d{1,5})$/.exec(b.label);
  if (!m) return undefined;
  const [, ns, name, portText] = m;
  const port = Number(portText);
  if (port < 1 || port > 65535 || String(port) !== portText) return undefined;
  return b.cluster === `outbound|${port}||${name}.${ns}.${DERIVED_CLUSTER_SUFFIX}`
    ? [ns, name, port]
    : undefined;
}

function writeFilters(w: PartWriter, list: RouteFilter[]): void {
  const out = w.out;
  out.varint(list.length);
  for (const f of list) {
    out.u8(FILTER_KIND[f.kind]);
    switch (f.kind) {
      case "RequestRedirect":
        out.u8(f.path ? PATH_MODIFIER[f.path.type] : 0);
        w.str(f.scheme);
        w.str(f.hostname);
        out.varint(f.port ?? 0);
        out.varint(f.statusCode);
        w.str(f.path?.value);
        break;
      case "URLRewrite":
        out.u8(f.path ? PATH_MODIFIER[f.path.type] : 0);
        w.str(f.hostname);
        w.str(f.path?.value);
        break;
      case "RequestMirror":
        w.str(f.cluster);
        w.str(f.label);
        out.varint(f.numerator);
        out.varint(f.denominator);
        break;
      case "CORS":
        w.str(f.allowOrigins);
        w.str(f.allowMethods);
        w.str(f.allowHeaders);
        w.str(f.exposeHeaders);
        out.varint(f.maxAge);
        out.u8(f.allowCredentials ? 1 : 0);
        break;
      default:
        w.str(f.name);
        w.str(f.value);
    }
  }
}

function writeBackend(w: PartWriter, b: Backend): void {
  const derived = derivedBackend(b);
  w.out.u8((b.unresolved ? BACKEND_FLAG.UNRESOLVED : 0) | (derived ? BACKEND_FLAG.DERIVED : 0));
  w.out.varint(b.weight);
  if (derived) {
    w.namespace(derived[0]);
    w.str(derived[1]);
    w.out.varint(derived[2]);
  } else {
    w.str(b.cluster);
    w.str(b.label);
  }
  writeFilters(w, b.filters);
}

function writeAction(w: PartWriter, a: RouteAction): void {
  w.ruleId(a);
  w.out.u8(a.sticky ? STICKY[a.sticky.from] : 0);
  if (a.sticky) w.str(a.sticky.name);
  writeFilters(w, a.filters);
  w.out.varint(a.backends.length);
  for (const b of a.backends) writeBackend(w, b);
  w.endRule();
}

/**
 * Encodes one virtual host as a part. Its bytes depend on `vh` alone (and the regex compiler), so a
 * part may be cached for as long as the virtual host object is not changed.
 */
export function encodeVirtualHostPart(vh: VirtualHost): EncodedPart {
  const w = new PartWriter();
  const out = w.body;
  w.routeList(vh.routes.map((e) => e.action));
  out.varint(vh.hostnames.length);
  for (const h of vh.hostnames) w.str(h);
  out.u8(MODE[vh.mode]);
  out.varint(vh.port);
  w.str(vh.scope);
  w.str(vh.clients);
  out.varint(vh.routes.length);
  // Actions are numbered as they first appear; an entry sharing its rule's action refers back to it.
  const actions = new Map<RouteAction, number>();
  for (const entry of vh.routes) {
    const kind = entry.path ? PATH_KIND[entry.path.type] : PATH_KIND.None;
    out.u8(
      kind | (entry.method !== undefined ? ROUTE_FLAG.METHOD : 0) |
        (entry.conditions.length ? ROUTE_FLAG.CONDITIONS : 0),
    );
    if (entry.path) w.str(entry.path.value);
    if (entry.path?.type === "RegularExpression") w.program(entry.path.value, entry.path.program);
    if (entry.method !== undefined) w.str(entry.method);
    if (entry.conditions.length) {
      out.varint(entry.conditions.length);
      for (const c of entry.conditions) {
        out.u8(CONDITION_KIND[c.kind]);
        w.str(c.name);
        w.str(c.value);
        if (c.kind.endsWith("Regex")) w.program(c.value, c.program);
      }
    }
    const known = actions.get(entry.action);
    if (known !== undefined) {
      out.varint(actions.size - known);
    } else {
      out.varint(ACTION_REF_NEW);
      actions.set(entry.action, actions.size);
      writeAction(w, entry.action);
    }
  }
  return w.finish(PART_KIND.VirtualHost);
}

/** Encodes the Services' frontends as a part. */
export function encodeFrontendsPart(frontends: ServiceFrontend[]): EncodedPart {
  const w = new PartWriter();
  w.body.varint(frontends.length);
  for (const f of frontends) {
    w.str(f.address);
    w.body.varint(f.port);
    w.str(f.hostname);
    w.str(f.service);
  }
  return w.finish(PART_KIND.Frontends);
}

/**
 * A table's parts in blob order: one per virtual host, then the frontends' when there are any. With
 * `cache`, a virtual host or a frontends list encoded before (the same object) is not encoded again,
 * and its part is the same object as before (which `PartPacker` relies on).
 *
 * @example
 * ```ts
 * import { assembleBlob, encodeBlob, encodeParts } from "./encode_blob.ts";
 * const table = { generation: 4, vhosts: [] };
 * const cache = new WeakMap();
 * const blob = assembleBlob(table, encodeParts(table, cache));
 * if (blob.length !== encodeBlob(table).length) throw new Error("not the same blob");
 * ```
 */
export function encodeParts(table: RouteTable, cache?: PartCache): EncodedPart[] {
  const cached = <T extends VirtualHost | ServiceFrontend[]>(of: T, encode: (of: T) => EncodedPart) => {
    let part = cache?.get(of);
    if (!part) {
      part = encode(of);
      cache?.set(of, part);
    }
    return part;
  };
  const parts = table.vhosts.map((vh) => cached(vh, encodeVirtualHostPart));
  if (table.frontends?.length) parts.push(cached(table.frontends, encodeFrontendsPart));
  return parts;
}

/** Encoded parts by the virtual host or frontends list they were encoded from (see {@linkcode encodeParts}). */
export type PartCache = WeakMap<VirtualHost | ServiceFrontend[], EncodedPart>;

/** The part directory of `parts`: each part's section lengths, as varints. */
export function directoryOf(parts: readonly EncodedPart[]): Uint8Array {
  const dir = new Bytes();
  for (const p of parts) for (const s of p.sections) dir.varint(s.length);
  return dir.done();
}

/**
 * A blob's 32-byte header for `parts` with a directory of `dirLength` bytes and `length` bytes in
 * all, its checksum (bytes 12..16: the CRC-32 of everything after them) left zero.
 */
export function blobHeader(
  head: Pick<RouteTable, "generation" | "rollback">,
  parts: number,
  dirLength: number,
  length: number,
): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint16(6, HEADER_SIZE, true);
  view.setUint32(8, length, true);
  view.setUint32(16, head.generation, true);
  view.setUint32(20, parts, true);
  view.setUint32(24, head.rollback ? HEADER_FLAGS.ROLLBACK : 0, true);
  view.setUint32(28, dirLength, true);
  return out;
}

/**
 * A blob from its parts: the header (generation, flags, the directory's length, the CRC-32 of
 * everything after the checksum), the part directory (each part's section lengths), then each
 * section of every part in turn.
 */
export function assembleBlob(
  head: Pick<RouteTable, "generation" | "rollback">,
  parts: EncodedPart[],
): Uint8Array {
  const dir = directoryOf(parts);
  let length = HEADER_SIZE + dir.length;
  for (const p of parts) for (const s of p.sections) length += s.length;
  const out = new Uint8Array(length);
  out.set(blobHeader(head, parts.length, dir.length, length), 0);
  out.set(dir, HEADER_SIZE);
  let at = HEADER_SIZE + dir.length;
  for (let k = 0; k < SECTION_COUNT; k++) {
    for (const p of parts) {
      out.set(p.sections[k], at);
      at += p.sections[k].length;
    }
  }
  new DataView(out.buffer).setUint32(12, crc32(out.subarray(16)) >>> 0, true);
  return out;
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
  return assembleBlob(table, encodeParts(table));
}
