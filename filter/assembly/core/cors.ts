// CORS as Gateway API's filter describes it: preflights from allowed origins are answered by the
// filter; actual requests from them get the CORS response headers.
import { CorsPolicy } from "./filters";
import { HostOps, RESPONSE } from "./host_ops";

/** Whether `origin` is one of the policy's: `*`, an exact origin, or `scheme://*.suffix`. */
export function originAllowed(policy: CorsPolicy, origin: string): bool {
  if (origin.length == 0) return false;
  const o = origin.toLowerCase();
  const list = policy.origins;
  for (let i = 0; i < list.length; i++) {
    const t = unchecked(list[i]);
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
export function allowOriginValue(policy: CorsPolicy, origin: string): string {
  return !policy.allowCredentials && policy.anyOrigin ? "*" : origin;
}

/**
 * The headers of the filter's answer to a preflight from an allowed origin. With credentials, a
 * browser reads "*" literally, so the spec has "*" methods and headers answered with what the
 * preflight asked for. The rule's exposed headers are sent too (the upstream tests expect them here).
 */
export function preflightHeaders(policy: CorsPolicy, origin: string, requestMethod: string,
  requestHeaders: string | null): Array<string[]> {
  const credentials = policy.allowCredentials;
  const out = new Array<string[]>();
  out.push(["access-control-allow-origin", allowOriginValue(policy, origin)]);
  const methods = credentials && policy.allowMethods == "*" ? requestMethod : policy.allowMethods;
  if (methods.length > 0) out.push(["access-control-allow-methods", methods]);
  const allowHeaders = policy.allowHeaders;
  const headers = credentials && allowHeaders == "*" ? (requestHeaders !== null ? requestHeaders : "") : allowHeaders;
  if (headers.length > 0) out.push(["access-control-allow-headers", headers]);
  const expose = policy.exposeHeaders;
  if (expose.length > 0) out.push(["access-control-expose-headers", expose]);
  out.push(["access-control-max-age", policy.maxAge.toString()]);
  if (credentials) out.push(["access-control-allow-credentials", "true"]);
  return out;
}

/**
 * The CORS response headers of an actual request from `origin`, an allowed origin (what the request
 * phase found: corsOrigin in core/route_ops.ts), as response header sets.
 */
export function corsResponseOps(policy: CorsPolicy, origin: string, out: HostOps): void {
  out.set(RESPONSE, "access-control-allow-origin", allowOriginValue(policy, origin));
  if (policy.allowCredentials) out.set(RESPONSE, "access-control-allow-credentials", "true");
  if (policy.exposeHeaders.length > 0) out.set(RESPONSE, "access-control-expose-headers", policy.exposeHeaders);
}
