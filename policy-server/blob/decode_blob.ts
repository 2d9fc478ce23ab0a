import { crc32 } from "node:zlib";
import { BlobFormatError } from "./blob_format_error.ts";
import { Cursor, fail, type Note } from "./blob_cursor.ts";
import { readPartDirectory } from "./part_directory.ts";
import { decodeFormat1 } from "./decode_format1.ts";
import { isPackedBlob, unpackBlob } from "./pack_blob.ts";
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
  MAGIC,
  MAX_RULES_PER_ROUTE,
  MODE,
  nameOf,
  PART_KIND,
  PATH_KIND,
  PATH_MODIFIER,
  ROUTE_FLAG,
  SECTION,
  SECTION_COUNT,
  STICKY,
  STRING_REF,
} from "./format.ts";

export { BlobFormatError };

const utf8 = new TextDecoder("utf-8", { fatal: true });

export type { Note };

/**
 * Decodes a rule blob, plain or packed (its magic decides), back into a routing table, with every
 * check the filter makes. Format 3 is what the policy server writes; format-1 and format-2 blobs (kept
 * in a store's history from before format 3) are read too. Used by the inspector and by tests that hold
 * the encoder to the format from the other side.
 *
 * @example
 * ```ts
 * import { decodeBlob } from "./decode_blob.ts";
 * import { encodeBlob } from "./encode_blob.ts";
 * const table = decodeBlob(encodeBlob({ generation: 3, vhosts: [] }));
 * if (table.generation !== 3) throw new Error("round trip failed");
 * ```
 */
