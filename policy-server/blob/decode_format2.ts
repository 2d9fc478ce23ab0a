/**
 * The format-2 reader of `decodeBlob`: format 2 is no longer written, and generations a store kept
 * from before format 3 are still read (the blob history, a rollback).
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { BlobFormatError } from "./blob_format_error.ts";
import { validateProgram } from "../regex/match_program.ts";
import type {
  Backend,
  Condition,
  RouteAction,
  RouteEntry,
  RouteFilter,
  RouteTable,
  ServiceFrontend,
  VirtualHost,
} from "../ir/types.ts";
import {
  BACKEND_FLAG,
  CONDITION_KIND,
  DERIVED_CLUSTER_SUFFIX,
  FILTER_KIND,
  FORMAT_VERSION,
  HEADER_FLAGS,
  HEADER_SIZE,
  MAX_VARINT_BYTES,
  MODE,
  nameOf,
  PART_ENTRY_SIZE,
  PART_KIND,
  PATH_KIND,
  PATH_MODIFIER,
  ROUTE_FLAG,
  STICKY,
  STRING_REF,
} from "./format2.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Where a decoder read what: `[from, to)` of the blob, and what it was (for the annotated hex dump). */
export type Note = (from: number, to: number, what: string) => void;

const fail = (msg: string): never => {
  throw new BlobFormatError(msg);
};

/** Reads a format-2 blob (magic and format already checked by `decodeBlob`), with every check it had. */
export function decodeFormat2(blob: Uint8Array, note?: Note): RouteTable {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const format = FORMAT_VERSION;
  if (view.getUint16(6, true) !== HEADER_SIZE) fail("Bad header size");
  if (view.getUint32(8, true) !== blob.length) fail("Total length does not match the bytes received");
  const count = view.getUint32(20, true);
  const dirEnd = HEADER_SIZE + count * PART_ENTRY_SIZE;
  if (dirEnd > blob.length) fail("Part directory out of range");
  if (view.getUint32(12, true) !== (crc32(blob.subarray(16, dirEnd)) >>> 0)) fail("Checksum mismatch");
  const generation = view.getUint32(16, true);
  const flags = view.getUint32(24, true);
  const rollback = (flags & HEADER_FLAGS.ROLLBACK) !== 0;
  if ((flags & ~HEADER_FLAGS.ROLLBACK) !== 0 || view.getUint32(28, true) !== 0) {
    fail("Reserved header bits set");
  }
  note?.(0, 4, "magic WRTB");
  note?.(4, 6, `format ${format}`);
  note?.(6, 8, `header size ${HEADER_SIZE}`);
  note?.(8, 12, `total length ${blob.length}`);
  note?.(12, 16, "crc32 of bytes [16, end of the part directory)");
  note?.(16, 20, `generation ${generation}`);
  note?.(20, 24, `part count ${count}`);
  note?.(24, 32, "flags, reserved");

  const vhosts: VirtualHost[] = [];
  let frontends: ServiceFrontend[] | undefined;
  let at = dirEnd;
  for (let i = 0; i < count; i++) {
    const d = HEADER_SIZE + i * PART_ENTRY_SIZE;
    const len = view.getUint32(d, true);
    note?.(d, d + PART_ENTRY_SIZE, `part ${i}: ${len} bytes at ${at}, crc32`);
    if (len === 0 || at + len > blob.length) fail(`Part ${i} out of range`);
    const part = blob.subarray(at, at + len);
    if (view.getUint32(d + 4, true) !== (crc32(part) >>> 0)) fail(`Part ${i}: checksum mismatch`);
    const r = new PartReader(part, at, `Part ${i}`, note);
    const kind = r.u8(`part ${i}: kind`);
    r.tables();
    if (kind === PART_KIND.VirtualHost) vhosts.push(readVirtualHost(r));
    else if (kind === PART_KIND.Frontends) {
      if (frontends) fail(`Part ${i}: a second frontends part`);
      frontends = readFrontends(r);
    } // A part of another kind is a newer server's addition: skipped, as the filter does.
    if (kind <= PART_KIND.Frontends && r.at !== part.length) fail(`Part ${i}: bytes after its records`);
    at += len;
  }
  if (at !== blob.length) fail("Bytes after the last part");
  return {
    generation,
    vhosts,
    ...(frontends?.length && { frontends }),
    ...(rollback && { rollback }),
  };
}

