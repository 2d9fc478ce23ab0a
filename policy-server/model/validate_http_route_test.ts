import { assertEquals } from "../../tests/assert.ts";
import type { CauseType } from "./resource_error.ts";
import { sampleRoute } from "./testing.ts";
import type { HTTPRoute } from "./types.ts";
import { validateHttpRoute } from "./validate_http_route.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

/** A sample route changed by `edit`, validated; returns `[field, reason]` pairs. */
function problems(edit: (route: Loose) => void): [string, CauseType][] {
  const route: Loose = sampleRoute();
  edit(route);
  return validateHttpRoute(route).map((e) => [e.field, e.reason]);
}

const many = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

Deno.test("validateHttpRoute accepts a valid route and a minimal one", () => {
  assertEquals(validateHttpRoute(sampleRoute()), []);
  const minimal: HTTPRoute = {
    apiVersion: "gateway.networking.k8s.io/v1beta1",
    kind: "HTTPRoute",
    metadata: { name: "a.b-c" } as HTTPRoute["metadata"],
    spec: { parentRefs: [{ name: "mesh-svc", kind: "Service", group: "", port: 80 }] },
  };
  assertEquals(validateHttpRoute(minimal), []);
});

const cases: [string, (r: Loose) => void, [string, CauseType][]][] = [
  ["apiVersion must be a Gateway API version", (r) => (r.apiVersion = "v1"), [[
    "apiVersion",
    "FieldValueNotSupported",
  ]]],
  ["metadata is required", (r) => delete r.metadata, [["metadata", "FieldValueRequired"]]],
  ["metadata.name is required", (r) => delete r.metadata.name, [["metadata.name", "FieldValueRequired"]]],
  ["metadata.name is a DNS-1123 subdomain", (r) => (r.metadata.name = "Web_1"), [[
    "metadata.name",
    "FieldValueInvalid",
  ]]],
  ["metadata.name is at most 253 characters", (r) => (r.metadata.name = "a".repeat(254)), [[
    "metadata.name",
    "FieldValueTooLong",
  ]]],
  ["metadata.namespace is a DNS-1123 label", (r) => (r.metadata.namespace = "a.b"), [[
    "metadata.namespace",
    "FieldValueInvalid",
  ]]],
  ["labels are strings", (r) => (r.metadata.labels = { app: 1 }), [[
    "metadata.labels.app",
    "FieldValueTypeInvalid",
  ]]],
  ["spec is required", (r) => delete r.spec, [["spec", "FieldValueRequired"]]],
  ["parentRefs are required", (r) => delete r.spec.parentRefs, [["spec.parentRefs", "FieldValueRequired"]]],
  ["parentRefs may not be empty", (r) => (r.spec.parentRefs = []), [[
    "spec.parentRefs",
    "FieldValueRequired",
  ]]],
  ["at most 32 parentRefs", (r) => (r.spec.parentRefs = many(33, (i) => ({ name: `gw${i}` }))), [[
    "spec.parentRefs",
    "FieldValueTooMany",
  ]]],
  ["a parentRef needs a name", (r) => delete r.spec.parentRefs[0].name, [[
    "spec.parentRefs[0].name",
    "FieldValueRequired",
  ]]],
  ["a parentRef is an object", (r) => (r.spec.parentRefs = ["gw"]), [[
    "spec.parentRefs[0]",
    "FieldValueTypeInvalid",
  ]]],
  ["a parentRef port is 1..65535", (r) => (r.spec.parentRefs[0].port = 0), [[
    "spec.parentRefs[0].port",
    "FieldValueInvalid",
  ]]],
  // CEL rules of spec.parentRefs, at the list.
  ["the same parent twice", (r) => r.spec.parentRefs.push({ ...r.spec.parentRefs[0] }), [[
    "spec.parentRefs",
    "FieldValueInvalid",
  ]]],
  [
    "the same parent with and without a sectionName",
    (r) => r.spec.parentRefs.push({ ...r.spec.parentRefs[0], sectionName: "http" }),
    [["spec.parentRefs", "FieldValueInvalid"]],
  ],
  [
    "the same parent on two sections",
    (r) => (r.spec.parentRefs = [{ ...r.spec.parentRefs[0], sectionName: "a" }, {
      ...r.spec.parentRefs[0],
      sectionName: "b",
    }]),
    [],
  ],
  ["hostnames are lowercase names", (r) => (r.spec.hostnames = ["Web.example.com"]), [[
    "spec.hostnames[0]",
    "FieldValueInvalid",
  ]]],
  ["rules are an array", (r) => (r.spec.rules = {}), [["spec.rules", "FieldValueTypeInvalid"]]],
  ["at most 16 rules", (r) => (r.spec.rules = many(17, () => ({}))), [["spec.rules", "FieldValueTooMany"]]],
  ["at most 64 matches per rule", (r) => (r.spec.rules[0].matches = many(65, () => ({}))), [[
    "spec.rules[0].matches",
    "FieldValueTooMany",
  ]]],
  [
    "at most 128 matches per route",
    (r) => (r.spec.rules = many(3, () => ({ matches: many(60, () => ({})) }))),
    [["spec.rules", "FieldValueInvalid"]],
  ],
  // Only the experimental channel's CRD refuses repeated rule names; the standard channel's does not.
  ["rule names may repeat (standard channel)", (r) => (r.spec.rules = [{ name: "a" }, { name: "a" }]), []],
  ["path type is an enum", (r) => (r.spec.rules[0].matches[0].path.type = "Prefix"), [[
    "spec.rules[0].matches[0].path.type",
    "FieldValueNotSupported",
  ]]],
  ["path value starts with /", (r) => (r.spec.rules[0].matches[0].path.value = "web"), [[
    "spec.rules[0].matches[0].path",
    "FieldValueInvalid",
  ]]],
  ["path value has no //", (r) => (r.spec.rules[0].matches[0].path.value = "/a//b"), [[
    "spec.rules[0].matches[0].path",
    "FieldValueInvalid",
  ]]],
  ["path value does not end in /..", (r) => (r.spec.rules[0].matches[0].path.value = "/a/.."), [[
    "spec.rules[0].matches[0].path",
    "FieldValueInvalid",
  ]]],
  [
    "regex paths need no leading /",
    (r) => (r.spec.rules[0].matches[0].path = { type: "RegularExpression", value: ".*\\.png" }),
    [],
  ],
  ["header names are RFC 7230 tokens", (r) => (r.spec.rules[0].matches[0].headers[0].name = "x canary"), [[
    "spec.rules[0].matches[0].headers[0].name",
    "FieldValueInvalid",
  ]]],
  ["header values are required", (r) => delete r.spec.rules[0].matches[0].headers[0].value, [[
    "spec.rules[0].matches[0].headers[0].value",
    "FieldValueRequired",
  ]]],
  [
    "header names are list-map keys: the same name twice is a duplicate",
    (r) => r.spec.rules[0].matches[0].headers.push({ name: "x-canary", value: "no" }),
    [["spec.rules[0].matches[0].headers[1]", "FieldValueDuplicate"]],
  ],
  [
    "header names differing only in case are distinct keys",
    (r) => r.spec.rules[0].matches[0].headers.push({ name: "X-Canary", value: "no" }),
    [],
  ],
  [
    "query parameter names differing only in case are distinct keys",
    (r) => (r.spec.rules[0].matches[0].queryParams = [{ name: "q", value: "1" }, { name: "Q", value: "2" }]),
    [],
  ],
  [
    "header modifier names are list-map keys, remove a list set",
    (r) => (r.spec.rules[0].filters = [{
      type: "RequestHeaderModifier",
      requestHeaderModifier: {
        set: [{ name: "a", value: "1" }, { name: "A", value: "2" }, { name: "a", value: "3" }],
        remove: ["b", "B", "b"],
      },
    }]),
    [
      ["spec.rules[0].filters[0].requestHeaderModifier.set[2]", "FieldValueDuplicate"],
      ["spec.rules[0].filters[0].requestHeaderModifier.remove[2]", "FieldValueDuplicate"],
    ],
  ],
  ["header match type is an enum", (r) => (r.spec.rules[0].matches[0].headers[0].type = "Prefix"), [[
    "spec.rules[0].matches[0].headers[0].type",
    "FieldValueNotSupported",
  ]]],
  [
    "query parameter names are tokens",
    (r) => (r.spec.rules[0].matches[0].queryParams = [{ name: "a b", value: "1" }]),
    [["spec.rules[0].matches[0].queryParams[0].name", "FieldValueInvalid"]],
  ],
  ["method is an enum", (r) => (r.spec.rules[0].matches[0].method = "get"), [[
    "spec.rules[0].matches[0].method",
    "FieldValueNotSupported",
  ]]],
  [
    "at most 16 backendRefs",
    (r) => (r.spec.rules[0].backendRefs = many(17, (i) => ({ name: `b${i}`, port: 80 }))),
    [["spec.rules[0].backendRefs", "FieldValueTooMany"]],
  ],
  ["a Service backendRef needs a port", (r) => delete r.spec.rules[0].backendRefs[1].port, [[
    "spec.rules[0].backendRefs[1]",
    "FieldValueInvalid",
  ]]],
  [
    "other backend kinds need no port",
    (r) => (r.spec.rules[0].backendRefs[1] = { group: "example.com", kind: "Bucket", name: "b" }),
    [],
  ],
  ["weight is at most 1000000", (r) => (r.spec.rules[0].backendRefs[0].weight = 1_000_001), [[
    "spec.rules[0].backendRefs[0].weight",
    "FieldValueInvalid",
  ]]],
  ["weight is not negative", (r) => (r.spec.rules[0].backendRefs[0].weight = -1), [[
    "spec.rules[0].backendRefs[0].weight",
    "FieldValueInvalid",
  ]]],
  ["weight is an integer", (r) => (r.spec.rules[0].backendRefs[0].weight = "10"), [[
    "spec.rules[0].backendRefs[0].weight",
    "FieldValueTypeInvalid",
  ]]],
  ["filter type is an enum", (r) => (r.spec.rules[0].filters[0].type = "AddHeader"), [[
    "spec.rules[0].filters[0].type",
    "FieldValueNotSupported",
  ]]],
  ["a filter carries its type's member", (r) => delete r.spec.rules[0].filters[0].requestHeaderModifier, [[
    "spec.rules[0].filters[0]",
    "FieldValueInvalid",
  ]]],
  ["and no other type's member", (r) => (r.spec.rules[0].filters[0].urlRewrite = {}), [[
    "spec.rules[0].filters[0]",
    "FieldValueInvalid",
  ]]],
  ["header modifiers cannot repeat", (r) => r.spec.rules[0].filters.push(r.spec.rules[0].filters[0]), [[
    "spec.rules[0].filters",
    "FieldValueInvalid",
  ]]],
  [
    "modified header names are tokens",
    (r) => (r.spec.rules[0].filters[0].requestHeaderModifier.remove = ["bad header"]),
    [["spec.rules[0].filters[0].requestHeaderModifier.remove[0]", "FieldValueInvalid"]],
  ],
  [
    "backendRef filters are validated too",
    (r) => (r.spec.rules[0].backendRefs[0].filters = [{ type: "Nope" }]),
    [["spec.rules[0].backendRefs[0].filters[0].type", "FieldValueNotSupported"]],
  ],
];

