import type {
  Condition as StatusCondition,
  HTTPBackendRef,
  HTTPRoute,
  HTTPRouteFilter,
  HTTPRouteMatch,
  KubeObject,
  ParentReference,
  RouteParentStatus,
  RouteStatus,
} from "../model/types.ts";
import { CONTROLLER_NAME } from "../model/types.ts";
import { attachToGateway, type NotAttached } from "./attach_gateway.ts";
import { indexInventory, type Inventory, type RuleProblem } from "./inventory.ts";
import { backendOf, type FilterScope, routeFilters } from "./route_filters.ts";
import { routerHeaders, stickyKey } from "./router_headers.ts";
import { serviceFrontends } from "./service_frontends.ts";
import { type RegexSyntaxError, tryCompileRegex } from "../regex/compile_regex.ts";
import type { Backend, Condition, RouteAction, RouteEntry, RouteTable } from "./types.ts";
import { type Ranked, type RouteIr, type Target, VirtualHostIndex } from "./virtual_host_index.ts";

/** Options of {@linkcode buildIr}. */
export interface BuildIrOptions {
  generation: number;
  /** Kubernetes cluster domain used in Istio's cluster names. */
  clusterDomain?: string;
  /**
   * A Gateway parent when no Gateway is stored at all: `"trust"` attaches the route with its
   * listeners unchecked (what offline tools want: a routes file rarely carries its Gateway);
   * `"refuse"` treats it as missing, so the route is not Accepted (`NoMatchingParent`) — the policy
   * server's default, since a writer scoped to one namespace could otherwise take any hostname on any
   * Gateway. Default `"trust"`.
   */
  unseenGateways?: "trust" | "refuse";
}

/** A routing table and what building it said about each route. */
export interface BuildIrResult {
  table: RouteTable;
  statuses: RouteStatus[];
}

// A parentRef's group defaults to the Gateway API's (a backendRef's to the core group), so a Service
// parent must say `group: ""`.
const isServiceParent = (ref: ParentReference) =>
  ref.kind === "Service" && ["", "core"].includes(ref.group ?? "gateway.networking.k8s.io");
const isGateway = (ref: ParentReference) =>
  (ref.group ?? "gateway.networking.k8s.io") === "gateway.networking.k8s.io" &&
  (ref.kind ?? "Gateway") === "Gateway";

/**
 * Translates HTTPRoutes into the flat, precedence-ordered routing table the filter serves, and the
 * Gateway API status of every route. Bad rules never stop the build: a rule whose filter or backend
 * cannot be honoured keeps its matches but answers 500 (as the spec asks), and its route's status
 * says why. The table does not depend on the order routes come in (where it must choose, it takes
 * them in the store's order: namespace, then name); statuses come in that order.
 *
 * @example
 * ```ts
 * import { buildIr } from "./build_ir.ts";
 * const { table } = buildIr([], { generation: 1 });
 * if (table.vhosts.length !== 0) throw new Error("expected an empty table");
 * ```
 */
export function buildIr(resources: KubeObject[], options: BuildIrOptions): BuildIrResult {
  const domain = options.clusterDomain ?? "cluster.local";
  const routes = resources.filter((r): r is HTTPRoute => r.kind === "HTTPRoute");
  const inventory = indexRouteInventory(resources, options);
  const hosts = new VirtualHostIndex();
  const statuses: RouteStatus[] = [];
  for (const route of routes) {
    const ir = buildRouteIr(route, inventory, domain);
    hosts.add(ir);
    statuses.push(ir.status);
  }
  const vhosts = hosts.virtualHosts();
  // GAMMA routes apply to traffic addressed to their Service: where the Services are, by address.
  const frontends = vhosts.some((v) => v.mode === "mesh") ? serviceFrontends(resources, domain) : [];
  return {
    table: { generation: options.generation, vhosts, ...(frontends.length && { frontends }) },
    statuses,
  };
}

/** The inventory routes are resolved against, as `buildIr` makes it from all objects. */
export function indexRouteInventory(resources: KubeObject[], options: BuildIrOptions): Inventory {
  const inventory = indexInventory(resources);
  // Refusing unseen Gateways: no Gateway stored means every Gateway parent is missing.
  if (options.unseenGateways === "refuse") inventory.gateways ??= new Map();
  return inventory;
}

/**
 * One HTTPRoute's part of the table: its entries, the targets they are filed under, and its status.
 * Depends on the route, the inventory and the cluster domain only.
 */