/** Reads one part's fields in order, every read bounds-checked. */
class PartReader {
  at = 0;
  strings: string[] = [];
  /** How many strings have been referenced (NEXT takes the next one). */
  used = 0;
  programs = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly offset: number,
    readonly what: string,
    readonly note?: Note,
  ) {}

  fail(msg: string): never {
    return fail(`${this.what}: ${msg}`);
  }
  /** Marks `[from, this.at)` as `what` for the hex dump. */
  mark(from: number, what: string): void {
    this.note?.(this.offset + from, this.offset + this.at, what);
  }
  u8(what?: string): number {
    if (this.at >= this.bytes.length) this.fail("record runs past the part's end");
    const v = this.bytes[this.at++];
    if (what) this.mark(this.at - 1, what);
    return v;
  }
  varint(): number {
    let v = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8();
      v += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        if (v > 0xffffffff) this.fail("varint over 32 bits");
        return v;
      }
    }
    return this.fail(`varint longer than ${MAX_VARINT_BYTES} bytes`);
  }
  /** The string and program tables at the start of a part. */
  tables(): void {
    let from = this.at;
    const n = this.varint();
    this.mark(from, `${n} strings`);
    for (let i = 0; i < n; i++) {
      from = this.at;
      const len = this.varint();
      if (this.at + len > this.bytes.length) this.fail(`string ${i} runs past the part's end`);
      let s: string;
      try {
        s = utf8.decode(this.bytes.subarray(this.at, this.at + len));
      } catch {
        return this.fail(`string ${i} is not valid UTF-8`);
      }
      this.at += len;
      this.strings.push(s);
      this.mark(from, `string ${i}: ${JSON.stringify(s)}`);
    }
    from = this.at;
    this.programs = this.varint();
    this.mark(from, `${this.programs} programs`);
    for (let i = 0; i < this.programs; i++) {
      const lenAt = this.at;
      const len = this.varint();
      this.mark(lenAt, `program ${i}: ${len} bytes`);
      if (this.at + len > this.bytes.length) this.fail(`program ${i} runs past the part's end`);
      const problem = validateProgram(this.bytes.subarray(this.at, this.at + len));
      if (problem) this.fail(`program ${i}: ${problem}`);
      for (let k = 0; k < len; k += 8) {
        const start = this.at;
        this.at += Math.min(8, len - k);
        this.mark(start, `program ${i} instruction ${k / 8}`);
      }
    }
  }
  /** A string reference: undefined for NONE. */
  optStr(): string | undefined {
    const ref = this.varint();
    if (ref === STRING_REF.NONE) return undefined;
    const i = ref === STRING_REF.NEXT ? this.used : ref - STRING_REF.FIRST;
    if (i >= this.strings.length) this.fail(`string reference ${ref} out of range`);
    if (ref === STRING_REF.NEXT) this.used++;
    else if (i >= this.used) this.fail(`string ${i} referenced before it is introduced`);
    return this.strings[i];
  }
  str(what: string): string {
    return this.optStr() ?? this.fail(`${what} missing`);
  }
  program(): void {
    if (this.varint() >= this.programs) this.fail("program reference out of range");
  }
}

