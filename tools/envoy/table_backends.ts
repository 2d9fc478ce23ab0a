import type { RouteTable } from "../../policy-server/ir/types.ts";

/** One Envoy cluster the filter can choose, with the label the rule table gives it. */
export interface TableBackend {
  /** Istio's cluster name, e.g. `outbound|80||my-server-v2.devopssong.svc.cluster.local`. */
  cluster: string;
  /** `namespace/name:port`. */
  label: string;
}

/**
 * Every cluster a compiled rule table can send traffic to, once each, in table order: the backends,
 * and the targets of RequestMirror filters (the filter sends those copies with an HTTP call to the
 * cluster by name, so Envoy must know it too). Unresolved backends are left out: the filter
 * answers 500 for them and never names their cluster.
 *
 * @example
 * ```ts
 * import { tableBackends } from "./table_backends.ts";
 * const backends = tableBackends({ generation: 1, vhosts: [] });
 * if (backends.length !== 0) throw new Error("an empty table has no backends");
 * ```
 */
export function tableBackends(table: RouteTable): TableBackend[] {
  const seen = new Map<string, TableBackend>();
  const add = (cluster: string, label: string) => {
    if (!seen.has(cluster)) seen.set(cluster, { cluster, label });
  };
  for (const vhost of table.vhosts) {
    for (const route of vhost.routes) {
      const { action } = route;
      for (const backend of action.backends) {
        if (!backend.unresolved) add(backend.cluster, backend.label);
      }
      for (const filter of [...action.filters, ...action.backends.flatMap((b) => b.filters)]) {
        const mirror = mirrorTarget(filter);
        if (mirror) add(mirror.cluster, mirror.label);
      }
    }
  }
  return [...seen.values()];
}

/** The cluster a RequestMirror filter copies requests to; undefined for other filters. */
function mirrorTarget(filter: object): TableBackend | undefined {
  const f = filter as Partial<Record<"kind" | "cluster" | "label", unknown>>;
  if (f.kind !== "RequestMirror" || typeof f.cluster !== "string" || typeof f.label !== "string") {
    return undefined;
  }
  return { cluster: f.cluster, label: f.label };
}
