import type { RouteTable } from "../../policy-server/ir/types.ts";

/**
 * One curl command per route of the table that exercises it through the local Envoy: the first
 * hostname of its virtual host as `Host`, its path, method, headers and query parameters.
 * Wildcard hostnames get `www` in place of `*`, and `*` becomes `example.test`.
 *
 * @example
 * ```ts
 * import { sampleRequests } from "./sample_requests.ts";
 * if (sampleRequests({ generation: 1, vhosts: [] }, 10000).length !== 0) throw new Error("no routes, no requests");
 * ```
 */
export function sampleRequests(table: RouteTable, port: number): string[] {
  const out: string[] = [];
  for (const vhost of table.vhosts) {
    const raw = vhost.hostnames[0];
    const host = raw === "*" ? "example.test" : raw.replace(/^\*\./, "www.");
    // A GAMMA route is per Service port; port 80 is what a Host without a port means.
    const authority = vhost.mode === "mesh" && vhost.port !== 0 && vhost.port !== 80
      ? `${host}:${vhost.port}`
      : host;
    for (const route of vhost.routes) {
      const query = route.conditions.filter((c) => c.kind === "QueryExact")
        .map((c) => `${encodeURIComponent(c.name)}=${encodeURIComponent(c.value)}`);
      const path = (route.path?.value ?? "/") + (query.length ? `?${query.join("&")}` : "");
      const parts = ["curl", "-sS"];
      if (route.method && route.method !== "GET") parts.push("-X", route.method);
      parts.push("-H", quote(`Host: ${authority}`));
      for (const c of route.conditions) {
        if (c.kind === "HeaderExact") parts.push("-H", quote(`${c.name}: ${c.value}`));
      }
      parts.push(quote(`http://localhost:${port}${path}`));
      out.push(parts.join(" "));
    }
  }
  return out;
}

function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