function readFilters(r: PartReader): RouteFilter[] {
  const countAt = r.at;
  const n = r.varint();
  r.mark(countAt, `${n} filters`);
  const out: RouteFilter[] = [];
  for (let i = 0; i < n; i++) {
    const from = r.at;
    const kind = nameOf(FILTER_KIND, r.u8()) ?? r.fail(`filter: unknown kind ${r.bytes[r.at - 1]}`);
    const path = (modifier: number, value: string | undefined) => {
      if (modifier === 0) return value === undefined ? {} : r.fail("filter: path without a path modifier");
      const type = nameOf(PATH_MODIFIER, modifier) ?? r.fail(`filter: unknown path modifier ${modifier}`);
      return { path: { type, value: value ?? r.fail("filter: path modifier without a path") } };
    };
    if (kind === "RequestRedirect") {
      const modifier = r.u8(), scheme = r.optStr(), hostname = r.optStr(), port = r.varint();
      const statusCode = r.varint();
      if (![301, 302, 303, 307, 308].includes(statusCode)) r.fail(`filter: redirect status ${statusCode}`);
      if (port > 65535) r.fail(`filter: redirect port ${port}`);
      out.push({
        kind,
        ...(scheme !== undefined && { scheme }),
        ...(hostname !== undefined && { hostname }),
        ...(port !== 0 && { port }),
        ...path(modifier, r.optStr()),
        statusCode,
      });
    } else if (kind === "URLRewrite") {
      const modifier = r.u8(), hostname = r.optStr();
      out.push({ kind, ...(hostname !== undefined && { hostname }), ...path(modifier, r.optStr()) });
    } else if (kind === "RequestMirror") {
      const cluster = r.str("mirror cluster"), label = r.str("mirror label");
      const numerator = r.varint(), denominator = r.varint();
      if (denominator === 0 || numerator > denominator) r.fail("filter: bad mirror fraction");
      out.push({ kind, cluster, label, numerator, denominator });
    } else if (kind === "CORS") {
      const allowOrigins = r.str("CORS origins"), allowMethods = r.str("CORS methods");
      const allowHeaders = r.str("CORS headers"), exposeHeaders = r.str("CORS expose headers");
      const maxAge = r.varint(), credentials = r.u8();
      if (maxAge > 0x7fffffff || credentials > 1) r.fail("filter: bad CORS max age or credentials");
      out.push({
        kind,
        allowOrigins,
        allowMethods,
        allowHeaders,
        exposeHeaders,
        maxAge,
        allowCredentials: credentials === 1,
      });
    } else {
      const name = r.str("header name"), value = r.optStr();
      const remove = kind.endsWith("Remove");
      if (remove !== (value === undefined)) r.fail(`filter: ${kind} ${remove ? "with" : "without"} a value`);
      out.push({ kind, name, ...(value !== undefined && { value }) });
    }
    r.mark(from, `filter ${kind}`);
  }
  return out;
}

function readBackend(r: PartReader): Backend {
  const from = r.at;
  const flags = r.u8();
  if (flags & ~(BACKEND_FLAG.UNRESOLVED | BACKEND_FLAG.DERIVED)) r.fail(`backend: unknown flags ${flags}`);
  const weight = r.varint();
  let cluster: string, label: string;
  if (flags & BACKEND_FLAG.DERIVED) {
    const ns = r.str("backend namespace"), name = r.str("backend name"), port = r.varint();
    if (port === 0 || port > 65535) r.fail(`backend: port ${port}`);
    cluster = `outbound|${port}||${name}.${ns}.${DERIVED_CLUSTER_SUFFIX}`;
    label = `${ns}/${name}:${port}`;
  } else {
    cluster = r.str("backend cluster");
    label = r.str("backend label");
  }
  r.mark(from, `backend ${label}`);
  const filters = readFilters(r);
  const unresolved = (flags & BACKEND_FLAG.UNRESOLVED) !== 0;
  return { cluster, label, weight, filters, ...(unresolved && { unresolved }) };
}

function readAction(r: PartReader): RouteAction {
  const from = r.at;
  const route = r.str("action route"), rule = r.varint(), stickyFrom = r.u8();
  if (rule > 0xffff) r.fail(`action: rule ${rule}`);
  const sticky = stickyFrom === 0 ? undefined : {
    from: nameOf(STICKY, stickyFrom) ?? r.fail(`action: unknown sticky-key source ${stickyFrom}`),
    name: r.str("sticky key"),
  };
  r.mark(from, `action ${route} rule ${rule}`);
  const filters = readFilters(r);
  const countAt = r.at;
  const n = r.varint();
  r.mark(countAt, `${n} backends`);
  const backends: Backend[] = [];
  for (let i = 0; i < n; i++) backends.push(readBackend(r));
  if (backends.reduce((s, b) => s + b.weight, 0) > 0xffffffff) r.fail("action: total weight over 32 bits");
  return { route, rule, ...(sticky && { sticky }), backends, filters };
}

