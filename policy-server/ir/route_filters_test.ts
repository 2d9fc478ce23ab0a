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

Deno.test("routeFilters() refuses a filter without its configuration, and a mirror or CORS on a backendRef", () => {
  for (const type of ["RequestRedirect", "URLRewrite", "RequestMirror", "CORS", "ExtensionRef"]) {
    const problems: RuleProblem[] = [];
    assertEquals(routeFilters([{ type }] as never, scope(problems)), undefined);
    assertEquals(problems, [{
      type: "Accepted",
      reason: "UnsupportedValue",
      message: `rule 0: filter type "${type}" is not supported`,
    }]);
  }
  const mirror = { type: "RequestMirror", requestMirror: { backendRef: { name: "audit", port: 80 } } };
  const cors = { type: "CORS", cors: { allowOrigins: ["*"] } };
  for (const filter of [mirror, cors]) {
    const problems: RuleProblem[] = [];
    assertEquals(
      routeFilters([filter] as never, scope(problems, { where: "backendRef 1", backend: true })),
      undefined,
    );
    assertEquals(problems.map((p) => p.message), [
      `backendRef 1: filter type "${filter.type}" is not supported on a backendRef`,
    ]);
  }
});

Deno.test("routeFilters() takes a header modifier without lists as no change", () => {
  const problems: RuleProblem[] = [];
  assertEquals(
    routeFilters([{ type: "RequestHeaderModifier" }, {
      type: "ResponseHeaderModifier",
      responseHeaderModifier: {},
    }], scope(problems)),
    [],
  );
  assertEquals(problems, []);
});

Deno.test("routeFilters() keeps a redirect's scheme, hostname, port and path as written, 302 by default", () => {
  const redirect = (requestRedirect: Record<string, unknown>) =>
    routeFilters([{ type: "RequestRedirect", requestRedirect }], scope([]));
  assertEquals(redirect({}), [{ kind: "RequestRedirect", statusCode: 302 }]);
  assertEquals(
    redirect({
      scheme: "https",
      hostname: "a.test",
      port: 8443,
      statusCode: 301,
      path: { type: "ReplaceFullPath", replaceFullPath: "/new" },
    }),
    [{
      kind: "RequestRedirect",
      scheme: "https",
      hostname: "a.test",
      port: 8443,
      path: { type: "ReplaceFullPath", value: "/new" },
      statusCode: 301,
    }],
  );
  assertEquals(redirect({ path: { type: "ReplaceFullPath" } }), [{
    kind: "RequestRedirect",
    path: { type: "ReplaceFullPath", value: "/" },
    statusCode: 302,
  }]);
  assertEquals(redirect({ path: { type: "ReplacePrefixMatch" } }), [{
    kind: "RequestRedirect",
    path: { type: "ReplacePrefixMatch", value: "" },
    statusCode: 302,
  }]);
});

Deno.test("routeFilters() refuses a redirect's ReplacePrefixMatch without one PathPrefix match, and unknown path types", () => {
  const refused = (path: Record<string, unknown>, matches: FilterScope["matches"]) => {
    const problems: RuleProblem[] = [];
    const out = routeFilters(
      [{ type: "RequestRedirect", requestRedirect: { path } }] as never,
      scope(problems, { matches }),
    );
    return [out, ...problems.map((p) => `${p.type} ${p.reason}: ${p.message}`)];
  };
  const prefix = { type: "ReplacePrefixMatch", replacePrefixMatch: "/v2" };
  const needs = "Accepted UnsupportedValue: rule 0: ReplacePrefixMatch needs exactly one PathPrefix match";
  assertEquals(refused(prefix, []), [undefined, needs]);
  assertEquals(refused(prefix, [{}]), [undefined, needs]);
  const api = { path: { type: "PathPrefix" as const, value: "/api" } };
  assertEquals(refused(prefix, [api, api]), [undefined, needs]);
  assertEquals(refused(prefix, [api]), [[{
    kind: "RequestRedirect",
    path: { type: "ReplacePrefixMatch", value: "/v2" },
    statusCode: 302,
  }]]);
  assertEquals(refused({ type: "ReplaceSuffix" }, [api]), [
    undefined,
    'Accepted UnsupportedValue: rule 0: path type "ReplaceSuffix"',
  ]);
});

Deno.test("routeFilters() writes CORS lists as their header values, with the API's defaults", () => {
  const cors = (c: Record<string, unknown>) => routeFilters([{ type: "CORS", cors: c }], scope([]));
  assertEquals(cors({}), [{
    kind: "CORS",
    allowOrigins: "",
    allowMethods: "",
    allowHeaders: "",
    exposeHeaders: "",
    maxAge: 5,
    allowCredentials: false,
  }]);
  assertEquals(
    cors({
      allowOrigins: ["https://a.test", "https://*.b.test"],
      allowMethods: ["GET", "POST"],
      allowHeaders: ["x-a", "x-b"],
      exposeHeaders: ["x-c", "x-d"],
      maxAge: 60,
      allowCredentials: true,
    }),
    [{
      kind: "CORS",
      allowOrigins: "https://a.test https://*.b.test",
      allowMethods: "GET, POST",
      allowHeaders: "x-a, x-b",
      exposeHeaders: "x-c, x-d",
      maxAge: 60,
      allowCredentials: true,
    }],
  );
});

Deno.test("routeFilters() mirrors a fraction or a percent of requests, all of them by default", () => {
  const share = (m: Record<string, unknown>) => {
    const [f] = routeFilters([{
      type: "RequestMirror",
      requestMirror: { backendRef: { name: "a", port: 80 }, ...m },
    }], scope([]))!;
    return f.kind === "RequestMirror" ? [f.numerator, f.denominator, f.label] : f.kind;
  };
  assertEquals(share({}), [100, 100, "web/a:80"]);
  assertEquals(share({ percent: 5 }), [5, 100, "web/a:80"]);
  assertEquals(share({ fraction: { numerator: 1 } }), [1, 100, "web/a:80"]);
  assertEquals(share({ fraction: { numerator: 1, denominator: 3 } }), [1, 3, "web/a:80"]);
});

Deno.test("routeFilters() reads a filter by its type, whatever other members it carries", () => {
  const stray = {
    requestRedirect: { hostname: "redirect.test" },
    urlRewrite: { hostname: "rewrite.test" },
    requestMirror: { backendRef: { name: "audit", port: 80 } },
    cors: { allowOrigins: ["*"] },
  };
  const kinds = (type: string) => routeFilters([{ type, ...stray }] as never, scope([]))?.map((f) => f.kind);
  assertEquals(kinds("URLRewrite"), ["URLRewrite"]);
  assertEquals(kinds("RequestMirror"), ["RequestMirror"]);
  assertEquals(kinds("CORS"), ["CORS"]);
  assertEquals(kinds("RequestRedirect"), ["RequestRedirect"]);
  assertEquals(kinds("ExtensionRef"), undefined);
});
