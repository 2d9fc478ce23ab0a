// The FILTERS section of a rule blob (docs/blob-format.md): each record checked and decoded once into
// its typed operation (core/filters.ts), and a rule's or backend's range of records grouped into
// its Filters. Called by core/blob.ts, which has checked the section's bounds.
import {
  FILTER_KIND_CORS, FILTER_KIND_CORS_EXPOSE, FILTER_KIND_REQUEST_HEADER_ADD, FILTER_KIND_REQUEST_HEADER_REMOVE,
  FILTER_KIND_REQUEST_HEADER_SET, FILTER_KIND_REQUEST_MIRROR, FILTER_KIND_REQUEST_REDIRECT, FILTER_KIND_RESPONSE_HEADER_ADD,
  FILTER_KIND_RESPONSE_HEADER_REMOVE, FILTER_KIND_RESPONSE_HEADER_SET, FILTER_KIND_URL_REWRITE, NONE,
  PATH_MODIFIER_REPLACE_PREFIX_MATCH, RECORD_SIZE_FILTERS,
} from "./blob_format";
import {
  CorsPolicy, Filters, HEADER_ADD, HEADER_REMOVE, HEADER_SET, HeaderOp, MirrorOp, NO_FILTERS, PathChange, RedirectOp,
  RewriteOp,
} from "./filters";

/** Why filterRecords() refused the section. */
export let filterRecordError: string = "";

/**
 * One FILTERS record, checked and decoded (docs/blob-format.md): its kind and, by kind, what it
 * holds. Records are grouped into the Filters of a rule or backend by filtersOf().
 */
export class FilterRecord {
  header: HeaderOp | null = null;
  redirect: RedirectOp | null = null;
  rewrite: RewriteOp | null = null;
  mirror: MirrorOp | null = null;
  cors: CorsPolicy | null = null;
  /** A CORS expose record's headers. */
  expose: string = "";
  constructor(public kind: u16) {}
}

/**
 * The `nf` FILTERS records at `base` (after the section's count), each checked against the string
 * table; null (filterRecordError set) at the first bad one.
 */
export function filterRecords(base: usize, nf: u32, strings: Array<string>): Array<FilterRecord> | null {
  const ns = <u32>strings.length;
  const out = new Array<FilterRecord>(<i32>nf);
  for (let i: u32 = 0; i < nf; i++) {
    const at = base + <usize>(i * RECORD_SIZE_FILTERS);
    const kind = load<u16>(at), modifier = load<u16>(at, 2), a = load<u32>(at, 4), b = load<u32>(at, 8), c = load<u32>(at, 12);
    const d = load<u32>(at, 16);
    const what = "filter " + i.toString();
    if (kind < FILTER_KIND_REQUEST_HEADER_SET || kind > FILTER_KIND_CORS_EXPOSE) return refuseFilters(what + ": unknown kind " + kind.toString());
    if ((a != NONE && a >= ns) || (b != NONE && b >= ns)) return refuseFilters(what + ": string out of range");
    const dIsString = kind != FILTER_KIND_REQUEST_MIRROR;
    if (dIsString && d != NONE && d >= ns) return refuseFilters(what + ": string out of range");
    if (kind <= FILTER_KIND_RESPONSE_HEADER_REMOVE && a == NONE) return refuseFilters(what + ": header name missing");
    if (kind == FILTER_KIND_REQUEST_REDIRECT || kind == FILTER_KIND_URL_REWRITE) {
      if (modifier > PATH_MODIFIER_REPLACE_PREFIX_MATCH || (modifier != 0 && d == NONE)) return refuseFilters(what + ": bad path modifier");
    } else if (modifier != 0) {
      return refuseFilters(what + ": path modifier on a filter without a path");
    }
    if (kind == FILTER_KIND_REQUEST_REDIRECT) {
      const status = c >>> 16;
      if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
        return refuseFilters(what + ": redirect status " + status.toString());
      }
    }
    if (kind == FILTER_KIND_REQUEST_MIRROR && (a == NONE || b == NONE || d == 0 || c > d)) return refuseFilters(what + ": bad mirror");
    if ((kind == FILTER_KIND_CORS || kind == FILTER_KIND_CORS_EXPOSE) && a == NONE) return refuseFilters(what + ": CORS origins missing");
    if (kind == FILTER_KIND_CORS_EXPOSE && (i == 0 || out[i - 1].kind != FILTER_KIND_CORS)) {
      return refuseFilters(what + ": CORS expose record without its CORS record");
    }
    const sa = a == NONE ? "" : strings[a], sb = b == NONE ? "" : strings[b];
    const sd = dIsString && d != NONE ? strings[d] : "";
    const rec = new FilterRecord(kind);
    if (kind <= FILTER_KIND_RESPONSE_HEADER_REMOVE) {
      const op = kind == FILTER_KIND_REQUEST_HEADER_SET || kind == FILTER_KIND_RESPONSE_HEADER_SET ? HEADER_SET : kind == FILTER_KIND_REQUEST_HEADER_ADD || kind == FILTER_KIND_RESPONSE_HEADER_ADD ? HEADER_ADD : HEADER_REMOVE;
      rec.header = new HeaderOp(op, sa.toLowerCase(), sb);
    } else if (kind == FILTER_KIND_REQUEST_REDIRECT) {
      rec.redirect = new RedirectOp(a == NONE ? null : sa, b == NONE ? null : sb, c & 0xffff, c >>> 16, new PathChange(modifier, sd));
    } else if (kind == FILTER_KIND_URL_REWRITE) {
      rec.rewrite = new RewriteOp(b == NONE ? null : sb, new PathChange(modifier, sd));
    } else if (kind == FILTER_KIND_REQUEST_MIRROR) {
      rec.mirror = new MirrorOp(sa, sb, c, d, 0);
    } else if (kind == FILTER_KIND_CORS) {
      rec.cors = new CorsPolicy(originList(sa), sb, sd, "", c & 0x7fffffff, (c & 0x80000000) != 0);
    } else {
      rec.expose = sa;
    }
    out[i] = rec;
  }
  return out;
}

