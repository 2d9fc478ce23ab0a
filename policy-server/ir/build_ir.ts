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
import { tryCompileRegex } from "../regex/compile_regex.ts";
import type { Backend, Condition, RouteAction, RouteEntry, RouteTable, VirtualHost } from "./types.ts";

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

/** An entry being sorted, with what Gateway API precedence compares. */
interface Ranked {
  entry: RouteEntry;
  created: string;
  key: string;
  rule: number;
  match: number;
}

/**
 * Translates HTTPRoutes into the flat, precedence-ordered routing table the filter serves, and the
 * Gateway API status of every route. Bad rules never stop the build: a rule whose filter or backend
 * cannot be honoured keeps its matches but answers 500 (as the spec asks), and its route's status
 * says why.
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
  const inventory = indexInventory(resources);
  // Refusing unseen Gateways: no Gateway stored means every Gateway parent is missing.
  if (options.unseenGateways === "refuse") inventory.gateways ??= new Map();
  const slots = new Map<string, Slot>();
  const statuses: RouteStatus[] = [];

  for (const route of routes) {
    const ns = route.metadata.namespace;
    const key = `${ns}/${route.metadata.name}`;
    const problems: RuleProblem[] = [];
    const rules = route.spec.rules?.length ? route.spec.rules : [{}];
    const sticky = stickyKey(route, problems);
    const ranked: Omit<Ranked, "entry">[] = [];
    const entries: RouteEntry[] = [];
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
        const patterns = [
          ...(m.path?.type === "RegularExpression" ? [m.path.value ?? ""] : []),
          ...[...(m.headers ?? []), ...(m.queryParams ?? [])].filter((h) => h.type === "RegularExpression")
            .map((h) => h.value),
        ];
        const bad = patterns.map((p) => tryCompileRegex(p)).find((r) => "error" in r);
        if (bad && "error" in bad) {
          problems.push({
            type: "Accepted",
            reason: "UnsupportedValue",
            message: `rule ${ruleIndex} match ${matchIndex}: regular expression: ${bad.error.message}`,
          });
          return;
        }
        entries.push(buildEntry(m, action));
        ranked.push({
          created: route.metadata.creationTimestamp ?? "",
          key,
          rule: ruleIndex,
          match: matchIndex,
        });
      });
    });

    const parents: RouteParentStatus[] = [];
    for (const parent of route.spec.parentRefs ?? []) {
      const attached = attachTargets(route, parent, inventory, domain);
      if ("reason" in attached) {
        parents.push(parentStatus(parent, route, [{ type: "Accepted", ...attached }]));
        continue;
      }
      for (const t of attached.targets) {
        const id = `${t.mode}|${t.scope}|${t.listener}|${t.clients ?? ""}|${t.hostname}|${t.port}`;
        let slot = slots.get(id);
        if (!slot) {
          slot = { ...t, ranked: [] };
          slots.set(id, slot);
        }
        entries.forEach((entry, i) => slot.ranked.push({ entry, ...ranked[i] }));
      }
      parents.push(parentStatus(parent, route, problems, attached.note));
    }
    statuses.push({ route: key, parents });
  }

  const vhosts = mergeHostnames([...slots.values()]);
  // GAMMA routes apply to traffic addressed to their Service: where the Services are, by address.
  const frontends = vhosts.some((v) => v.mode === "mesh") ? serviceFrontends(resources, domain) : [];
  return {
    table: { generation: options.generation, vhosts, ...(frontends.length && { frontends }) },
    statuses,
  };
}

/** The routes attached to one hostname of one parent (and listener), before ordering. */
interface Slot extends Target {
  ranked: Ranked[];
}

/** Whether wildcard hostname `w` also covers the more specific `h` (exact or wildcard). */
function covers(w: string, h: string): boolean {
  if (w === h) return false;
  if (w === "*") return true;
  return w.startsWith("*.") && h.endsWith(w.slice(1)) && h.length > w.length - 1;
}

/** Exact names first, then wildcards by length, "*" last: Gateway API's first precedence criterion. */
const specificity = (h: string) => (h === "*" ? 0 : h.startsWith("*.") ? h.length : 1e6 + h.length);

