// CORS as Gateway API's filter describes it: preflights from allowed origins are answered by the
// filter; actual requests from them get the CORS response headers.
import { FilterOp } from "./blob";

/** Whether `origin` is in the space-separated list: `*`, an exact origin, or `scheme://*.suffix`. */
export function originAllowed(allowed: string, origin: string): bool {
  if (origin.length == 0) return false;
  const o = origin.toLowerCase();
  const list = allowed.split(" ");
  for (let i = 0; i < list.length; i++) {
    const t = list[i].toLowerCase();
    if (t.length == 0) continue;
    if (t == "*" || t == o) return true;
    const star = t.indexOf("://*.");
    if (star > 0) {
      const scheme = t.substring(0, star + 3), suffix = t.substring(star + 4);
      // "https://*.example.com" takes any subdomain over https, never example.com itself.
      if (o.startsWith(scheme) && o.endsWith(suffix) && o.length > scheme.length + suffix.length) return true;
    }
  }
  return false;
}

/** The Access-Control-Allow-Origin value: `*` only where credentials are not allowed. */
export function allowOriginValue(pre: FilterOp, origin: string): string {
  const credentials = (pre.c & 0x80000000) != 0;
  return !credentials && pre.a.split(" ").includes("*") ? "*" : origin;
}

/**
 * The headers of the filter's answer to a preflight from an allowed origin. With credentials, a
 * browser reads "*" literally, so the spec has "*" methods and headers answered with what the
 * preflight asked for. `expose` is the rule's exposed headers (the upstream tests expect them here
 * too).
 */
export function preflightHeaders(pre: FilterOp, origin: string, requestMethod: string, requestHeaders: string | null,
  expose: string): Array<string[]> {
  const credentials = (pre.c & 0x80000000) != 0;
  const out = new Array<string[]>();
  out.push(["access-control-allow-origin", allowOriginValue(pre, origin)]);
  const methods = credentials && pre.b == "*" ? requestMethod : pre.b;
  if (methods.length > 0) out.push(["access-control-allow-methods", methods]);
  const headers = credentials && pre.d == "*" ? (requestHeaders !== null ? requestHeaders : "") : pre.d;
  if (headers.length > 0) out.push(["access-control-allow-headers", headers]);
  if (expose.length > 0) out.push(["access-control-expose-headers", expose]);
  out.push(["access-control-max-age", (pre.c & 0x7fffffff).toString()]);
  if (credentials) out.push(["access-control-allow-credentials", "true"]);
  return out;
}