function refuseFilters(msg: string): Array<FilterRecord> | null {
  filterRecordError = msg;
  return null;
}

/** A CORS record's space-separated origins, lower-case, without empty entries. */
function originList(s: string): Array<string> {
  const parts = s.split(" "), out = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].length > 0) out.push(parts[i].toLowerCase());
  }
  return out;
}

/**
 * The Filters of the `n` records from `first` (a rule's or a backend's, in order). A mirror's salt
 * comes from its position here; a CORS filter takes the expose record right after it.
 */
export function filtersOf(records: Array<FilterRecord>, first: u32, n: u32): Filters {
  if (n == 0) return NO_FILTERS;
  const f = new Filters();
  f.any = true;
  const request = new Array<HeaderOp>(), response = new Array<HeaderOp>();
  const rewrites = new Array<RewriteOp>(), mirrors = new Array<MirrorOp>();
  for (let k: u32 = 0; k < n; k++) {
    const rec = records[first + k];
    const kind = rec.kind;
    if (kind <= FILTER_KIND_REQUEST_HEADER_REMOVE) request.push(rec.header!);
    else if (kind <= FILTER_KIND_RESPONSE_HEADER_REMOVE) response.push(rec.header!);
    else if (kind == FILTER_KIND_URL_REWRITE) rewrites.push(rec.rewrite!);
    else if (kind == FILTER_KIND_REQUEST_REDIRECT && f.redirect === null) f.redirect = rec.redirect;
    else if (kind == FILTER_KIND_REQUEST_MIRROR) {
      const m = rec.mirror!;
      mirrors.push(new MirrorOp(m.cluster, m.label, m.numerator, m.denominator, 0x9e3779b9 * (k + 1)));
    } else if (kind == FILTER_KIND_CORS && f.cors === null) {
      const c = rec.cors!;
      const next = k + 1 < n ? records[first + k + 1] : null;
      const expose = next !== null && next.kind == FILTER_KIND_CORS_EXPOSE ? next.expose : "";
      f.cors = new CorsPolicy(c.origins, c.allowMethods, c.allowHeaders, expose, c.maxAge, c.allowCredentials);
      f.corsFirst = f.redirect === null;
    }
  }
  if (request.length > 0) f.request = request;
  if (response.length > 0) f.response = response;
  if (rewrites.length > 0) f.rewrites = rewrites;
  if (mirrors.length > 0) f.mirrors = mirrors;
  return f;
}