for (const [name, edit, expected] of cases) {
  Deno.test(`validateHttpRoute: ${name}`, () => assertEquals(problems(edit), expected));
}

Deno.test("validateHttpRoute reports every problem, each with its path", () => {
  const found = problems((r) => {
    r.metadata.name = "UPPER";
    r.spec.rules[0].matches[0].path.value = "relative";
    r.spec.rules[0].backendRefs[1].weight = 2_000_000;
  });
  assertEquals(found, [
    ["metadata.name", "FieldValueInvalid"],
    ["spec.rules[0].matches[0].path", "FieldValueInvalid"],
    ["spec.rules[0].backendRefs[1].weight", "FieldValueInvalid"],
  ]);
});

Deno.test("validateHttpRoute words messages as the API server's OpenAPI validation does", () => {
  const route: Loose = sampleRoute();
  route.spec.rules[0].matches[0].path.type = "Prefix";
  route.spec.rules[0].backendRefs[0].weight = -1;
  route.spec.rules[0].backendRefs[1].port = 99999;
  route.spec.hostnames = ["Web.Example.com"];
  route.spec.parentRefs[0].port = "80";
  assertEquals(validateHttpRoute(route).map((e) => `${e.field}: ${e.message}`), [
    'spec.parentRefs[0].port: Invalid value: "string": spec.parentRefs[0].port in body must be of type integer: "string"',
    'spec.hostnames[0]: Invalid value: "Web.Example.com": spec.hostnames[0] in body should match ' +
    "'^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
    'spec.rules[0].matches[0].path.type: Unsupported value: "Prefix": supported values: "Exact", "PathPrefix", "RegularExpression"',
    "spec.rules[0].backendRefs[0].weight: Invalid value: -1: spec.rules[0].backendRefs[0].weight in body should be greater than or equal to 0",
    "spec.rules[0].backendRefs[1].port: Invalid value: 99999: spec.rules[0].backendRefs[1].port in body should be less than or equal to 65535",
  ]);
});