function readRoute(r: PartReader, actions: RouteAction[], i: number): RouteEntry {
  const from = r.at;
  const head = r.u8();
  if (head & ~(3 | ROUTE_FLAG.METHOD | ROUTE_FLAG.CONDITIONS)) r.fail(`route ${i}: unknown flags`);
  const pathKind = nameOf(PATH_KIND, head & 3)!;
  const path = pathKind === "None" ? undefined : { type: pathKind, value: r.str("path") };
  if (pathKind === "RegularExpression") r.program();
  const method = head & ROUTE_FLAG.METHOD ? r.str("method") : undefined;
  const conditions: Condition[] = [];
  if (head & ROUTE_FLAG.CONDITIONS) {
    const n = r.varint();
    if (n === 0) r.fail(`route ${i}: conditions flag without conditions`);
    for (let k = 0; k < n; k++) {
      const kind = nameOf(CONDITION_KIND, r.u8()) ?? r.fail(`route ${i}: unknown condition kind`);
      const name = r.str("condition name"), value = r.str("condition value");
      if (kind.endsWith("Regex")) r.program();
      conditions.push({ kind, name, value });
    }
  }
  const ref = r.varint();
  r.mark(
    from,
    `route ${i}: ${pathKind}${path ? ` ${JSON.stringify(path.value)}` : ""}${method ? ` ${method}` : ""}` +
      `${conditions.length ? `, ${conditions.length} conditions` : ""}, ${
        ref === 0 ? "new action" : `action ${ref} back`
      }`,
  );
  if (ref > actions.length) r.fail(`route ${i}: action reference ${ref} out of range`);
  const action = ref === 0 ? readAction(r) : actions[actions.length - ref];
  if (ref === 0) actions.push(action);
  return {
    ...(path && { path }),
    ...(method !== undefined && { method }),
    conditions,
    action,
  };
}

function readVirtualHost(r: PartReader): VirtualHost {
  const from = r.at;
  const n = r.varint();
  const hostnames: string[] = [];
  for (let i = 0; i < n; i++) hostnames.push(r.str("hostname"));
  const mode = nameOf(MODE, r.u8()) ?? r.fail("unknown mode");
  const port = r.varint();
  if (port > 65535) r.fail(`port ${port}`);
  const scope = r.optStr(), clients = r.optStr();
  const count = r.varint();
  r.mark(from, `virtual host ${JSON.stringify(hostnames)} ${mode} port ${port}, ${count} routes`);
  const actions: RouteAction[] = [];
  const routes: RouteEntry[] = [];
  for (let i = 0; i < count; i++) routes.push(readRoute(r, actions, i));
  return {
    hostnames,
    mode,
    port,
    ...(scope !== undefined && { scope }),
    ...(clients !== undefined && { clients }),
    routes,
  };
}

/** The frontends part, with the filter's checks: each address and port once. */
function readFrontends(r: PartReader): ServiceFrontend[] {
  const countAt = r.at;
  const n = r.varint();
  r.mark(countAt, `${n} frontends`);
  const out: ServiceFrontend[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const from = r.at;
    const address = r.str("frontend address"), port = r.varint();
    const hostname = r.str("frontend hostname"), service = r.str("frontend service");
    if (address === "" || port === 0 || port > 65535) r.fail(`frontend ${i}: bad address or port`);
    if (seen.has(`${address}|${port}`)) r.fail(`frontend ${i}: address and port repeated`);
    seen.add(`${address}|${port}`);
    r.mark(from, `frontend ${address}:${port}`);
    out.push({ address, port, service, hostname });
  }
  return out;
}
