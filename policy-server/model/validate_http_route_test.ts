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

// Whole error lists: what the API server answers for one document, every problem in document order.

/** validateHttpRoute's errors for a route with `spec`, as `field reason: message`. */
function errorList(spec: unknown): string[] {
  const route = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "r", namespace: "ns" },
    spec,
  };
  return validateHttpRoute(route).map((e) => `${e.field} ${e.reason}: ${e.message}`);
}

Deno.test("validateHttpRoute lists every parentRef and hostname problem in document order, the schema's wording where it has one", () => {
  assertEquals(
    errorList({
      parentRefs: [
        {
          group: "Bad_Group",
          kind: "1kind",
          namespace: "Bad NS",
          name: "",
          sectionName: "Bad_Section",
          port: 0,
        },
        { name: "gw" },
        { name: "gw", port: 80 },
        { name: "gw", port: 80 },
        "x",
      ],
      hostnames: ["Bad_Host", 3],
    }),
    [
      'spec.parentRefs[4] FieldValueTypeInvalid: Invalid value: "string": spec.parentRefs[4] in body must be of type object: "string"',
      "spec.parentRefs[0].group FieldValueInvalid: Invalid value: \"Bad_Group\": spec.parentRefs[0].group in body should match '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      "spec.parentRefs[0].kind FieldValueInvalid: Invalid value: \"1kind\": spec.parentRefs[0].kind in body should match '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'",
      "spec.parentRefs[0].namespace FieldValueInvalid: Invalid value: \"Bad NS\": spec.parentRefs[0].namespace in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'",
      'spec.parentRefs[0].name FieldValueInvalid: Invalid value: "": spec.parentRefs[0].name in body should be at least 1 chars long',
      "spec.parentRefs[0].sectionName FieldValueInvalid: Invalid value: \"Bad_Section\": spec.parentRefs[0].sectionName in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      "spec.parentRefs[0].port FieldValueInvalid: Invalid value: 0: spec.parentRefs[0].port in body should be greater than or equal to 1",
      'spec.parentRefs FieldValueInvalid: Invalid value: "array": sectionName or port must be specified when parentRefs includes 2 or more references to the same parent',
      'spec.parentRefs FieldValueInvalid: Invalid value: "array": sectionName or port must be unique when parentRefs includes 2 or more references to the same parent',
      "spec.hostnames[0] FieldValueInvalid: Invalid value: \"Bad_Host\": spec.hostnames[0] in body should match '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      'spec.hostnames[1] FieldValueTypeInvalid: Invalid value: "integer": spec.hostnames[1] in body must be of type string: "integer"',
    ],
  );
});

