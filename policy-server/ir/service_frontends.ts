/**
 * The Service frontends of a routing table (GAMMA): which cluster IP and port stand for which
 * Service, so that the filter can route a sidecar's request by where it is going rather than by the
 * Host it carries.
 *
 * @module
 */
import { parseIpAddress } from "../model/ip_address.ts";
import type { KubeObject, ServicePort } from "../model/types.ts";
import type { ServiceFrontend } from "./types.ts";

/**
 * Every (cluster IP, port) of the given Services: primary address first, ports as listed, Services
 * by `namespace/name`. Headless Services (`None`) and Services without an address have none, nor do
 * ports that cannot carry HTTP (UDP, SCTP). An address and port two Services both claim (the API
 * server never allocates one twice, but the policy server only stores what it is given) stand for
 * neither: such requests keep being routed by Host.
 *
 * @example
 * ```ts
 * import { serviceFrontends } from "./service_frontends.ts";
 * const [f] = serviceFrontends([{
 *   apiVersion: "v1", kind: "Service", metadata: { name: "reviews", namespace: "shop" },
 *   spec: { clusterIP: "10.96.0.20", ports: [{ port: 9080 }] },
 * }], "cluster.local");
 * if (f.hostname !== "reviews.shop.svc.cluster.local" || f.address !== "10.96.0.20") throw new Error();
 * ```
 */
export function serviceFrontends(resources: KubeObject[], domain: string): ServiceFrontend[] {
  const services = resources.filter((r) => r.kind === "Service")
    .map((s) => ({ s, key: `${s.metadata.namespace ?? "default"}/${s.metadata.name}` }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out: ServiceFrontend[] = [];
  for (const { s, key } of services) {
    const spec = (s.spec ?? {}) as { clusterIP?: unknown; clusterIPs?: unknown; ports?: ServicePort[] };
    const [ns, name] = key.split("/");
    for (const address of clusterIps(spec)) {
      for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
        if ((p.protocol ?? "TCP") !== "TCP" || !Number.isInteger(p.port)) continue;
        out.push({ address, port: p.port, service: key, hostname: `${name}.${ns}.svc.${domain}` });
      }
    }
  }
  const claims = new Map<string, Set<string>>();
  for (const f of out) {
    const at = `${f.address}|${f.port}`;
    claims.set(at, (claims.get(at) ?? new Set()).add(f.service));
  }
  const seen = new Set<string>();
  return out.filter((f) => {
    const at = `${f.address}|${f.port}`;
    if (claims.get(at)!.size > 1 || seen.has(at)) return false;
    seen.add(at);
    return true;
  });
}

/**
 * A Service's cluster IPs, canonical, primary first: `clusterIPs` as stored (the API server fills it
 * from `clusterIP`), or `clusterIP` in a manifest that only has that. Anything that is not an address
 * (`None`, "", garbage in a hand-written file) gives none.
 */
function clusterIps(spec: { clusterIP?: unknown; clusterIPs?: unknown }): string[] {
  const listed = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length
    ? spec.clusterIPs
    : [spec.clusterIP];
  return listed.flatMap((ip) => {
    const parsed = typeof ip === "string" ? parseIpAddress(ip) : undefined;
    return parsed ? [parsed.canonical] : [];
  });
}
