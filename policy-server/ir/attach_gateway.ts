import type { HTTPRoute, KubeObject, LabelSelector, ParentReference } from "../model/types.ts";

/** The parts of a Gateway listener the compiler reads. */
export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  allowedRoutes?: {
    namespaces?: { from?: "Same" | "All" | "Selector"; selector?: LabelSelector };
    kinds?: { group?: string; kind: string }[];
  };
}

/** Where a route attaches on a Gateway: one virtual host per hostname and listener. */
export interface GatewayTarget {
  hostname: string;
  port: number;
  /** The listener's name: wider hostnames lend their rules only within one listener. */
  listener: string;
}

/** Why a route could not attach to a parent, in Gateway API's reasons. */
export interface NotAttached {
  reason: "NoMatchingParent" | "NotAllowedByListeners" | "NoMatchingListenerHostname";
  message: string;
}

const suffixOf = (wildcard: string) => wildcard.slice(1); // "*.example.com" → ".example.com"

/**
 * The hostname both a listener and a route accept, or undefined. A `*.` wildcard matches any
 * number of labels in front of its suffix, never the bare suffix; of two overlapping names the
 * more specific is the intersection.
 *
 * @example
 * ```ts
 * import { intersectHostname } from "./attach_gateway.ts";
 * if (intersectHostname("*.example.com", "foo.example.com") !== "foo.example.com") throw new Error();
 * ```
 */
export function intersectHostname(
  listener: string | undefined,
  route: string | undefined,
): string | undefined {
  if (listener === undefined) return route ?? "*";
  if (route === undefined) return listener;
  const l = listener.toLowerCase(), r = route.toLowerCase();
  if (l === r) return r;
  const lw = l.startsWith("*."), rw = r.startsWith("*.");
  if (lw && r.endsWith(suffixOf(l)) && r.length > suffixOf(l).length) return r;
  if (rw && l.endsWith(suffixOf(r)) && l.length > suffixOf(r).length) return l;
  return undefined;
}

/** Whether a listener lets this route attach: protocol, kind and namespace policy. */
function allows(
  listener: Listener,
  route: HTTPRoute,
  gatewayNs: string,
  namespaceLabels: Map<string, Record<string, string>>,
) {
  if (listener.protocol !== "HTTP" && listener.protocol !== "HTTPS") return false;
  const kinds = listener.allowedRoutes?.kinds;
  if (
    kinds?.length &&
    !kinds.some((k) =>
      k.kind === "HTTPRoute" && (k.group ?? "gateway.networking.k8s.io") === "gateway.networking.k8s.io"
    )
  ) {
    return false;
  }
  const ns = route.metadata.namespace;
  const from = listener.allowedRoutes?.namespaces?.from ?? "Same";
  if (from === "All") return true;
  if (from === "Same") return ns === gatewayNs;
  // An absent selector selects nothing (admission warns about it), as Kubernetes reads it here.
  const selector = listener.allowedRoutes?.namespaces?.selector;
  return selector !== undefined &&
    selectorMatches(selector, namespaceLabels.get(ns) ?? { "kubernetes.io/metadata.name": ns });
}

/**
 * Kubernetes label selector semantics: every `matchLabels` pair and every `matchExpressions`
 * requirement (In, NotIn, Exists, DoesNotExist) must hold.
 */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return pairs && (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const has = key in labels;
    switch (operator) {
      case "In":
        return has && values.includes(labels[key]);
      case "NotIn":
        return !has || !values.includes(labels[key]);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
    }
  });
}

/**
 * Attaches a route to one Gateway parentRef the way the spec orders the checks: the Gateway and the
 * listeners the reference names (sectionName, port) must exist, one of them must allow the route,
 * and the route's hostnames must intersect a listener's.
 */
export function attachToGateway(
  route: HTTPRoute,
  parent: ParentReference,
  gateway: KubeObject | undefined,
  namespaceLabels: Map<string, Record<string, string>>,
): GatewayTarget[] | NotAttached {
  const ns = parent.namespace ?? route.metadata.namespace;
  if (!gateway) {
    return { reason: "NoMatchingParent", message: `Gateway "${ns}/${parent.name}" does not exist` };
  }
  let listeners = ((gateway.spec as { listeners?: Listener[] })?.listeners ?? [])
    .filter((l) => parent.sectionName === undefined || l.name === parent.sectionName)
    .filter((l) => parent.port === undefined || l.port === parent.port);
  if (!listeners.length) {
    const which = [
      parent.sectionName && `sectionName "${parent.sectionName}"`,
      parent.port && `port ${parent.port}`,
    ]
      .filter(Boolean).join(" and ");
    return {
      reason: "NoMatchingParent",
      message: `Gateway "${ns}/${parent.name}" has no listener with ${which}`,
    };
  }
  listeners = listeners.filter((l) => allows(l, route, ns, namespaceLabels));
  if (!listeners.length) {
    return {
      reason: "NotAllowedByListeners",
      message: `no listener of Gateway "${ns}/${parent.name}" allows this route`,
    };
  }
  const routeHosts: (string | undefined)[] = route.spec.hostnames?.length
    ? route.spec.hostnames
    : [undefined];
  const targets: GatewayTarget[] = [];
  for (const l of listeners) {
    for (const h of routeHosts) {
      const hostname = intersectHostname(l.hostname, h);
      if (hostname !== undefined) targets.push({ hostname, port: l.port, listener: l.name });
    }
  }
  if (!targets.length) {
    return {
      reason: "NoMatchingListenerHostname",
      message: `no hostname of the route matches a listener of Gateway "${ns}/${parent.name}"`,
    };
  }
  return targets;
}