Deno.test("validateHttpRoute lists every match problem in document order: paths, headers, query parameters, methods", () => {
  assertEquals(
    errorList({
      parentRefs: [{ name: "gw" }],
      rules: [{
        name: "Bad_Rule",
        matches: [
          {
            path: { type: "Exact", value: "no-slash" },
            headers: [{ name: "bad header", value: "v" }, { name: "x", type: "Bogus", value: "a" }, {
              name: "z",
            }, { name: "x", value: "b" }],
            queryParams: [{ name: "q", type: "Bogus", value: "x" }, { name: "r" }, {
              name: "s",
              type: "RegularExpression",
              value: "(",
            }, { name: "q", value: "y" }],
            method: "FETCH",
          },
          { path: { type: "RegularExpression", value: "(" } },
          { path: { type: "PathPrefix", value: "" } },
          { path: { type: "Bogus", value: "/a" } },
        ],
      }],
    }),
    [
      "spec.rules[0].name FieldValueInvalid: Invalid value: \"Bad_Rule\": spec.rules[0].name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      "spec.rules[0].matches[0].path FieldValueInvalid: Invalid value: \"object\": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
      "spec.rules[0].matches[0].headers[0].name FieldValueInvalid: Invalid value: \"bad header\": spec.rules[0].matches[0].headers[0].name in body should match '^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$'",
      'spec.rules[0].matches[0].headers[1].type FieldValueNotSupported: Unsupported value: "Bogus": supported values: "Exact", "RegularExpression"',
      "spec.rules[0].matches[0].headers[2].value FieldValueRequired: Required value",
      'spec.rules[0].matches[0].headers[3] FieldValueDuplicate: Duplicate value: map[string]interface {}{"name":"x"}',
      'spec.rules[0].matches[0].queryParams[0].type FieldValueNotSupported: Unsupported value: "Bogus": supported values: "Exact", "RegularExpression"',
      "spec.rules[0].matches[0].queryParams[1].value FieldValueRequired: Required value",
      'spec.rules[0].matches[0].queryParams[2].value FieldValueInvalid: Invalid value: "(": not a regular expression wasmroute can run: Missing ) at 1',
      'spec.rules[0].matches[0].queryParams[3] FieldValueDuplicate: Duplicate value: map[string]interface {}{"name":"q"}',
      'spec.rules[0].matches[0].method FieldValueNotSupported: Unsupported value: "FETCH": supported values: "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"',
      'spec.rules[0].matches[1].path.value FieldValueInvalid: Invalid value: "(": not a regular expression wasmroute can run: Missing ) at 1',
      'spec.rules[0].matches[2].path.value FieldValueInvalid: Invalid value: "": must be at least 1 characters',
      "spec.rules[0].matches[2].path FieldValueInvalid: Invalid value: \"object\": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
      "spec.rules[0].matches[2].path FieldValueInvalid: Invalid value: \"object\": must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']",
      'spec.rules[0].matches[3].path.type FieldValueNotSupported: Unsupported value: "Bogus": supported values: "Exact", "PathPrefix", "RegularExpression"',
    ],
  );
});

Deno.test("validateHttpRoute checks timeouts against each other and retry codes one by one and for repeats", () => {
  assertEquals(
    errorList({
      parentRefs: [{ name: "gw" }],
      rules: [
        {
          timeouts: { request: "1x", backendRequest: "10s" },
          retry: { codes: [399, 600, 500, 500, "x"], attempts: -1, backoff: "bad" },
        },
        { timeouts: { request: "10s", backendRequest: "11s" } },
        { timeouts: { request: "10s", backendRequest: "10s" } },
        { timeouts: { request: "0s", backendRequest: "11s" } },
        { timeouts: { backendRequest: "11s" }, retry: { attempts: 2, backoff: "1s", codes: [500, 503] } },
      ],
    }),
    [
      "spec.rules[0].timeouts.request FieldValueInvalid: Invalid value: \"1x\": spec.rules[0].timeouts.request in body should match '^([0-9]{1,5}(h|m|s|ms)){1,4}$'",
      "spec.rules[0].retry.codes[0] FieldValueInvalid: Invalid value: 399: spec.rules[0].retry.codes[0] in body should be greater than or equal to 400",
      "spec.rules[0].retry.codes[1] FieldValueInvalid: Invalid value: 600: spec.rules[0].retry.codes[1] in body should be less than or equal to 599",
      'spec.rules[0].retry.codes[4] FieldValueTypeInvalid: Invalid value: "string": spec.rules[0].retry.codes[4] in body must be of type integer: "string"',
      'spec.rules[0].retry.codes[3] FieldValueDuplicate: Duplicate value: "500"',
      "spec.rules[0].retry.backoff FieldValueInvalid: Invalid value: \"bad\": spec.rules[0].retry.backoff in body should match '^([0-9]{1,5}(h|m|s|ms)){1,4}$'",
      'spec.rules[1].timeouts FieldValueInvalid: Invalid value: "object": backendRequest timeout cannot be longer than request timeout',
    ],
  );
});

