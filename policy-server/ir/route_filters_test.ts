import { assertEquals } from "../../tests/assert.ts";
import type { Inventory, RuleProblem } from "./inventory.ts";
import { type FilterScope, routeFilters } from "./route_filters.ts";

const scope = (problems: RuleProblem[], over: Partial<FilterScope> = {}): FilterScope => ({
  where: "rule 0",
  inventory: { referenceGrants: [], namespaceLabels: new Map() } as Inventory,
  ns: "web",
  domain: "cluster.local",
  matches: [{ path: { type: "PathPrefix", value: "/api" } }],
  problems,
  backend: false,
  ...over,
});

Deno.test("routeFilters() leaves out a mirror it cannot resolve and reports ResolvedRefs", () => {
  const problems: RuleProblem[] = [];
  const out = routeFilters([
    { type: "RequestMirror", requestMirror: { backendRef: { name: "shadow" } } },
    { type: "RequestMirror", requestMirror: { backendRef: { name: "audit", port: 80 }, percent: 5 } },
  ], scope(problems));
  assertEquals(
    out?.map((f) => f.kind === "RequestMirror" ? [f.cluster, f.numerator, f.denominator] : f.kind),
    [
      ["outbound|80||audit.web.svc.cluster.local", 5, 100],
    ],
  );
  assertEquals(problems.map((p) => [p.type, p.reason]), [["ResolvedRefs", "UnsupportedValue"]]);
});

Deno.test("routeFilters() refuses ReplacePrefixMatch without a single PathPrefix match", () => {
  const problems: RuleProblem[] = [];
  const rewrite = {
    type: "URLRewrite",
    urlRewrite: { path: { type: "ReplacePrefixMatch" as const, replacePrefixMatch: "/" } },
  };
  assertEquals(
    routeFilters([rewrite], scope(problems, { matches: [{ path: { type: "Exact", value: "/a" } }] })),
    undefined,
  );
  assertEquals(problems.map((p) => p.reason), ["UnsupportedValue"]);
});

Deno.test("routeFilters() takes a RequestRedirect on a backendRef, as newer Gateway API allows", () => {
  const problems: RuleProblem[] = [];
  assertEquals(
    routeFilters(
      [{ type: "RequestRedirect", requestRedirect: { hostname: "x.test" } }],
      scope(problems, { backend: true }),
    ),
    [{ kind: "RequestRedirect", hostname: "x.test", statusCode: 302 }],
  );
  assertEquals(problems, []);
});

Deno.test("routeFilters() applies the first of header modifier names that differ only in case", () => {
  const out = routeFilters([{
    type: "RequestHeaderModifier",
    requestHeaderModifier: {
      set: [{ name: "X-Env", value: "first" }, { name: "x-env", value: "second" }],
      add: [{ name: "x-tag", value: "a" }, { name: "X-TAG", value: "b" }],
    },
  }], scope([]));
  assertEquals(out?.map((f) => "value" in f ? [f.kind, f.name, f.value] : f.kind), [
    ["RequestHeaderSet", "x-env", "first"],
    ["RequestHeaderAdd", "x-tag", "a"],
  ]);
});

Deno.test("routeFilters() lower-cases the header names a response modifier sets, adds and removes", () => {
  const out = routeFilters([{
    type: "ResponseHeaderModifier",
    responseHeaderModifier: {
      set: [{ name: "X-Served-By", value: "v2" }],
      add: [{ name: "Cache-Control", value: "no-store" }],
      remove: ["X-Powered-By"],
    },
  }], scope([]));
  assertEquals(out?.map((f) => [f.kind, "name" in f ? f.name : "", "value" in f ? f.value : ""]), [
    ["ResponseHeaderSet", "x-served-by", "v2"],
    ["ResponseHeaderAdd", "cache-control", "no-store"],
    ["ResponseHeaderRemove", "x-powered-by", ""],
  ]);
});

Deno.test("routeFilters() lower-cases the header names a request modifier removes", () => {
  const out = routeFilters([{
    type: "RequestHeaderModifier",
    requestHeaderModifier: { remove: ["X-Debug"] },
  }], scope([]));
  assertEquals(out?.map((f) => [f.kind, "name" in f ? f.name : ""]), [["RequestHeaderRemove", "x-debug"]]);
});
