/**
 * A rule's (or a backendRef's) filters translated into the IR — header modifiers, redirects,
 * rewrites, mirrors, CORS — and backendRefs resolved against the inventory.
 *
 * @module
 */
import type {
  HTTPBackendRef,
  HTTPPathModifierSpec,
  HTTPRouteFilter,
  HTTPRouteMatch,
} from "../model/types.ts";
import type { Inventory, RuleProblem } from "./inventory.ts";
import { resolveBackend } from "./resolve_backend.ts";
import type { PathModifier, RouteFilter } from "./types.ts";

/** A backendRef (or a mirror's) resolved, its problem reported; unresolved ones answer 500. */
export function backendOf(
  ref: HTTPBackendRef,
  ns: string,
  inventory: Inventory,
  domain: string,
  problems: RuleProblem[],
  parentServices?: ReadonlySet<string>,
) {
  const { cluster, label, problem } = resolveBackend(ref, ns, inventory, domain, parentServices);
  if (problem) problems.push({ type: "ResolvedRefs", ...problem });
  return { cluster, label, ...(problem && { unresolved: true }) };
}

/** What translating a rule's (or a backendRef's) filters needs to know. */
export interface FilterScope {
  where: string;
  inventory: Inventory;
  ns: string;
  domain: string;
  matches: HTTPRouteMatch[];
  problems: RuleProblem[];
  /** backendRef-level: only header modifiers and URLRewrite make sense there. */
  backend: boolean;
  /** The route's parent Services (`namespace/name`), which it may send to without a ReferenceGrant. */
  parentServices?: ReadonlySet<string>;
}

/** The filters in order; undefined (and a problem reported) when one cannot be applied. */
export function routeFilters(filters: HTTPRouteFilter[], scope: FilterScope): RouteFilter[] | undefined {
  const out: RouteFilter[] = [];
  const refuse = (message: string) => {
    scope.problems.push({
      type: "Accepted",
      reason: "UnsupportedValue",
      message: `${scope.where}: ${message}`,
    });
    return undefined;
  };
  for (const f of filters) {
    if (f.type === "RequestHeaderModifier" || f.type === "ResponseHeaderModifier") {
      const mod = f.type === "RequestHeaderModifier" ? f.requestHeaderModifier : f.responseHeaderModifier;
      const side = f.type === "RequestHeaderModifier" ? "Request" : "Response";
      // Names differing only in case are distinct list keys; the first of them is the one applied.
      for (const h of firstOfEachName(mod?.set ?? [])) {
        out.push({ kind: `${side}HeaderSet`, name: h.name.toLowerCase(), value: h.value });
      }
      for (const h of firstOfEachName(mod?.add ?? [])) {
        out.push({ kind: `${side}HeaderAdd`, name: h.name.toLowerCase(), value: h.value });
      }
      for (const name of mod?.remove ?? []) {
        out.push({ kind: `${side}HeaderRemove`, name: name.toLowerCase() });
      }
    } else if (f.type === "RequestRedirect" && f.requestRedirect) {
      const r = f.requestRedirect;
      const path = pathModifier(r.path, scope);
      if (path === null) return undefined;
      out.push({
        kind: "RequestRedirect",
        ...(r.scheme && { scheme: r.scheme }),
        ...(r.hostname && { hostname: r.hostname }),
        ...(r.port !== undefined && { port: r.port }),
        ...(path && { path }),
        statusCode: r.statusCode ?? 302,
      });
    } else if (f.type === "URLRewrite" && f.urlRewrite) {
      const path = pathModifier(f.urlRewrite.path, scope);
      if (path === null) return undefined;
      out.push({
        kind: "URLRewrite",
        ...(f.urlRewrite.hostname && { hostname: f.urlRewrite.hostname }),
        ...(path && { path }),
      });
    } else if (f.type === "RequestMirror" && f.requestMirror && !scope.backend) {
      const m = f.requestMirror;
      // An unresolvable mirror is left out (ResolvedRefs=False, reported by backendOf); the rule
      // keeps forwarding, as the spec asks.
      const target = backendOf(
        m.backendRef,
        scope.ns,
        scope.inventory,
        scope.domain,
        scope.problems,
        scope.parentServices,
      );
      if (target.unresolved) continue;
      const [numerator, denominator] = m.fraction
        ? [m.fraction.numerator, m.fraction.denominator ?? 100]
        : [m.percent ?? 100, 100];
      out.push({
        kind: "RequestMirror",
        cluster: target.cluster,
        label: target.label,
        numerator,
        denominator,
      });
    } else if (f.type === "CORS" && f.cors && !scope.backend) {
      const c = f.cors;
      out.push({
        kind: "CORS",
        allowOrigins: (c.allowOrigins ?? []).join(" "),
        allowMethods: (c.allowMethods ?? []).join(", "),
        allowHeaders: (c.allowHeaders ?? []).join(", "),
        exposeHeaders: (c.exposeHeaders ?? []).join(", "),
        maxAge: c.maxAge ?? 5,
        allowCredentials: c.allowCredentials ?? false,
      });
    } else {
      return refuse(`filter type "${f.type}" is not supported${scope.backend ? " on a backendRef" : ""}`);
    }
  }
  return out;
}

/**
 * A redirect's or rewrite's path modifier. ReplacePrefixMatch needs the rule's single PathPrefix
 * match (the API's CEL rule); otherwise null, with the problem reported.
 */
function pathModifier(
  path: HTTPPathModifierSpec | undefined,
  scope: FilterScope,
): PathModifier | undefined | null {
  if (!path) return undefined;
  if (path.type === "ReplaceFullPath") return { type: "ReplaceFullPath", value: path.replaceFullPath ?? "/" };
  if (path.type === "ReplacePrefixMatch") {
    if (scope.matches.length !== 1 || scope.matches[0].path?.type !== "PathPrefix") {
      scope.problems.push({
        type: "Accepted",
        reason: "UnsupportedValue",
        message: `${scope.where}: ReplacePrefixMatch needs exactly one PathPrefix match`,
      });
      return null;
    }
    return { type: "ReplacePrefixMatch", value: path.replacePrefixMatch ?? "" };
  }
  scope.problems.push({
    type: "Accepted",
    reason: "UnsupportedValue",
    message: `${scope.where}: path type "${path.type}"`,
  });
  return null;
}

/** The headers whose name (case-insensitively) no earlier one has. */
function firstOfEachName<T extends { name: string }>(headers: T[]): T[] {
  const seen = new Set<string>();
  return headers.filter((h) => {
    const name = h.name.toLowerCase();
    return !seen.has(name) && seen.add(name) !== undefined;
  });
}