Deno.test("validateHttpRoute checks header modifiers and each filter's type against the member it carries", () => {
  assertEquals(
    errorList({
      parentRefs: [{ name: "gw" }],
      rules: [{
        filters: [
          {
            type: "RequestHeaderModifier",
            requestHeaderModifier: {
              set: [{ name: "bad name", value: "v" }, { name: "x" }, { name: "X", value: "a\nb" }],
              add: [{ name: "a", value: "1" }, { name: "a", value: "2" }],
              remove: ["x", "X", 3],
            },
          },
          { type: "RequestHeaderModifier", requestHeaderModifier: {} },
          { type: "ResponseHeaderModifier", requestHeaderModifier: {} },
          { type: "Bogus" },
          {},
        ],
      }],
    }),
    [
      "spec.rules[0].filters[0].requestHeaderModifier.set[0].name FieldValueInvalid: Invalid value: \"bad name\": spec.rules[0].filters[0].requestHeaderModifier.set[0].name in body should match '^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$'",
      "spec.rules[0].filters[0].requestHeaderModifier.set[1].value FieldValueRequired: Required value",
      'spec.rules[0].filters[0].requestHeaderModifier.set[2].value FieldValueInvalid: Invalid value: "a\\nb": must be a header value without CR, LF or NUL characters',
      'spec.rules[0].filters[0].requestHeaderModifier.add[1] FieldValueDuplicate: Duplicate value: map[string]interface {}{"name":"a"}',
      'spec.rules[0].filters[0].requestHeaderModifier.remove[2] FieldValueTypeInvalid: Invalid value: "integer": spec.rules[0].filters[0].requestHeaderModifier.remove[2] in body must be of type string: "integer"',
      'spec.rules[0].filters[2] FieldValueInvalid: Invalid value: "object": filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier',
      'spec.rules[0].filters[2] FieldValueInvalid: Invalid value: "object": filter.responseHeaderModifier must be specified for ResponseHeaderModifier filter.type',
      'spec.rules[0].filters[3].type FieldValueNotSupported: Unsupported value: "Bogus": supported values: "RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "RequestRedirect", "URLRewrite", "ExtensionRef", "CORS"',
      "spec.rules[0].filters[4].type FieldValueRequired: Required value",
      'spec.rules[0].filters FieldValueInvalid: Invalid value: "array": RequestHeaderModifier filter cannot be repeated',
    ],
  );
});

