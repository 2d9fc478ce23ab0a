/**
 * Configuration (a) of the Envoy benchmark: HTTPRoutes written as native Envoy routes, the way
 * istiod translates them for a gateway. One virtual host per hostname (`HOST:PORT`, domains `HOST`
 * and `HOST:*`), one route per HTTPRouteMatch, in Gateway API precedence order: Envoy takes the first
 * route that matches, walking the list. The order is the compiler's own (the IR's), so both sides of
 * the comparison rank the same rules the same way.
 *
 * Only what decides a match and a cluster is written; istiod's per-route extras (decorator,
 * metadata, retry policy) change no lookup. The translator covers what the benchmark's tables use;
 * anything else (filters, regular-expression paths) is refused rather than left out silently.
 *
 * @module
 */
import type { RouteEntry, RouteTable, VirtualHost } from "../../policy-server/ir/types.ts";

type Json = Record<string, unknown>;

/**
 * The route configuration's virtual hosts for `table`, served on listener port `port`.
 *
 * @example
 * ```ts
 * import { nativeVirtualHosts } from "./native_routes.ts";
 * const vhosts = nativeVirtualHosts({ generation: 1, vhosts: [] }, 80);
 * if (vhosts.length !== 0) throw new Error("expected no virtual host");
 * ```
 */
export function nativeVirtualHosts(table: RouteTable, port: number): Json[] {
  return table.vhosts.map((vhost) => ({
    name: `${vhost.hostnames[0]}:${port}`,
    domains: vhost.hostnames.flatMap((h) => [h, `${h}:*`]),
    routes: vhost.routes.map((entry, i) => nativeRoute(vhost, entry, i)),
  }));
}

function nativeRoute(vhost: VirtualHost, entry: RouteEntry, index: number): Json {
  const a = entry.action;
  const where = `${vhost.hostnames[0]} route ${index} (${a.route} rule ${a.rule})`;
  if (a.filters.length || a.backends.some((b) => b.filters.length || b.unresolved)) {
    throw new RangeError(`${where}: filters and unresolved backends are not translated`);
  }
  const headers: Json[] = entry.conditions.filter((c) => c.kind.startsWith("Header")).map((c) => ({
    name: c.name,
    string_match: stringMatch(c.kind === "HeaderRegex", c.value),
  }));
  if (entry.method) headers.unshift({ name: ":method", string_match: { exact: entry.method } });
  const query = entry.conditions.filter((c) => c.kind.startsWith("Query")).map((c) => ({
    name: c.name,
    string_match: stringMatch(c.kind === "QueryRegex", c.value),
  }));
  return {
    name: `${a.route.replace("/", ".")}.${a.rule}.${index}`,
    match: {
      ...pathMatch(entry, where),
      ...(headers.length ? { headers } : {}),
      ...(query.length ? { query_parameters: query } : {}),
    },
    route: {
      ...(a.backends.length === 1 ? { cluster: a.backends[0].cluster } : {
        weighted_clusters: { clusters: a.backends.map((b) => ({ name: b.cluster, weight: b.weight })) },
      }),
      timeout: "0s",
    },
  };
}

const stringMatch = (regex: boolean, value: string) =>
  regex ? { safe_regex: { regex: value } } : { exact: value };

/** istiod writes PathPrefix as `path_separated_prefix` (whole segments), `/` as `prefix`. */
function pathMatch(entry: RouteEntry, where: string): Json {
  const path = entry.path ?? { type: "PathPrefix", value: "/" };
  if (path.type === "Exact") return { path: path.value };
  if (path.type === "PathPrefix") {
    return path.value === "/" ? { prefix: "/" } : { path_separated_prefix: path.value };
  }
  throw new RangeError(`${where}: ${path.type} paths are not translated`);
}
