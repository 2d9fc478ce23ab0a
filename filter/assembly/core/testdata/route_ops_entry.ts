// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the host operations of a routed request's filters
// (filter/assembly/core/route_ops.ts, host_ops.ts, cors.ts, mirror.ts). Built by ../route_ops_test.ts
// with the filter's flags plus --exportRuntime, so that @assemblyscript/loader carries strings.
// Filters and headers are written as lines, so a test reads as the spec:
//   filters: "request set NAME VALUE", "request add …", "request remove NAME", "response …",
//            "rewrite full|prefix|keep PATH [HOST]", "mirror CLUSTER NUM DEN SALT",
//            "cors ORIGINS(comma-separated) METHODS HEADERS EXPOSE MAXAGE CREDENTIALS(0|1)"
//   headers: "name: value"
import { PATH_MODIFIER_REPLACE_FULL_PATH, PATH_MODIFIER_REPLACE_PREFIX_MATCH } from "../blob_format";
import { corsResponseOps, originAllowed, preflightHeaders } from "../cors";
import { CorsPolicy, Filters, HEADER_ADD, HEADER_REMOVE, HEADER_SET, HeaderOp, MirrorOp, PathChange, RewriteOp } from "../filters";
import { HostOps, OP_ADD, OP_MIRROR, OP_REMOVE, OP_SET, REQUEST } from "../host_ops";
import { mirrorHeaders, mirrorSampled } from "../mirror";
import { Bytes, HeaderView, RequestView } from "../request";
import { requestOps, responseOps } from "../route_ops";
import { Target } from "../target";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

class Headers extends RequestView {
  names: Array<string> = new Array<string>();
  values: Array<string> = new Array<string>();
  key: u32 = 0;
  keysAsked: i32 = 0;
  constructor(text: string) {
    super();
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const at = lines[i].indexOf(": ");
      if (at < 0) continue;
      this.names.push(lines[i].substring(0, at));
      this.values.push(lines[i].substring(at + 2));
    }
  }
  header(name: string): string | null {
    for (let i = 0; i < this.names.length; i++) if (this.names[i] == name) return this.values[i];
    return null;
  }
  headerBytes(name: ArrayBuffer, out: Bytes): bool { return false; }
  peekHeader(name: ArrayBuffer, out: Bytes): bool { return false; }
  requestKey(): u32 { this.keysAsked++; return this.key; }
  destinationPort(): u32 { return 0; }
  destinationAddress(out: Bytes): bool { return false; }
}

function filtersOf(text: string): Filters {
  const f = new Filters();
  const request = new Array<HeaderOp>(), response = new Array<HeaderOp>();
  const rewrites = new Array<RewriteOp>(), mirrors = new Array<MirrorOp>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const w = lines[i].split(" ");
    if (w.length < 2) continue;
    f.any = true;
    if (w[0] == "request" || w[0] == "response") {
      const kind = w[1] == "set" ? HEADER_SET : w[1] == "add" ? HEADER_ADD : HEADER_REMOVE;
      (w[0] == "request" ? request : response).push(new HeaderOp(kind, w[2], w.length > 3 ? w[3] : ""));
    } else if (w[0] == "rewrite") {
      const modifier = w[1] == "full" ? PATH_MODIFIER_REPLACE_FULL_PATH : w[1] == "prefix" ? PATH_MODIFIER_REPLACE_PREFIX_MATCH : 0;
      rewrites.push(new RewriteOp(w.length > 3 ? w[3] : null, new PathChange(modifier, w[2])));
    } else if (w[0] == "mirror") {
      mirrors.push(new MirrorOp(w[1], w[1], <u32>parseInt(w[2]), <u32>parseInt(w[3]), <u32>parseInt(w[4])));
    } else if (w[0] == "cors") {
      f.cors = corsOf(w);
    }
  }
  f.request = request;
  f.response = response;
  f.rewrites = rewrites;
  f.mirrors = mirrors;
  return f;
}

function corsOf(w: string[]): CorsPolicy {
  return new CorsPolicy(w[1].split(","), w[2] == "-" ? "" : w[2], w[3] == "-" ? "" : w[3], w[4] == "-" ? "" : w[4],
    <u32>parseInt(w[5]), w[6] == "1");
}

function listed(ops: HostOps): string {
  let out = "";
  for (let i = 0; i < ops.count; i++) {
    const k = ops.kinds[i];
    const kind = k == OP_SET ? "set" : k == OP_ADD ? "add" : k == OP_REMOVE ? "remove" : k == OP_MIRROR ? "mirror" : "?";
    out += kind + " " + (ops.maps[i] == REQUEST ? "request" : "response") + " " + ops.names[i] +
      (k == OP_SET || k == OP_ADD ? " " + ops.values[i] : "") + "\n";
  }
  return out;
}

const ops = new HostOps();
let origin: string | null = null;
let keysAsked: i32 = 0;

/**
 * The request operations of `rule` and `backend` over a request with `headers` and `path` (the
 * matched PathPrefix `prefix`), each on a line; the request key is `key`.
 */
export function request_ops(rule: string, backend: string, headers: string, path: string, prefix: string, key: u32): string {
  const req = new Headers(headers);
  req.key = key;
  const target = new Target();
  const bytes = String.UTF8.encode(path);
  target.raw.ptr = changetype<usize>(bytes);
  target.raw.len = bytes.byteLength;
  const q = path.indexOf("?");
  target.pathEnd = q < 0 ? bytes.byteLength : q;
  target.queryStart = q < 0 ? bytes.byteLength : q + 1;
  target.queryEnd = bytes.byteLength;
  ops.clear();
  origin = requestOps(filtersOf(rule), filtersOf(backend), req, target, prefix, ops);
  keysAsked = req.keysAsked;
  return listed(ops);
}
/** The CORS origin the last request_ops() found, or null. */
export function cors_origin(): string | null { return origin; }
/** How often the last request_ops() asked for the request key. */
export function keys_asked(): i32 { return keysAsked; }

/** The response operations of `rule` and `backend` over a response with `headers`. */
export function response_ops(rule: string, backend: string, corsOrigin: string | null, headers: string): string {
  ops.clear();
  responseOps(filtersOf(rule), filtersOf(backend), corsOrigin, new Headers(headers), ops);
  return listed(ops);
}

/** Whether the CORS line `cors` allows `origin`. */
export function origin_allowed(cors: string, origin: string): bool { return originAllowed(corsOf(cors.split(" ")), origin); }

/** A preflight's answer headers, "name: value" per line. */
export function preflight(cors: string, origin: string, method: string, headers: string | null): string {
  const h = preflightHeaders(corsOf(cors.split(" ")), origin, method, headers);
  let out = "";
  for (let i = 0; i < h.length; i++) out += h[i][0] + ": " + h[i][1] + "\n";
  return out;
}

/** Whether a mirror of `numerator`/`denominator` with `salt` copies the request of `key`. */
export function mirror_sampled(numerator: u32, denominator: u32, salt: u32, key: u32): bool {
  return mirrorSampled(new MirrorOp("c", "c", numerator, denominator, salt), key);
}

/** A mirror's copy of the request headers ("name: value" lines in, and out). */
export function mirror_headers(headers: string): string {
  const h = new Headers(headers);
  const pairs = new Array<string[]>();
  for (let i = 0; i < h.names.length; i++) pairs.push([h.names[i], h.values[i]]);
  const copy = mirrorHeaders(pairs);
  let out = "";
  for (let i = 0; i < copy.length; i++) out += copy[i][0] + ": " + copy[i][1] + "\n";
  return out;
}