Deno.test("validateHttpRoute checks redirects and rewrites, their path modifiers and the CEL rules between them", () => {
  assertEquals(
    errorList({
      parentRefs: [{ name: "gw" }],
      rules: [
        {
          matches: [{ path: { type: "Exact", value: "/a" } }],
          filters: [
            {
              type: "RequestRedirect",
              requestRedirect: {
                scheme: "ftp",
                hostname: "*.wild.example",
                port: 0,
                statusCode: 304,
                path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/b" },
              },
            },
            { type: "URLRewrite", urlRewrite: { hostname: "Bad_Host", path: { type: "ReplaceFullPath" } } },
          ],
        },
        {
          matches: [{ path: { type: "PathPrefix", value: "/a" } }],
          filters: [
            { type: "URLRewrite", urlRewrite: { path: { replaceFullPath: "/x" } } },
            {
              type: "URLRewrite",
              urlRewrite: { path: { type: "ReplaceFullPath", replacePrefixMatch: "/x" } },
            },
          ],
        },
        {
          matches: [{ path: { type: "PathPrefix", value: "/a" } }],
          filters: [{ type: "RequestRedirect", requestRedirect: { statusCode: "301" } }, {
            type: "RequestRedirect",
            requestRedirect: {},
          }],
        },
        {
          matches: [{ path: { type: "PathPrefix", value: "/a" } }],
          filters: [{
            type: "RequestRedirect",
            requestRedirect: {
              statusCode: 308,
              port: 8443,
              scheme: "https",
              hostname: "a.example",
              path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/b" },
            },
          }],
        },
      ],
    }),
    [
      'spec.rules[0].filters[0].requestRedirect.scheme FieldValueNotSupported: Unsupported value: "ftp": supported values: "http", "https"',
      "spec.rules[0].filters[0].requestRedirect.hostname FieldValueInvalid: Invalid value: \"*.wild.example\": spec.rules[0].filters[0].requestRedirect.hostname in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      "spec.rules[0].filters[0].requestRedirect.port FieldValueInvalid: Invalid value: 0: spec.rules[0].filters[0].requestRedirect.port in body should be greater than or equal to 1",
      'spec.rules[0].filters[0].requestRedirect.statusCode FieldValueNotSupported: Unsupported value: 304: supported values: "301", "302", "303", "307", "308"',
      "spec.rules[0].filters[1].urlRewrite.hostname FieldValueInvalid: Invalid value: \"Bad_Host\": spec.rules[0].filters[1].urlRewrite.hostname in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      "spec.rules[0].filters[1].urlRewrite.path FieldValueInvalid: Invalid value: \"object\": replaceFullPath must be specified when type is set to 'ReplaceFullPath'",
      'spec.rules[0].filters FieldValueInvalid: Invalid value: "array": May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
      'spec.rules[0] FieldValueInvalid: Invalid value: "object": When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
      "spec.rules[1].filters[0].urlRewrite.path.type FieldValueRequired: Required value",
      "spec.rules[1].filters[1].urlRewrite.path FieldValueInvalid: Invalid value: \"object\": replaceFullPath must be specified when type is set to 'ReplaceFullPath'",
      "spec.rules[1].filters[1].urlRewrite.path FieldValueInvalid: Invalid value: \"object\": type must be 'ReplacePrefixMatch' when replacePrefixMatch is set",
      'spec.rules[1].filters FieldValueInvalid: Invalid value: "array": URLRewrite filter cannot be repeated',
      'spec.rules[2].filters[0].requestRedirect.statusCode FieldValueTypeInvalid: Invalid value: "string": spec.rules[2].filters[0].requestRedirect.statusCode in body must be of type integer: "string"',
      'spec.rules[2].filters FieldValueInvalid: Invalid value: "array": RequestRedirect filter cannot be repeated',
    ],
  );
});

