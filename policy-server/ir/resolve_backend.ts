import type { HTTPBackendRef, KubeObject } from "../model/types.ts";

/** What backendRefs are checked against; a kind is undefined when no object of it is stored. */
export interface BackendInventory {
  services?: Map<string, KubeObject>;
  serviceImports?: Map<string, KubeObject>;
  referenceGrants: KubeObject[];
}

/** A backendRef as an Istio cluster, or why it cannot be used (a ResolvedRefs reason). */
export interface ResolvedBackend {
  cluster: string;
  label: string;
  problem?: {
    reason: "InvalidKind" | "BackendNotFound" | "RefNotPermitted" | "UnsupportedValue";
    message: string;
  };
}

const MCS_GROUP = "multicluster.x-k8s.io";
const GATEWAY_GROUP = "gateway.networking.k8s.io";

interface Grant {
  from?: { group?: string; kind?: string; namespace?: string }[];
  to?: { group?: string; kind?: string; name?: string }[];
}

/** Whether a ReferenceGrant in the target's namespace lets HTTPRoutes of `fromNs` refer to it. */
function permitted(
  grants: KubeObject[],
  fromNs: string,
  toNs: string,
  group: string,
  kind: string,
  name: string,
) {
  return grants.some((g) => {
    if ((g.metadata.namespace ?? "default") !== toNs) return false;
    const spec = g.spec as Grant;
    const from = spec.from?.some((f) =>
      f.group === GATEWAY_GROUP && f.kind === "HTTPRoute" && f.namespace === fromNs
    );
    const to = spec.to?.some((t) =>
      (t.group ?? "") === group && t.kind === kind && (t.name === undefined || t.name === name)
    );
    return from && to;
  });
}

/**
 * Resolves a backendRef of an HTTPRoute in `routeNs` to the cluster Istio builds for it: a Service is
 * `outbound|PORT||NAME.NS.svc.DOMAIN`; a multi-cluster ServiceImport is the `clusterset.local` name
 * Istio's MCS support serves. A reference into another namespace needs a ReferenceGrant there, unless
 * it is to a Service that is one of the route's parents (`parentServices`, `namespace/name`). A
 * Service or ServiceImport missing from a stored inventory is BackendNotFound; with no inventory of
 * that kind, the reference is taken on trust.
 *
 * @example
 * ```ts
 * import { resolveBackend } from "./resolve_backend.ts";
 * const b = resolveBackend({ name: "web", port: 80 }, "shop", { referenceGrants: [] }, "cluster.local");
 * if (b.cluster !== "outbound|80||web.shop.svc.cluster.local") throw new Error(b.cluster);
 * ```
 */
export function resolveBackend(
  ref: HTTPBackendRef,
  routeNs: string,
  inventory: BackendInventory,
  domain: string,
  parentServices: ReadonlySet<string> = new Set(),
): ResolvedBackend {
  const ns = ref.namespace ?? routeNs;
  const group = ref.group ?? "";
  const kind = ref.kind ?? "Service";
  const mcs = group === MCS_GROUP && kind === "ServiceImport";
  const cluster = `outbound|${ref.port ?? 0}||${ref.name}.${ns}.svc.${mcs ? "clusterset.local" : domain}`;
  const out = (problem?: ResolvedBackend["problem"]): ResolvedBackend => ({
    cluster,
    label: `${ns}/${ref.name}:${ref.port ?? ""}`,
    ...(problem && { problem }),
  });
  if (!mcs && !(["", "core"].includes(group) && kind === "Service")) {
    return out({
      reason: "InvalidKind",
      message: `backendRef kind "${kind}" of group "${group}" is not supported`,
    });
  }
  // GAMMA: a consumer route (in the client's namespace, its parent a Service elsewhere) may send to
  // that parent Service without a ReferenceGrant: its parentRef already names it.
  const toParent = !mcs && parentServices.has(`${ns}/${ref.name}`);
  if (
    ns !== routeNs && !toParent &&
    !permitted(inventory.referenceGrants, routeNs, ns, group === "core" ? "" : group, kind, ref.name)
  ) {
    return out({
      reason: "RefNotPermitted",
      message:
        `backendRef to ${kind} "${ns}/${ref.name}" is not permitted by any ReferenceGrant in namespace "${ns}"`,
    });
  }
  if (ref.port === undefined) {
    return out({ reason: "UnsupportedValue", message: `backendRef "${ref.name}" needs a port` });
  }
  const known = mcs ? inventory.serviceImports : inventory.services;
  if (known) {
    const target = known.get(`${ns}/${ref.name}`);
    if (!target) {
      return out({ reason: "BackendNotFound", message: `${kind} "${ns}/${ref.name}" does not exist` });
    }
    const ports = ((target.spec as { ports?: { port: number }[] })?.ports ?? []).map((p) => p.port);
    if (!ports.includes(ref.port)) {
      return out({
        reason: "BackendNotFound",
        message: `${kind} "${ns}/${ref.name}" has no port ${ref.port}`,
      });
    }
  }
  return out();
}