/** A rule with only `filters` (no backendRefs) or with the given members. */
const rule = (r: Loose, members: Record<string, unknown>) => (r.spec.rules[0] = { ...members });
const redirect = (requestRedirect: unknown) => ({ type: "RequestRedirect", requestRedirect });
const rewrite = (urlRewrite: unknown) => ({ type: "URLRewrite", urlRewrite });
const prefix = (value: string) => ({ path: { type: "PathPrefix", value } });

const crdCases: [string, (r: Loose) => void, [string, CauseType][]][] = [
  // CEL rules of HTTPRouteRule
  [
    "RequestRedirect and backendRefs do not mix",
    (r) => r.spec.rules[0].filters.push(redirect({ statusCode: 301 })),
    [["spec.rules[0]", "FieldValueInvalid"]],
  ],
  [
    "RequestRedirect and URLRewrite do not mix",
    (r) => rule(r, { filters: [redirect({ scheme: "https" }), rewrite({ hostname: "a.example" })] }),
    [["spec.rules[0].filters", "FieldValueInvalid"]],
  ],
  [
    "a redirect's ReplacePrefixMatch needs exactly one PathPrefix match",
    (r) =>
      rule(r, {
        matches: [prefix("/a"), prefix("/b")],
        filters: [redirect({ path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/c" } })],
      }),
    [["spec.rules[0]", "FieldValueInvalid"]],
  ],
  [
    "a rewrite's ReplacePrefixMatch refuses an Exact match",
    (r) =>
      rule(r, {
        matches: [{ path: { type: "Exact", value: "/a" } }],
        filters: [rewrite({ path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/c" } })],
        backendRefs: [{ name: "b", port: 80 }],
      }),
    [["spec.rules[0]", "FieldValueInvalid"]],
  ],
  [
    "ReplacePrefixMatch with the default match is fine",
    (r) =>
      rule(r, {
        filters: [rewrite({ path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/c" } })],
        backendRefs: [{ name: "b", port: 80 }],
      }),
    [],
  ],
  [
    "ReplacePrefixMatch in a backendRef's filter needs one PathPrefix match too",
    (r) =>
      rule(r, {
        matches: [{ headers: [{ name: "a", value: "1" }] }, prefix("/b")],
        backendRefs: [{
          name: "b",
          port: 80,
          filters: [rewrite({ path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/c" } })],
        }],
      }),
    [["spec.rules[0]", "FieldValueInvalid"]],
  ],
  [
    "a path modifier's type names its member",
    (r) => rule(r, { filters: [redirect({ path: { type: "ReplaceFullPath", replacePrefixMatch: "/c" } })] }),
    [["spec.rules[0].filters[0].requestRedirect.path", "FieldValueInvalid"], [
      "spec.rules[0].filters[0].requestRedirect.path",
      "FieldValueInvalid",
    ]],
  ],
  ["redirect status codes are an enum", (r) => rule(r, { filters: [redirect({ statusCode: 304 })] }), [[
    "spec.rules[0].filters[0].requestRedirect.statusCode",
    "FieldValueNotSupported",
  ]]],
  ["redirect schemes are http or https", (r) => rule(r, { filters: [redirect({ scheme: "ftp" })] }), [[
    "spec.rules[0].filters[0].requestRedirect.scheme",
    "FieldValueNotSupported",
  ]]],
  [
    "a rewrite hostname has no wildcard",
    (r) => rule(r, { filters: [rewrite({ hostname: "*.example.com" })] }),
    [[
      "spec.rules[0].filters[0].urlRewrite.hostname",
      "FieldValueInvalid",
    ]],
  ],
  // timeouts and retry
  ["timeouts are Gateway API durations", (r) => (r.spec.rules[0].timeouts = { request: "1.5s" }), [[
    "spec.rules[0].timeouts.request",
    "FieldValueInvalid",
  ]]],
  [
    "backendRequest may not exceed request",
    (r) => (r.spec.rules[0].timeouts = { request: "1s", backendRequest: "1s500ms" }),
    [["spec.rules[0].timeouts", "FieldValueInvalid"]],
  ],
  [
    "backendRequest fits under a request of 0s (no timeout)",
    (r) => (r.spec.rules[0].timeouts = { request: "0s", backendRequest: "1h" }),
    [],
  ],
  ["more than four duration parts", (r) => (r.spec.rules[0].timeouts = { request: "1h1m1s1ms1ms" }), [[
    "spec.rules[0].timeouts.request",
    "FieldValueInvalid",
  ]]],
  ["retry codes are 400-599", (r) => (r.spec.rules[0].retry = { codes: [503, 399] }), [[
    "spec.rules[0].retry.codes[1]",
    "FieldValueInvalid",
  ]]],
  // matches
  ["paths contain only URL path characters", (r) => (r.spec.rules[0].matches[0].path.value = "/a b"), [[
    "spec.rules[0].matches[0].path",
    "FieldValueInvalid",
  ]]],
  [
    "a regex path compiles with wasmroute's engine",
    (r) => (r.spec.rules[0].matches[0].path = { type: "RegularExpression", value: "/(a" }),
    [["spec.rules[0].matches[0].path.value", "FieldValueInvalid"]],
  ],
  [
    "regex header values compile too",
    (r) => (r.spec.rules[0].matches[0].headers[0] = { type: "RegularExpression", name: "x", value: "(?=a)" }),
    [["spec.rules[0].matches[0].headers[0].value", "FieldValueInvalid"]],
  ],
  [
    "and regex query values",
    (
      r,
    ) => (r.spec.rules[0].matches[0].queryParams = [{
      type: "RegularExpression",
      name: "q",
      value: "a{2,1}",
    }]),
    [["spec.rules[0].matches[0].queryParams[0].value", "FieldValueInvalid"]],
  ],
  [
    "an Exact header value is not a regex",
    (r) => (r.spec.rules[0].matches[0].headers[0] = { name: "x", value: "(a" }),
    [],
  ],
  // mirror
  [
    "a mirror takes percent or fraction, not both",
    (r) =>
      r.spec.rules[0].filters.push({
        type: "RequestMirror",
        requestMirror: { backendRef: { name: "m", port: 80 }, percent: 10, fraction: { numerator: 1 } },
      }),
    [["spec.rules[0].filters[1].requestMirror", "FieldValueInvalid"]],
  ],
  [
    "a mirror fraction is at most 1",
    (r) =>
      r.spec.rules[0].filters.push({
        type: "RequestMirror",
        requestMirror: { backendRef: { name: "m", port: 80 }, fraction: { numerator: 3, denominator: 2 } },
      }),
    [["spec.rules[0].filters[1].requestMirror.fraction", "FieldValueInvalid"]],
  ],
  [
    "a mirror's Service needs a port",
    (r) =>
      r.spec.rules[0].filters.push({ type: "RequestMirror", requestMirror: { backendRef: { name: "m" } } }),
    [["spec.rules[0].filters[1].requestMirror.backendRef", "FieldValueInvalid"]],
  ],
  // CORS
  ["CORS is a filter type with its member", (r) => r.spec.rules[0].filters.push({ type: "CORS" }), [[
    "spec.rules[0].filters[1]",
    "FieldValueInvalid",
  ]]],
  [
    "CORS origins are origins",
    (r) =>
      r.spec.rules[0].filters.push({
        type: "CORS",
        cors: { allowOrigins: ["https://*.example.com", "example.com"] },
      }),
    [["spec.rules[0].filters[1].cors.allowOrigins[1]", "FieldValueInvalid"]],
  ],
  [
    "a '*' origin stands alone",
    (r) => r.spec.rules[0].filters.push({ type: "CORS", cors: { allowOrigins: ["*", "https://a.example"] } }),
    [["spec.rules[0].filters[1].cors.allowOrigins", "FieldValueInvalid"]],
  ],
  [
    "CORS methods are an enum with '*', and a set",
    (r) => r.spec.rules[0].filters.push({ type: "CORS", cors: { allowMethods: ["GET", "get", "GET"] } }),
    [
      ["spec.rules[0].filters[1].cors.allowMethods[1]", "FieldValueNotSupported"],
      ["spec.rules[0].filters[1].cors.allowMethods[2]", "FieldValueDuplicate"],
    ],
  ],
  ["CORS maxAge is at least 1", (r) => r.spec.rules[0].filters.push({ type: "CORS", cors: { maxAge: 0 } }), [[
    "spec.rules[0].filters[1].cors.maxAge",
    "FieldValueInvalid",
  ]]],
  [
    "CORS cannot repeat",
    (r) => r.spec.rules[0].filters.push({ type: "CORS", cors: {} }, { type: "CORS", cors: {} }),
    [[
      "spec.rules[0].filters",
      "FieldValueInvalid",
    ]],
  ],
  // what only the CRD's OpenAPI schema says
  [
    "the schema pass: an extensionRef needs a kind",
    (r) =>
      r.spec.rules[0].filters.push({
        type: "ExtensionRef",
        extensionRef: { group: "example.com", name: "x" },
      }),
    [["spec.rules[0].filters[1].extensionRef.kind", "FieldValueRequired"]],
  ],
  [
    "the schema pass: CORS allowCredentials is a boolean",
    (r) => r.spec.rules[0].filters.push({ type: "CORS", cors: { allowCredentials: "yes" } }),
    [["spec.rules[0].filters[1].cors.allowCredentials", "FieldValueTypeInvalid"]],
  ],
];

for (const [name, edit, expected] of crdCases) {
  Deno.test(`validateHttpRoute (CRD parity): ${name}`, () => assertEquals(problems(edit), expected));
}

Deno.test("validateHttpRoute words CEL failures as the API server does, and regex errors with their position", () => {
  const route: Loose = sampleRoute();
  route.spec.rules[0].filters.push(redirect({ statusCode: 301 }));
  route.spec.rules[0].timeouts = { request: "1s", backendRequest: "2s" };
  route.spec.rules[0].matches[0].path = { type: "RegularExpression", value: "/a(b" };
  assertEquals(validateHttpRoute(route).map((e) => `${e.field}: ${e.message}`), [
    'spec.rules[0].matches[0].path.value: Invalid value: "/a(b": not a regular expression wasmroute can run: Missing ) at 4',
    'spec.rules[0].timeouts: Invalid value: "object": backendRequest timeout cannot be longer than request timeout',
    'spec.rules[0]: Invalid value: "object": RequestRedirect filter must not be used together with backendRefs',
  ]);
});

Deno.test("durationMs reads every GEP-2257 unit", async () => {
  const { durationMs } = await import("./validate_http_route.ts");
  assertEquals([durationMs("1h"), durationMs("1m30s"), durationMs("250ms"), durationMs("1h2m3s4ms")], [
    3_600_000,
    90_000,
    250,
    3_723_004,
  ]);
});

Deno.test("validateHttpRoute words list-map duplicates and the match budget as the API server does", () => {
  const route: Loose = sampleRoute();
  route.spec.rules[0].matches[0].headers.push({ name: "x-canary", value: "no" });
  route.spec.rules.push(
    ...Array.from({ length: 3 }, () => ({ matches: Array.from({ length: 43 }, () => ({})) })),
  );
  assertEquals(validateHttpRoute(route).map((e) => `${e.field}: ${e.message}`), [
    'spec.rules[0].matches[0].headers[1]: Duplicate value: map[string]interface {}{"name":"x-canary"}',
    'spec.rules: Invalid value: "array": While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128',
  ]);
});

Deno.test("validateHttpRoute refuses CR, LF and NUL in the header values a filter sets or adds", () => {
  for (const value of ["a\r\nX-Injected: 1", "a\nb", "a\0b"]) {
    assertEquals(
      problems((r) =>
        r.spec.rules[0].filters = [{
          type: "RequestHeaderModifier",
          requestHeaderModifier: { set: [{ name: "x-a", value }], add: [{ name: "x-b", value }] },
        }]
      ),
      [
        ["spec.rules[0].filters[0].requestHeaderModifier.set[0].value", "FieldValueInvalid"],
        ["spec.rules[0].filters[0].requestHeaderModifier.add[0].value", "FieldValueInvalid"],
      ],
      JSON.stringify(value),
    );
  }
});

Deno.test("validateHttpRoute refuses dot segments, encoded slashes and fragments in path match values", async (t) => {
  for (const type of ["Exact", "PathPrefix"]) {
    for (const bad of ["/./", "/../", "%2f", "%2F", "#"]) {
      await t.step(`${type} ${bad}`, () => {
        const value = `/a${bad}b`;
        const route: Loose = sampleRoute();
        route.spec.rules[0].matches[0].path = { type, value };
        const messages = validateHttpRoute(route).map((e) => `${e.field}: ${e.message}`);
        // The CRD's CEL message, at the path match; '#' also fails the rule on path characters.
        assertEquals(
          messages[0],
          `spec.rules[0].matches[0].path: Invalid value: "object": must not contain '${bad}' when type one of ['Exact', 'PathPrefix']`,
        );
        assertEquals(messages.length, bad === "#" ? 2 : 1, messages.join("\n"));
      });
    }
  }
  await t.step("dots and percent signs that are not those forms are accepted", () => {
    for (const value of ["/a.b/..c/d.", "/a/.well-known", "/a%20b", "/x%2e"]) {
      const route: Loose = sampleRoute();
      route.spec.rules[0].matches[0].path = { type: "PathPrefix", value };
      assertEquals(validateHttpRoute(route), [], value);
    }
  });
});

Deno.test("validateHttpRoute words CEL failures with the CRD's messages at the node that carries the rule", () => {
  const route: Loose = sampleRoute();
  route.spec.parentRefs.push({ ...route.spec.parentRefs[0] });
  route.spec.rules[0].matches[0].path.value = "/a//b";
  delete route.spec.rules[0].filters[0].requestHeaderModifier;
  delete route.spec.rules[0].backendRefs[1].port;
  assertEquals(validateHttpRoute(route).map((e) => `${e.field}: ${e.message}`), [
    `spec.parentRefs: Invalid value: "array": sectionName or port must be unique when parentRefs includes 2 or more references to the same parent`,
    `spec.rules[0].matches[0].path: Invalid value: "object": must not contain '//' when type one of ['Exact', 'PathPrefix']`,
    `spec.rules[0].filters[0]: Invalid value: "object": filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type`,
    `spec.rules[0].backendRefs[1]: Invalid value: "object": Must have port for Service reference`,
  ]);
});