Deno.test("validateHttpRoute checks mirrors' references and shares, and CORS lists with their wildcards", () => {
  assertEquals(
    errorList({
      parentRefs: [{ name: "gw" }],
      rules: [{
        filters: [
          {
            type: "RequestMirror",
            requestMirror: {
              backendRef: { name: "" },
              percent: 101,
              fraction: { numerator: 3, denominator: 2 },
            },
          },
          {
            type: "RequestMirror",
            requestMirror: { backendRef: { name: "m", port: 80 }, fraction: { denominator: 0 } },
          },
          { type: "RequestMirror", requestMirror: {} },
          {
            type: "RequestMirror",
            requestMirror: {
              backendRef: { name: "m", port: 80 },
              fraction: { numerator: 2, denominator: 2 },
            },
          },
          {
            type: "CORS",
            cors: {
              allowOrigins: ["*", "https://a.example", "ftp://x"],
              allowMethods: ["GET", "*"],
              allowHeaders: ["*", "x"],
              exposeHeaders: ["bad header"],
              maxAge: 0,
              allowCredentials: "yes",
            },
          },
        ],
      }],
    }),
    [
      'spec.rules[0].filters[0].requestMirror.backendRef.name FieldValueInvalid: Invalid value: "": spec.rules[0].filters[0].requestMirror.backendRef.name in body should be at least 1 chars long',
      'spec.rules[0].filters[0].requestMirror.backendRef FieldValueInvalid: Invalid value: "object": Must have port for Service reference',
      "spec.rules[0].filters[0].requestMirror.percent FieldValueInvalid: Invalid value: 101: spec.rules[0].filters[0].requestMirror.percent in body should be less than or equal to 100",
      'spec.rules[0].filters[0].requestMirror.fraction FieldValueInvalid: Invalid value: "object": numerator must be less than or equal to denominator',
      'spec.rules[0].filters[0].requestMirror FieldValueInvalid: Invalid value: "object": Only one of percent or fraction may be specified in HTTPRequestMirrorFilter',
      "spec.rules[0].filters[1].requestMirror.fraction.numerator FieldValueRequired: Required value",
      "spec.rules[0].filters[1].requestMirror.fraction.denominator FieldValueInvalid: Invalid value: 0: spec.rules[0].filters[1].requestMirror.fraction.denominator in body should be greater than or equal to 1",
      "spec.rules[0].filters[2].requestMirror.backendRef FieldValueRequired: Required value",
      "spec.rules[0].filters[4].cors.allowOrigins[2] FieldValueInvalid: Invalid value: \"ftp://x\": spec.rules[0].filters[4].cors.allowOrigins[2] in body should match '(^\\*$)|(^(http(s)?):\\/\\/(((\\*\\.)?([a-zA-Z0-9\\-]+\\.)*[a-zA-Z0-9-]+|\\*)(:([0-9]{1,5}))?)$)'",
      "spec.rules[0].filters[4].cors.allowOrigins FieldValueInvalid: Invalid value: \"array\": AllowOrigins cannot contain '*' alongside other origins",
      "spec.rules[0].filters[4].cors.allowMethods FieldValueInvalid: Invalid value: \"array\": AllowMethods cannot contain '*' alongside other methods",
      "spec.rules[0].filters[4].cors.allowHeaders FieldValueInvalid: Invalid value: \"array\": AllowHeaders cannot contain '*' alongside other methods",
      "spec.rules[0].filters[4].cors.exposeHeaders[0] FieldValueInvalid: Invalid value: \"bad header\": spec.rules[0].filters[4].cors.exposeHeaders[0] in body should match '^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$'",
      "spec.rules[0].filters[4].cors.maxAge FieldValueInvalid: Invalid value: 0: spec.rules[0].filters[4].cors.maxAge in body should be greater than or equal to 1",
      'spec.rules[0].filters[4].cors.allowCredentials FieldValueTypeInvalid: Invalid value: "string": spec.rules[0].filters[4].cors.allowCredentials in body must be of type boolean: "string"',
    ],
  );
});

Deno.test("validateHttpRoute checks each backendRef's fields and that a Service reference names a port", () => {
  assertEquals(
    errorList({
      parentRefs: [{ name: "gw" }],
      rules: [{
        backendRefs: [
          { group: "Bad_Group", kind: "1kind", name: "", namespace: "Bad NS", port: 0, weight: -1 },
          { name: "svc" },
          { group: "core", kind: "Service", name: "svc" },
          { group: "example.com", kind: "Thing", name: "t" },
          { group: "", kind: "Pod", name: "p" },
        ],
      }],
    }),
    [
      "spec.rules[0].backendRefs[0].group FieldValueInvalid: Invalid value: \"Bad_Group\": spec.rules[0].backendRefs[0].group in body should match '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      "spec.rules[0].backendRefs[0].kind FieldValueInvalid: Invalid value: \"1kind\": spec.rules[0].backendRefs[0].kind in body should match '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'",
      'spec.rules[0].backendRefs[0].name FieldValueInvalid: Invalid value: "": spec.rules[0].backendRefs[0].name in body should be at least 1 chars long',
      "spec.rules[0].backendRefs[0].namespace FieldValueInvalid: Invalid value: \"Bad NS\": spec.rules[0].backendRefs[0].namespace in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'",
      "spec.rules[0].backendRefs[0].port FieldValueInvalid: Invalid value: 0: spec.rules[0].backendRefs[0].port in body should be greater than or equal to 1",
      "spec.rules[0].backendRefs[0].weight FieldValueInvalid: Invalid value: -1: spec.rules[0].backendRefs[0].weight in body should be greater than or equal to 0",
      'spec.rules[0].backendRefs[1] FieldValueInvalid: Invalid value: "object": Must have port for Service reference',
      'spec.rules[0].backendRefs[2] FieldValueInvalid: Invalid value: "object": Must have port for Service reference',
    ],
  );
});