export function decodeBlob(bytes: Uint8Array, note?: Note): RouteTable {
  const blob = isPackedBlob(bytes) ? unpackBlob(bytes) : bytes;
  if (blob.length < HEADER_SIZE) fail(`Blob is ${blob.length} bytes, shorter than its header`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (!MAGIC.every((b, i) => blob[i] === b)) fail("Bad magic: not a wasmroute rule blob");
  const format = view.getUint16(4, true);
  if (format === 1) return decodeFormat1(blob);
  if (format !== FORMAT_VERSION) fail(`Unsupported format ${format}`);
  if (view.getUint16(6, true) !== HEADER_SIZE) fail("Bad header size");
  if (view.getUint32(8, true) !== blob.length) fail("Total length does not match the bytes received");
  if (view.getUint32(12, true) !== (crc32(blob.subarray(16)) >>> 0)) fail("Checksum mismatch");
  const generation = view.getUint32(16, true);
  const flags = view.getUint32(24, true);
  const rollback = (flags & HEADER_FLAGS.ROLLBACK) !== 0;
  if ((flags & ~HEADER_FLAGS.ROLLBACK) !== 0) fail("Reserved header bits set");
  note?.(0, 4, "magic WRTB");
  note?.(4, 6, `format ${format}`);
  note?.(6, 8, `header size ${HEADER_SIZE}`);
  note?.(8, 12, `total length ${blob.length}`);
  note?.(12, 16, "crc32 of bytes [16, end)");
  note?.(16, 20, `generation ${generation}`);
  note?.(20, 24, `part count ${view.getUint32(20, true)}`);
  note?.(24, 28, "flags");
  note?.(28, 32, `directory length ${view.getUint32(28, true)}`);

  const { lengths, end: dirEnd } = readPartDirectory(blob, note);
  const count = lengths.length;
  const totals = Array.from({ length: SECTION_COUNT }, (_, k) => lengths.reduce((n, l) => n + l[k], 0));
  const next = totals.map((_, k) => dirEnd + totals.slice(0, k).reduce((a, b) => a + b, 0));

  const vhosts: VirtualHost[] = [];
  let frontends: ServiceFrontend[] | undefined;
  for (let i = 0; i < count; i++) {
    const sections = lengths[i].map((len, k) => {
      const c = new Cursor(blob.subarray(next[k], next[k] + len), next[k], `Part ${i}`, note);
      next[k] += len;
      return c;
    });
    const r = new PartReader(sections, `Part ${i}`);
    const kind = r.u8(`part ${i}: kind`);
    r.tables(); // every kind of part has them
    if (kind === PART_KIND.VirtualHost) vhosts.push(readVirtualHost(r));
    else if (kind === PART_KIND.Frontends) {
      if (frontends) fail(`Part ${i}: a second frontends part`);
      frontends = readFrontends(r);
    } // A part of another kind is a newer server's addition: skipped, as the filter does.
    if (kind === PART_KIND.VirtualHost || kind === PART_KIND.Frontends) r.done();
  }
  return {
    generation,
    vhosts,
    ...(frontends?.length && { frontends }),
    ...(rollback && { rollback }),
  };
}

/**
 * Reads one part's fields in the order the filter does: each read from the section it belongs to
 * (records, or the rule being read), every read bounds-checked.
 */
class PartReader {
  strings: string[] = [];
  /** How many strings have been referenced (NEXT takes the next one). */
  used = 0;
  programs = 0;
  /** The part's HTTPRoutes (rule-ID section) and the first rule number of each. */
  routes: string[] = [];
  firstRule: number[] = [];
  ruleCount = 0;
  lastRule = -1;
  /** The section reads go to: records, or rules while a rule is read. */
  cur: Cursor;
  /** The namespace of the HTTPRoute of the rule being read; undefined outside a rule. */
  namespace: string | undefined;
  constructor(readonly sections: Cursor[], readonly what: string) {
    this.cur = sections[SECTION.TABLES];
  }
  get at(): number {
    return this.cur.at;
  }
  get bytes(): Uint8Array {
    return this.cur.bytes;
  }
  fail(msg: string): never {
    return fail(`${this.what}: ${msg}`);
  }
  mark(from: number, what: string): void {
    this.cur.mark(from, what);
  }
  u8(what?: string): number {
    return this.cur.u8(what);
  }
  varint(): number {
    return this.cur.varint();
  }
  /** Every section read to its end. */
  done(): void {
    this.sections.forEach((c, k) => {
      if (c.at !== c.bytes.length) {
        this.fail(`bytes after its ${["tables", "records", "rule IDs", "rules"][k]}`);
      }
    });
  }
  /** A rule's number (rule-ID section): its HTTPRoute and index; reads go to the rules section until `endRule`. */
  ruleId(): { route: string; rule: number } {
    const ids = this.sections[SECTION.RULE_IDS];
    const from = ids.at;
    const z = ids.varint();
    const n = this.lastRule + 1 + (z % 2 ? -(z + 1) / 2 : z / 2);
    if (n < 0 || n >= this.ruleCount) this.fail(`rule number ${n} out of range`);
    this.lastRule = n;
    let k = this.firstRule.length - 1;
    while (this.firstRule[k] > n) k--;
    const route = this.routes[k], rule = n - this.firstRule[k];
    ids.mark(from, `rule ${n}: ${route} rule ${rule}`);
    const slash = route.indexOf("/");
    this.namespace = slash >= 0 ? route.slice(0, slash) : undefined;
    this.cur = this.sections[SECTION.RULES];
    return { route, rule };
  }
  endRule(): void {
    this.cur = this.sections[SECTION.RECORDS];
    this.namespace = undefined;
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
      this.cur.at += len;
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
        this.cur.at += Math.min(8, len - k);
        this.mark(start, `program ${i} instruction ${k / 8}`);
      }
    }
    // The rule-ID section's head: the HTTPRoutes and how many rule numbers each takes.
    this.cur = this.sections[SECTION.RULE_IDS];
    from = this.at;
    const routes = this.varint();
    if (routes > this.bytes.length) this.fail(`${routes} HTTPRoutes past the rule-ID section's end`);
    this.mark(from, `${routes} HTTPRoutes`);
    for (let i = 0; i < routes; i++) {
      from = this.at;
      const name = this.str("rule's HTTPRoute"), n = this.varint();
      if (n === 0 || n > MAX_RULES_PER_ROUTE) this.fail(`HTTPRoute ${name}: ${n} rules`);
      this.mark(from, `HTTPRoute ${name}: rules ${this.ruleCount} to ${this.ruleCount + n - 1}`);
      this.routes.push(name);
      this.firstRule.push(this.ruleCount);
      this.ruleCount += n;
    }
    if (this.ruleCount > 0x7fffffff) this.fail("HTTPRoutes of more than 2^31 rules");
    this.cur = this.sections[SECTION.RECORDS];
  }
  /** A string reference: undefined for NONE. */
  optStr(): string | undefined {
    const ref = this.varint();
    if (ref === STRING_REF.NONE) return undefined;
    if (ref === STRING_REF.ROUTE_NAMESPACE) {
      return this.namespace ??
        this.fail("a rule's HTTPRoute namespace outside a rule, or of a name without one");
    }
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
  const { route, rule } = r.ruleId();
  const from = r.at;
  const stickyFrom = r.u8();
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
  r.endRule();
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
  // The filter lowers the request's host, not the table's.
  if (hostnames.some((h) => /[A-Z]/.test(h))) r.fail("hostname is not lower-case");
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