export function buildRouteIr(route: HTTPRoute, inventory: Inventory, domain: string): RouteIr {
  const ns = route.metadata.namespace;
  const key = `${ns}/${route.metadata.name}`;
  const problems: RuleProblem[] = [];
  const rules = route.spec.rules?.length ? route.spec.rules : [{}];
  const sticky = stickyKey(route, problems);
  const ranked: Ranked[] = [];
  const parentServices = new Set(
    (route.spec.parentRefs ?? []).filter(isServiceParent).map((p) => `${p.namespace ?? ns}/${p.name}`),
  );
  rules.forEach((rule, ruleIndex) => {
    const matches: HTTPRouteMatch[] = rule.matches?.length ? rule.matches : [{}];
    const action = buildAction(
      key,
      ruleIndex,
      matches,
      rule.filters ?? [],
      rule.backendRefs ?? [],
      ns,
      inventory,
      domain,
      problems,
      parentServices,
    );
    action.filters.unshift(...routerHeaders(rule, `rule ${ruleIndex}`, problems));
    if (sticky) action.sticky = sticky;
    matches.forEach((m, matchIndex) => {
      // A pattern the filter's engine cannot run drops its match (reported), never the route.
      const programs = regexPrograms(m);
      if ("error" in programs) {
        problems.push({
          type: "Accepted",
          reason: "UnsupportedValue",
          message: `rule ${ruleIndex} match ${matchIndex}: regular expression: ${programs.error.message}`,
        });
        return;
      }
      ranked.push({
        entry: buildEntry(m, action, programs),
        created: route.metadata.creationTimestamp ?? "",
        key,
        rule: ruleIndex,
        match: matchIndex,
      });
    });
  });

  const parents: RouteParentStatus[] = [];
  const targets: Target[] = [];
  for (const parent of route.spec.parentRefs ?? []) {
    const attached = attachTargets(route, parent, inventory, domain);
    if ("reason" in attached) {
      parents.push(parentStatus(parent, route, [{ type: "Accepted", ...attached }]));
      continue;
    }
    targets.push(...attached.targets);
    parents.push(parentStatus(parent, route, problems, attached.note));
  }
  return {
    namespace: ns ?? "",
    name: route.metadata.name,
    status: { route: key, parents },
    ranked,
    targets,
  };
}

/**
 * The virtual hosts a parentRef attaches a route to, or why it cannot attach. References are checked
 * against the inventory of their kind; with no object of that kind stored, the policy server cannot
 * know better and takes the reference on trust (the condition's message says so).
 */
function attachTargets(
  route: HTTPRoute,
  parent: ParentReference,
  inventory: Inventory,
  domain: string,
): { targets: Target[]; note?: string } | NotAttached | { reason: "UnsupportedValue"; message: string } {
  const ns = parent.namespace ?? route.metadata.namespace;
  const scope = `${ns}/${parent.name}`;
  if (isServiceParent(parent)) {
    if (inventory.services && !inventory.services.has(scope)) {
      return { reason: "NoMatchingParent", message: `Service "${scope}" does not exist` };
    }
    // GAMMA: traffic addressed to the Service, by any of the names its clients may use. The bare
    // name means this Service only to clients in its namespace. A consumer route (in another
    // namespace than the Service) serves only its own namespace's clients, which reach the Service
    // by its qualified names.
    const routeNs = route.metadata.namespace;
    const consumer = routeNs !== ns;
    const target = (hostname: string, clients?: string): Target => ({
      hostname,
      mode: "mesh",
      port: parent.port ?? 0,
      scope,
      listener: "",
      ...(clients && { clients }),
    });
    const qualified = [
      `${parent.name}.${ns}`,
      `${parent.name}.${ns}.svc`,
      `${parent.name}.${ns}.svc.${domain}`,
    ];
    return {
      targets: consumer
        ? qualified.map((h) => target(h, routeNs))
        : [target(parent.name, ns), ...qualified.map((h) => target(h))],
    };
  }
  if (!isGateway(parent)) {
    const group = parent.group ?? "gateway.networking.k8s.io";
    const hint = parent.kind === "Service" ? ': a Service parent needs group: ""' : "";
    return {
      reason: "UnsupportedValue",
      message: `parentRef kind "${parent.kind}" in group "${group}" is not supported${hint}`,
    };
  }
  if (!inventory.gateways) {
    const hostnames = route.spec.hostnames?.length ? route.spec.hostnames : ["*"];
    return {
      targets: hostnames.map((h) => ({
        hostname: h.toLowerCase(),
        mode: "gateway",
        port: parent.port ?? 0,
        scope,
        listener: "",
      })),
      note: "no Gateway is stored: listeners were not checked",
    };
  }
  const attached = attachToGateway(route, parent, inventory.gateways.get(scope), inventory.namespaceLabels);
  if (!Array.isArray(attached)) return attached;
  return { targets: attached.map((t) => ({ ...t, mode: "gateway", scope })) };
}

/**
 * A match's regular expressions compiled, once each, for the filter's engine (policy-server/regex):
 * the IR carries the programs, so the encoder writes them and the explainer runs them as they are.
 * The first pattern the engine refuses, if any.
 */
