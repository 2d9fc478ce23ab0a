// The host operations of a routed request's filters: the rule's, then its backend's. On the
// request: header modifiers in order (an add joins onto the value there with ","), then URLRewrite
// (the path in place, the query kept; the hostname to AUTHORITY_HEADER, so that Envoy still picks
// the route by the host the client sent), then the rule's mirrors. On the response: the response
// header modifiers, then the CORS headers of an actual request from an allowed origin.
import { corsResponseOps, originAllowed } from "./cors";
import { CorsPolicy, Filters, HEADER_ADD, HEADER_SET, HeaderOp, RewriteOp } from "./filters";
import { HostOps, REQUEST, RESPONSE } from "./host_ops";
import { AUTHORITY_HEADER } from "./internal_headers";
import { mirrorSampled } from "./mirror";
import { HeaderView, RequestView } from "./request";
import { modifiedPath } from "./rewrite";
import { Target } from "./target";

/**
 * Appends the request operations of `rule` and `backend` to `out`. `target` is the request's path
 * and `prefix` what the matched route's PathPrefix held (ReplacePrefixMatch replaces it). Returns
 * the request's Origin when the rule's CORS policy allows it, for responseOps(); else null.
 */
export function requestOps(rule: Filters, backend: Filters, req: RequestView, target: Target, prefix: string,
  out: HostOps): string | null {
  headerOps(REQUEST, rule.request, req, out);
  headerOps(REQUEST, backend.request, req, out);
  rewriteOps(rule.rewrites, target, prefix, out);
  rewriteOps(backend.rewrites, target, prefix, out);
  const mirrors = rule.mirrors;
  for (let i = 0; i < mirrors.length; i++) {
    const m = unchecked(mirrors[i]);
    // The key is asked for only when a share is to be sampled: without a request id, asking draws one.
    if (m.numerator < m.denominator && !mirrorSampled(m, req.requestKey())) continue;
    out.mirror(m.cluster);
  }
  const cors = rule.cors;
  return cors !== null ? allowedOrigin(cors, req, out) : null;
}

/**
 * Appends the response operations of `rule` and `backend` to `out`, over the response's headers
 * `view`; `corsOrigin` is what requestOps() returned.
 */
export function responseOps(rule: Filters, backend: Filters, corsOrigin: string | null, view: HeaderView,
  out: HostOps): void {
  headerOps(RESPONSE, rule.response, view, out);
  headerOps(RESPONSE, backend.response, view, out);
  const cors = rule.cors;
  if (cors !== null && corsOrigin !== null) corsResponseOps(cors, corsOrigin, out);
}

function headerOps(map: u8, ops: Array<HeaderOp>, view: HeaderView, out: HostOps): void {
  for (let i = 0; i < ops.length; i++) {
    const op = unchecked(ops[i]);
    if (op.kind == HEADER_SET) {
      out.set(map, op.name, op.value);
    } else if (op.kind == HEADER_ADD) {
      // Gateway API's add appends to the header's value: one value, joined with ",".
      const cur = out.valueAfter(map, op.name, view);
      if (cur === null) out.add(map, op.name, op.value);
      else out.set(map, op.name, cur + "," + op.value);
    } else {
      out.remove(map, op.name);
    }
  }
}

function rewriteOps(ops: Array<RewriteOp>, target: Target, prefix: string, out: HostOps): void {
  for (let i = 0; i < ops.length; i++) {
    const op = unchecked(ops[i]);
    if (op.path.modifier != 0) {
      const path = modifiedPath(op.path, target.path(), prefix);
      const query = target.query();
      out.set(REQUEST, ":path", query.length > 0 ? path + "?" + query : path);
    }
    const host = op.hostname;
    if (host !== null) out.set(REQUEST, AUTHORITY_HEADER, host);
  }
}

/** The request's Origin (as the operations so far leave it) when the policy allows it, else null. */
function allowedOrigin(policy: CorsPolicy, req: RequestView, out: HostOps): string | null {
  const origin = out.valueAfter(REQUEST, "origin", req);
  return origin !== null && originAllowed(policy, origin) ? origin : null;
}
