/**
 * The defaults the Gateway API CRDs declare (`default:` in their OpenAPI schemas), applied as the
 * API server applies them when it decodes an object: the stored object says what was meant. The
 * one that surprises people: a `parentRef` without `group` is in the Gateway API group, so a
 * Service parent must say `group: ""`.
 *
 * @module
 */

type Json = Record<string, unknown>;

/** The Gateway API group: the default of a parentRef's `group`. */
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => Array.isArray(v) ? v.filter(isObject) : [];
const defaultPath = () => ({ type: "PathPrefix", value: "/" });

/** Sets `obj[key]` to `value()` when it is absent (a `null` is absent too, as in the API server). */
function fill(obj: Json, key: string, value: () => unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value();
}

/** A BackendObjectReference: group `""`, kind `Service`. */
function backendObjectRef(ref: Json): void {
  fill(ref, "group", () => "");
  fill(ref, "kind", () => "Service");
}

function filters(list: unknown): void {
  for (const filter of objects(list)) {
    if (isObject(filter.requestMirror) && isObject(filter.requestMirror.backendRef)) {
      backendObjectRef(filter.requestMirror.backendRef);
    }
    if (isObject(filter.requestRedirect)) fill(filter.requestRedirect, "statusCode", () => 302);
    if (isObject(filter.cors)) fill(filter.cors, "maxAge", () => 5);
  }
}

function match(m: Json): void {
  fill(m, "path", defaultPath);
  if (isObject(m.path)) {
    fill(m.path, "type", () => "PathPrefix");
    fill(m.path, "value", () => "/");
  }
  for (const h of [...objects(m.headers), ...objects(m.queryParams)]) fill(h, "type", () => "Exact");
}

/**
 * An HTTPRoute with the CRD's defaults filled in, in place: parentRefs (group, kind), rules and their
 * matches (one PathPrefix "/" match), header and query matches (Exact), backendRefs (group, kind,
 * weight 1), mirrors, redirects (302) and CORS (maxAge 5).
 */
export function applyHttpRouteDefaults<T>(route: T): T {
  const spec = isObject(route) && isObject(route.spec) ? route.spec : undefined;
  if (!spec) return route;
  for (const ref of objects(spec.parentRefs)) {
    fill(ref, "group", () => GATEWAY_API_GROUP);
    fill(ref, "kind", () => "Gateway");
  }
  fill(spec, "rules", () => [{ matches: [{ path: defaultPath() }] }]);
  for (const rule of objects(spec.rules)) {
    fill(rule, "matches", () => [{ path: defaultPath() }]);
    objects(rule.matches).forEach(match);
    filters(rule.filters);
    for (const ref of objects(rule.backendRefs)) {
      backendObjectRef(ref);
      fill(ref, "weight", () => 1);
      filters(ref.filters);
    }
  }
  return route;
}

/**
 * A Gateway with the CRD's defaults filled in, in place: each listener's `allowedRoutes` (routes
 * from the Gateway's own namespace), TLS mode (Terminate) and certificate references (core Secret),
 * and address types (IPAddress).
 */
export function applyGatewayDefaults<T>(gateway: T): T {
  const spec = isObject(gateway) && isObject(gateway.spec) ? gateway.spec : undefined;
  if (!spec) return gateway;
  for (const listener of objects(spec.listeners)) {
    fill(listener, "allowedRoutes", () => ({ namespaces: { from: "Same" } }));
    if (isObject(listener.allowedRoutes)) {
      fill(listener.allowedRoutes, "namespaces", () => ({ from: "Same" }));
      if (isObject(listener.allowedRoutes.namespaces)) {
        fill(listener.allowedRoutes.namespaces, "from", () => "Same");
      }
    }
    if (isObject(listener.tls)) {
      fill(listener.tls, "mode", () => "Terminate");
      for (const ref of objects(listener.tls.certificateRefs)) {
        fill(ref, "group", () => "");
        fill(ref, "kind", () => "Secret");
      }
    }
  }
  for (const address of objects(spec.addresses)) fill(address, "type", () => "IPAddress");
  return gateway;
}