/**
 * Orders each hostname's routes, then folds hostnames that ended up with the very same route list
 * (the names of one Service, or a route's several hostnames) into one virtual host.
 *
 * Hostname specificity comes first in Gateway API's precedence: a request for `shop.example.com`
 * tries the rules of routes for that name, then those for `*.example.com`, then those for any host.
 * The filter picks one virtual host per request, so each virtual host carries, after its own rules,
 * the rules of the less specific hostnames that cover it on the same parent and listener.
 */
function mergeHostnames(slots: Slot[]): VirtualHost[] {
  // Listener isolation: a wider hostname lends its rules only within the same listener.
  const sameParent = (a: Slot, b: Slot) =>
    a.mode === b.mode && a.scope === b.scope && a.listener === b.listener && a.port === b.port &&
    a.clients === b.clients;
  const ordered = new Map(slots.map((s) => [s, s.ranked.sort(comparePrecedence).map((r) => r.entry)]));
  const out = new Map<string, VirtualHost>();
  for (const slot of slots.sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0))) {
    const wider = slots.filter((o) => sameParent(o, slot) && covers(o.hostname, slot.hostname))
      .sort((a, b) => specificity(b.hostname) - specificity(a.hostname));
    const routes = [...new Set([slot, ...wider].flatMap((s) => ordered.get(s)!))];
    const key = `${slot.mode}|${slot.scope}|${slot.port}|${slot.clients ?? ""}|${
      routes.map((e) => entryId(e)).join(",")
    }`;
    const vh = out.get(key);
    if (vh) vh.hostnames.push(slot.hostname);
    else {
      out.set(key, {
        hostnames: [slot.hostname],
        mode: slot.mode,
        port: slot.port,
        scope: slot.scope,
        ...(slot.clients && { clients: slot.clients }),
        routes,
      });
    }
  }
  return [...out.values()];
}

const entryIds = new WeakMap<RouteEntry, number>();
let nextEntryId = 0;
function entryId(e: RouteEntry): number {
  let id = entryIds.get(e);
  if (id === undefined) entryIds.set(e, id = nextEntryId++);
  return id;
}

/** The virtual hosts a parentRef attaches a route to, or undefined for an unsupported parent. */
interface Target {
  hostname: string;
  mode: VirtualHost["mode"];
  port: number;
  scope: string;
  /** The Gateway listener ("" for GAMMA and unchecked Gateways). */
  listener: string;
  /** GAMMA: the only namespace whose clients these routes serve. */
  clients?: string;
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

function buildEntry(m: HTTPRouteMatch, action: RouteAction): RouteEntry {
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
    conditions.push({
      kind: h.type === "RegularExpression" ? "HeaderRegex" : "HeaderExact",
      name,
      value: h.value,
    });
  }
  const seenQuery = new Set<string>();
  for (const q of m.queryParams ?? []) {
    if (seenQuery.has(q.name)) continue;
    seenQuery.add(q.name);
    conditions.push({
      kind: q.type === "RegularExpression" ? "QueryRegex" : "QueryExact",
      name: q.name,
      value: q.value,
    });
  }
  return { path: { type, value }, ...(m.method && { method: m.method }), conditions, action };
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

/** Gateway API precedence within one virtual host: the most specific match first. */
function comparePrecedence(a: Ranked, b: Ranked): number {
  const pa = a.entry.path!, pb = b.entry.path!;
  // Exact paths first, then regular expressions (where the spec leaves the order to implementations,
  // as Envoy Gateway does: a catch-all prefix must not shadow them), then the longest prefix.
  const kind = (p: typeof pa) => (p.type === "Exact" ? 2 : p.type === "RegularExpression" ? 1 : 0);
  const byKind = kind(pb) - kind(pa);
  if (byKind) return byKind;
  const byLength = pb.value.length - pa.value.length;
  if (byLength) return byLength;
  const method = Number(!!b.entry.method) - Number(!!a.entry.method);
  if (method) return method;
  const count = (e: RouteEntry, q: boolean) =>
    e.conditions.filter((c) => c.kind.startsWith("Query") === q).length;
  const headers = count(b.entry, false) - count(a.entry, false);
  if (headers) return headers;
  const query = count(b.entry, true) - count(a.entry, true);
  if (query) return query;
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.rule - b.rule || a.match - b.match;
}
