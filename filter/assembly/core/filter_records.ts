// A rule's or backend's filter records in a format-2 part (docs/blob-format.md): each checked, and,
// when the rule needs objects, decoded once into its typed operation (core/filters.ts), grouped into
// the Filters of the rule or backend. Called by core/blob.ts, positioned at the list's count.
import {
  FILTER_KIND_CORS, FILTER_KIND_REQUEST_HEADER_ADD, FILTER_KIND_REQUEST_HEADER_REMOVE,
  FILTER_KIND_REQUEST_HEADER_SET, FILTER_KIND_REQUEST_MIRROR, FILTER_KIND_REQUEST_REDIRECT, FILTER_KIND_RESPONSE_HEADER_ADD,
  FILTER_KIND_RESPONSE_HEADER_REMOVE, FILTER_KIND_RESPONSE_HEADER_SET, FILTER_KIND_URL_REWRITE,
  PATH_MODIFIER_REPLACE_PREFIX_MATCH,
} from "./blob_format";
import {
  CorsPolicy, Filters, HEADER_ADD, HEADER_REMOVE, HEADER_SET, HeaderOp, MirrorOp, NO_FILTERS, PathChange, RedirectOp,
  RewriteOp,
} from "./filters";
import { NO_STRING, PartReader } from "./part_reader";

/**
 * A filter list: its count, then its records. With `build`, the Filters they make (NO_FILTERS for an
 * empty list); without, only checked (NO_FILTERS). Sets `r.failed` at the first bad record.
 */
export function readFilters(r: PartReader, build: bool): Filters {
  const n = r.count1("filter");
  if (n == 0 || r.failed) return NO_FILTERS;
  const f = new Filters();
  f.any = true;
  const request = new Array<HeaderOp>(), response = new Array<HeaderOp>();
  const rewrites = new Array<RewriteOp>(), mirrors = new Array<MirrorOp>();
  // A mirror's salt is its position as format 1 counted records (a CORS filter took two), so that
  // sampling stays what it was.
  let position: u32 = 0;
  for (let k: u32 = 0; k < n && !r.failed; k++) {
    const kind = r.u8();
    position++;
    if (kind >= FILTER_KIND_REQUEST_HEADER_SET && kind <= FILTER_KIND_RESPONSE_HEADER_REMOVE) {
      const name = r.need("header name"), value = r.ref();
      const remove = kind == FILTER_KIND_REQUEST_HEADER_REMOVE || kind == FILTER_KIND_RESPONSE_HEADER_REMOVE;
      if (remove != (value == NO_STRING)) r.fail("header filter " + (remove ? "with" : "without") + " a value");
      if (!build || r.failed) continue;
      const op = kind == FILTER_KIND_REQUEST_HEADER_SET || kind == FILTER_KIND_RESPONSE_HEADER_SET ? HEADER_SET
        : kind == FILTER_KIND_REQUEST_HEADER_ADD || kind == FILTER_KIND_RESPONSE_HEADER_ADD ? HEADER_ADD : HEADER_REMOVE;
      const h = new HeaderOp(op, r.text(name).toLowerCase(), r.text(value));
      if (kind <= FILTER_KIND_REQUEST_HEADER_REMOVE) request.push(h);
      else response.push(h);
    } else if (kind == FILTER_KIND_REQUEST_REDIRECT) {
      const modifier = r.u8(), scheme = r.ref(), hostname = r.ref(), port = r.varint(), status = r.varint();
      const path = r.ref();
      checkPath(r, modifier, path);
      if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) r.fail("redirect status " + status.toString());
      if (port > 65535) r.fail("redirect port " + port.toString());
      if (!build || r.failed || f.redirect !== null) continue;
      f.redirect = new RedirectOp(scheme == NO_STRING ? null : r.text(scheme), hostname == NO_STRING ? null : r.text(hostname),
        port, status, new PathChange(<u16>modifier, r.text(path)));
    } else if (kind == FILTER_KIND_URL_REWRITE) {
      const modifier = r.u8(), hostname = r.ref(), path = r.ref();
      checkPath(r, modifier, path);
      if (!build || r.failed) continue;
      rewrites.push(new RewriteOp(hostname == NO_STRING ? null : r.text(hostname), new PathChange(<u16>modifier, r.text(path))));
    } else if (kind == FILTER_KIND_REQUEST_MIRROR) {
      const cluster = r.need("mirror cluster"), label = r.need("mirror label"), num = r.varint(), den = r.varint();
      if (den == 0 || num > den) r.fail("bad mirror fraction");
      if (!build || r.failed) continue;
      mirrors.push(new MirrorOp(r.text(cluster), r.text(label), num, den, 0x9e3779b9 * position));
    } else if (kind == FILTER_KIND_CORS) {
      const origins = r.need("CORS origins"), methods = r.need("CORS methods"), headers = r.need("CORS headers");
      const expose = r.need("CORS expose headers"), maxAge = r.varint(), credentials = r.u8();
      if (maxAge > 0x7fffffff || credentials > 1) r.fail("bad CORS max age or credentials");
      position++;
      if (!build || r.failed || f.cors !== null) continue;
      f.cors = new CorsPolicy(originList(r.text(origins)), r.text(methods), r.text(headers), r.text(expose), maxAge,
        credentials == 1);
      f.corsFirst = f.redirect === null;
    } else {
      r.fail("unknown filter kind " + kind.toString());
    }
  }
  if (!build || r.failed) return NO_FILTERS;
  if (request.length > 0) f.request = request;
  if (response.length > 0) f.response = response;
  if (rewrites.length > 0) f.rewrites = rewrites;
  if (mirrors.length > 0) f.mirrors = mirrors;
  return f;
}

/** A redirect's or rewrite's path: a known modifier with a path, or neither. */
function checkPath(r: PartReader, modifier: u32, path: i32): void {
  if (modifier > PATH_MODIFIER_REPLACE_PREFIX_MATCH || (modifier != 0) != (path != NO_STRING)) r.fail("bad path modifier");
}

/** A CORS record's space-separated origins, lower-case, without empty entries. */
function originList(s: string): Array<string> {
  const parts = s.split(" "), out = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].length > 0) out.push(parts[i].toLowerCase());
  }
  return out;
}