function regexPrograms(m: HTTPRouteMatch): Map<string, Uint8Array> | { error: RegexSyntaxError } {
  const patterns = [
    ...(m.path?.type === "RegularExpression" ? [m.path.value ?? "/"] : []),
    ...[...(m.headers ?? []), ...(m.queryParams ?? [])].filter((h) => h.type === "RegularExpression")
      .map((h) => h.value),
  ];
  const programs = new Map<string, Uint8Array>();
  for (const pattern of patterns) {
    if (programs.has(pattern)) continue;
    const compiled = tryCompileRegex(pattern);
    if ("error" in compiled) return compiled;
    programs.set(pattern, compiled.program);
  }
  return programs;
}

function buildEntry(m: HTTPRouteMatch, action: RouteAction, programs: Map<string, Uint8Array>): RouteEntry {
  // A match without a path is a PathPrefix "/" match (the API's default).
  const type = m.path?.type ?? "PathPrefix";
  let value = m.path?.value ?? "/";
  // A prefix matches whole segments, so a trailing "/" changes nothing: store it without one.
  if (type === "PathPrefix" && value.length > 1 && value.endsWith("/")) {
    value = value.replace(/\/+$/, "") || "/";
  }
  const conditions: Condition[] = [];
  // Duplicate header names: the first one wins (the spec says later ones are ignored).
  const seen = new Set<string>();
  for (const h of m.headers ?? []) {
    const name = h.name.toLowerCase();
    if (seen.has(name)) continue;
    seen.add(name);
    conditions.push(
      h.type === "RegularExpression"
        ? { kind: "HeaderRegex", name, value: h.value, program: programs.get(h.value) }
        : { kind: "HeaderExact", name, value: h.value },
    );
  }
  const seenQuery = new Set<string>();
  for (const q of m.queryParams ?? []) {
    if (seenQuery.has(q.name)) continue;
    seenQuery.add(q.name);
    conditions.push(
      q.type === "RegularExpression"
        ? { kind: "QueryRegex", name: q.name, value: q.value, program: programs.get(q.value) }
        : { kind: "QueryExact", name: q.name, value: q.value },
    );
  }
  const path = type === "RegularExpression" ? { type, value, program: programs.get(value) } : { type, value };
  return { path, ...(m.method && { method: m.method }), conditions, action };
}

function buildAction(
  route: string,
  rule: number,
  matches: HTTPRouteMatch[],
  filters: HTTPRouteFilter[],
  refs: HTTPBackendRef[],
  ns: string,
  inventory: Inventory,
  domain: string,
  problems: RuleProblem[],
  parentServices: ReadonlySet<string>,
): RouteAction {
  const scope: FilterScope = {
    where: `rule ${rule}`,
    inventory,
    ns,
    domain,
    matches,
    problems,
    backend: false,
    parentServices,
  };
  const ruleFilters = routeFilters(filters, scope);
  let unsupported = ruleFilters === undefined;
  const backends: Backend[] = refs.map((ref) => {
    const own = routeFilters(ref.filters ?? [], {
      ...scope,
      where: `rule ${rule} backend ${ref.name}`,
      backend: true,
    });
    if (own === undefined) unsupported = true;
    return {
      ...backendOf(ref, ns, scope.inventory, domain, problems, parentServices),
      weight: ref.weight ?? 1,
      filters: own ?? [],
    };
  });
  // A rule with a filter we cannot apply must not serve traffic as if it had none: 500 instead.
  if (unsupported) return { route, rule, backends: [], filters: [] };
  return { route, rule, backends, filters: ruleFilters ?? [] };
}

function parentStatus(
  parent: ParentReference,
  route: HTTPRoute,
  problems: RuleProblem[],
  note?: string,
): RouteParentStatus {
  const cond = (type: string, status: boolean, reason: string, message: string): StatusCondition => ({
    type,
    status: status ? "True" : "False",
    reason,
    message,
    observedGeneration: route.metadata.generation ?? 1,
  });
  // One condition per type: the first problem's reason, every problem's message.
  const first = (type: RuleProblem["type"]) => {
    const all = problems.filter((p) => p.type === type);
    return all.length ? { reason: all[0].reason, message: all.map((p) => p.message).join("; ") } : undefined;
  };
  const notAccepted = first("Accepted");
  const unresolved = first("ResolvedRefs");
  return {
    parentRef: parent,
    controllerName: CONTROLLER_NAME,
    conditions: [
      notAccepted
        ? cond("Accepted", false, notAccepted.reason, notAccepted.message)
        : cond("Accepted", true, "Accepted", note ? `Route is accepted; ${note}` : "Route is accepted"),
      unresolved
        ? cond("ResolvedRefs", false, unresolved.reason, unresolved.message)
        : cond("ResolvedRefs", true, "ResolvedRefs", "All references are resolved"),
    ],
  };
}
