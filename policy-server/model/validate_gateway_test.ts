import { assertEquals } from "../../tests/assert.ts";
import type { CauseType } from "./resource_error.ts";
import { sampleGateway } from "./testing.ts";
import type { Gateway } from "./types.ts";
import { gatewayWarnings, validateGateway } from "./validate_gateway.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

/** The sample Gateway changed by `edit`, validated; returns `[field, reason]` pairs. */
function problems(edit: (gateway: Loose) => void): [string, CauseType][] {
  const gateway: Loose = sampleGateway();
  edit(gateway);
  return validateGateway(gateway).map((e) => [e.field, e.reason]);
}

const many = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
const listener = (i: number) => ({ name: `l${i}`, port: 8000 + i, protocol: "HTTP" });

Deno.test("validateGateway accepts a valid Gateway and a minimal one", () => {
  assertEquals(validateGateway(sampleGateway()), []);
  const minimal = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "gw" },
    spec: { gatewayClassName: "istio", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
  };
  assertEquals(validateGateway(minimal), []);
});

const cases: [string, (g: Loose) => void, [string, CauseType][]][] = [
  ["apiVersion is v1", (g) => (g.apiVersion = "gateway.networking.k8s.io/v1alpha2"), [[
    "apiVersion",
    "FieldValueNotSupported",
  ]]],
  ["metadata.name is a DNS-1123 subdomain", (g) => (g.metadata.name = "Gw"), [[
    "metadata.name",
    "FieldValueInvalid",
  ]]],
  ["spec is required", (g) => delete g.spec, [["spec", "FieldValueRequired"]]],
  ["gatewayClassName is required", (g) => delete g.spec.gatewayClassName, [[
    "spec.gatewayClassName",
    "FieldValueRequired",
  ]]],
  ["listeners are required", (g) => delete g.spec.listeners, [["spec.listeners", "FieldValueRequired"]]],
  ["at least one listener", (g) => (g.spec.listeners = []), [["spec.listeners", "FieldValueInvalid"]]],
  ["at most 64 listeners", (g) => (g.spec.listeners = many(65, listener)), [[
    "spec.listeners",
    "FieldValueTooMany",
  ]]],
  ["64 listeners are fine", (g) => (g.spec.listeners = many(64, listener)), []],
  ["a listener is an object", (g) => (g.spec.listeners = ["http"]), [[
    "spec.listeners[0]",
    "FieldValueTypeInvalid",
  ]]],
  // CEL rules of spec.listeners are reported at the list, as the API server reports them.
  ["listener names are unique", (g) => (g.spec.listeners[1].name = "http"), [[
    "spec.listeners",
    "FieldValueInvalid",
  ]]],
  ["a listener needs a name", (g) => delete g.spec.listeners[0].name, [[
    "spec.listeners[0].name",
    "FieldValueRequired",
  ]]],
  ["listener names are DNS-1123 subdomains", (g) => (g.spec.listeners[0].name = "HTTP_80"), [[
    "spec.listeners[0].name",
    "FieldValueInvalid",
  ]]],
  ["a listener needs a port", (g) => delete g.spec.listeners[0].port, [[
    "spec.listeners[0].port",
    "FieldValueRequired",
  ]]],
  ["port is at least 1", (g) => (g.spec.listeners[0].port = 0), [[
    "spec.listeners[0].port",
    "FieldValueInvalid",
  ]]],
  ["port is at most 65535", (g) => (g.spec.listeners[0].port = 65536), [[
    "spec.listeners[0].port",
    "FieldValueInvalid",
  ]]],
  ["port is an integer", (g) => (g.spec.listeners[0].port = "80"), [[
    "spec.listeners[0].port",
    "FieldValueTypeInvalid",
  ]]],
  ["a listener needs a protocol", (g) => delete g.spec.listeners[0].protocol, [[
    "spec.listeners[0].protocol",
    "FieldValueRequired",
  ]]],
  // ProtocolType is a pattern, not an enum: implementation-specific protocols are valid (and warned about).
  ["other protocols are valid", (g) => (g.spec.listeners[0].protocol = "GRPC"), []],
  ["a domain-prefixed protocol is valid", (g) => (g.spec.listeners[0].protocol = "example.com/quic"), []],
  ["protocol follows the CRD's pattern", (g) => (g.spec.listeners[0].protocol = "no such/thing!"), [[
    "spec.listeners[0].protocol",
    "FieldValueInvalid",
  ]]],
  ["TCP, UDP and TLS listeners are accepted", (g) =>
    g.spec.listeners.push(
      { name: "tcp", port: 9000, protocol: "TCP" },
      { name: "udp", port: 9000, protocol: "UDP" },
      { name: "tls", port: 8443, protocol: "TLS", hostname: "db.example.com", tls: { mode: "Passthrough" } },
    ), []],
  ["hostnames are lowercase", (g) => (g.spec.listeners[1].hostname = "Web.example.com"), [[
    "spec.listeners[1].hostname",
    "FieldValueInvalid",
  ]]],
  ["a wildcard is a whole first label", (g) => (g.spec.listeners[1].hostname = "*example.com"), [[
    "spec.listeners[1].hostname",
    "FieldValueInvalid",
  ]]],
  ["a wildcard only leads", (g) => (g.spec.listeners[1].hostname = "web.*.com"), [[
    "spec.listeners[1].hostname",
    "FieldValueInvalid",
  ]]],
  // The CRD's hostname pattern lets an IP address through: a warning, not a refusal.
  ["an IP address hostname is valid", (g) => (g.spec.listeners[0].hostname = "10.0.0.1"), []],
  ["hostnames have no port", (g) => (g.spec.listeners[0].hostname = "web.example.com:80"), [[
    "spec.listeners[0].hostname",
    "FieldValueInvalid",
  ]]],
  [
    "TCP listeners have no hostname",
    (g) => g.spec.listeners.push({ name: "tcp", port: 9000, protocol: "TCP", hostname: "db.example.com" }),
    [[
      "spec.listeners",
      "FieldValueInvalid",
    ]],
  ],
  ["HTTP listeners have no tls", (g) => (g.spec.listeners[0].tls = { mode: "Terminate" }), [[
    "spec.listeners",
    "FieldValueInvalid",
  ]]],
  ["HTTPS listeners terminate", (g) => (g.spec.listeners[1].tls.mode = "Passthrough"), [[
    "spec.listeners",
    "FieldValueInvalid",
  ]]],
  [
    "port, protocol and hostname are unique together",
    (g) => g.spec.listeners.push({ name: "http-again", port: 80, protocol: "HTTP" }),
    [[
      "spec.listeners",
      "FieldValueInvalid",
    ]],
  ],
  [
    "the same port with another hostname is fine",
    (g) =>
      g.spec.listeners.push({ name: "http-web", port: 80, protocol: "HTTP", hostname: "web.example.com" }),
    [],
  ],
  [
    "allowedRoutes.namespaces.from is an enum",
    (g) => (g.spec.listeners[0].allowedRoutes.namespaces.from = "Any"),
    [[
      "spec.listeners[0].allowedRoutes.namespaces.from",
      "FieldValueNotSupported",
    ]],
  ],
  [
    "selector labels are strings",
    (g) => (g.spec.listeners[1].allowedRoutes.namespaces.selector.matchLabels.gateway = true),
    [["spec.listeners[1].allowedRoutes.namespaces.selector.matchLabels.gateway", "FieldValueTypeInvalid"]],
  ],
  [
    "selector operators are not judged (the CRD takes any; a warning says it selects nothing)",
    (
      g,
    ) => (g.spec.listeners[1].allowedRoutes.namespaces.selector.matchExpressions = [{
      key: "a",
      operator: "Is",
    }]),
    [],
  ],
  [
    "In without values is valid (and selects nothing)",
    (
      g,
    ) => (g.spec.listeners[1].allowedRoutes.namespaces.selector.matchExpressions = [{
      key: "a",
      operator: "In",
    }]),
    [],
  ],
  [
    "Exists with values is valid (and selects nothing)",
    (g) => (g.spec.listeners[1].allowedRoutes.namespaces.selector.matchExpressions = [{
      key: "a",
      operator: "Exists",
      values: ["x"],
    }]),
    [],
  ],
  [
    "a full selector",
    (g) => (g.spec.listeners[1].allowedRoutes.namespaces.selector.matchExpressions = [
      { key: "env", operator: "In", values: ["prod", ""] },
      { key: "legacy", operator: "DoesNotExist" },
    ]),
    [],
  ],
  [
    "at most 8 allowed kinds",
    (g) => (g.spec.listeners[1].allowedRoutes.kinds = many(9, () => ({ kind: "HTTPRoute" }))),
    [[
      "spec.listeners[1].allowedRoutes.kinds",
      "FieldValueTooMany",
    ]],
  ],
  [
    "an allowed kind needs a kind",
    (g) => (g.spec.listeners[1].allowedRoutes.kinds = [{ group: "gateway.networking.k8s.io" }]),
    [[
      "spec.listeners[1].allowedRoutes.kinds[0].kind",
      "FieldValueRequired",
    ]],
  ],
];

for (const [name, edit, expected] of cases) {
  Deno.test(`validateGateway: ${name}`, () => assertEquals(problems(edit), expected));
}

Deno.test("validateGateway reports every problem, each with its path", () => {
  assertEquals(
    problems((g) => {
      g.spec.listeners[0].port = 0;
      g.spec.listeners[1].protocol = "S C T P";
      g.spec.listeners[1].name = "http";
    }),
    [
      ["spec.listeners[0].port", "FieldValueInvalid"],
      ["spec.listeners", "FieldValueInvalid"],
      // Found by the CRD's schema alone (its pattern), so after the hand-written checks.
      ["spec.listeners[1].protocol", "FieldValueInvalid"],
    ],
  );
});

Deno.test("validateGateway words messages as the API server does: OpenAPI's, and the CRD's CEL messages", () => {
  const gateway: Loose = sampleGateway();
  gateway.spec.listeners[1].port = 70000;
  gateway.spec.listeners[1].tls.mode = "Passthrough";
  gateway.spec.listeners.push({ name: "http", port: 80, protocol: "HTTP" });
  assertEquals(validateGateway(gateway).map((e) => `${e.field}: ${e.message}`), [
    "spec.listeners[1].port: Invalid value: 70000: spec.listeners[1].port in body should be less than or equal to 65535",
    `spec.listeners: Invalid value: "array": tls mode must be Terminate for protocol HTTPS`,
    `spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway`,
    `spec.listeners: Invalid value: "array": Combination of port, protocol and hostname must be unique for each listener`,
  ]);
});

Deno.test("gatewayWarnings notes listeners wasmroute stores but does not route, and selectors that select nothing", () => {
  const gateway: Gateway = sampleGateway();
  assertEquals(gatewayWarnings(gateway), []);
  gateway.spec.listeners.push({ name: "tcp", port: 9000, protocol: "TCP" });
  gateway.spec.listeners[0].allowedRoutes = { namespaces: { from: "Selector" } };
  assertEquals(gatewayWarnings(gateway), [
    "spec.listeners[0].allowedRoutes.namespaces.selector: not set, so no namespace may attach routes",
    "spec.listeners[2].protocol: TCP listeners are stored, but wasmroute routes only HTTP and HTTPS",
  ]);
  gateway.spec.listeners[0].hostname = "10.0.0.1";
  gateway.spec.listeners[0].allowedRoutes = {
    namespaces: { from: "Selector", selector: { matchExpressions: [{ key: "a", operator: "Is" }] } },
  };
  assertEquals(gatewayWarnings(gateway).slice(0, 2), [
    "spec.listeners[0].hostname: an IP address never matches a request's hostname",
    'spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0]: operator "Is" is not a label selector operator, so it selects nothing',
  ]);
});

// Whole error and warning lists, every problem in document order.

const gatewayOf = (spec: unknown) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "gw", namespace: "infra" },
  spec,
});

/** validateGateway's errors for a Gateway with `spec`, as `field reason: message`. */
const gatewayErrorList = (spec: unknown) =>
  validateGateway(gatewayOf(spec)).map((e) => `${e.field} ${e.reason}: ${e.message}`);

const warningList = (spec: unknown) => gatewayWarnings(gatewayOf(spec) as Gateway);

Deno.test("validateGateway lists every listener problem in document order, the schema's wording where it has one", () => {
  assertEquals(
    gatewayErrorList({
      gatewayClassName: "",
      listeners: [
        { name: "Bad_Name", port: 0, protocol: "" },
        { name: "tls", port: 443, protocol: "HTTPS", tls: { mode: "Bogus" } },
        {
          name: "a",
          port: 80,
          protocol: "HTTP",
          allowedRoutes: {
            namespaces: { from: "Nowhere" },
            kinds: [{ group: "Bad_Group", kind: "1kind" }, {}],
          },
        },
        {
          name: "b",
          port: 81,
          protocol: "HTTP",
          allowedRoutes: {
            namespaces: {
              from: "Selector",
              selector: { matchLabels: { team: 1 }, matchExpressions: [{ values: [3, ""] }, "x"] },
            },
          },
        },
      ],
    }),
    [
      'spec.gatewayClassName FieldValueInvalid: Invalid value: "": spec.gatewayClassName in body should be at least 1 chars long',
      "spec.listeners[0].name FieldValueInvalid: Invalid value: \"Bad_Name\": spec.listeners[0].name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      "spec.listeners[0].port FieldValueInvalid: Invalid value: 0: spec.listeners[0].port in body should be greater than or equal to 1",
      'spec.listeners[0].protocol FieldValueInvalid: Invalid value: "": spec.listeners[0].protocol in body should be at least 1 chars long',
      'spec.listeners[1].tls.mode FieldValueNotSupported: Unsupported value: "Bogus": supported values: "Terminate", "Passthrough"',
      'spec.listeners[2].allowedRoutes.namespaces.from FieldValueNotSupported: Unsupported value: "Nowhere": supported values: "All", "Selector", "Same"',
      "spec.listeners[2].allowedRoutes.kinds[0].group FieldValueInvalid: Invalid value: \"Bad_Group\": spec.listeners[2].allowedRoutes.kinds[0].group in body should match '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      "spec.listeners[2].allowedRoutes.kinds[0].kind FieldValueInvalid: Invalid value: \"1kind\": spec.listeners[2].allowedRoutes.kinds[0].kind in body should match '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'",
      "spec.listeners[2].allowedRoutes.kinds[1].kind FieldValueRequired: Required value",
      'spec.listeners[3].allowedRoutes.namespaces.selector.matchLabels.team FieldValueTypeInvalid: Invalid value: "integer": spec.listeners[3].allowedRoutes.namespaces.selector.matchLabels.team in body must be of type string: "integer"',
      'spec.listeners[3].allowedRoutes.namespaces.selector.matchExpressions[1] FieldValueTypeInvalid: Invalid value: "string": spec.listeners[3].allowedRoutes.namespaces.selector.matchExpressions[1] in body must be of type object: "string"',
      "spec.listeners[3].allowedRoutes.namespaces.selector.matchExpressions[0].key FieldValueRequired: Required value",
      "spec.listeners[3].allowedRoutes.namespaces.selector.matchExpressions[0].operator FieldValueRequired: Required value",
      'spec.listeners[3].allowedRoutes.namespaces.selector.matchExpressions[0].values[0] FieldValueTypeInvalid: Invalid value: "integer": spec.listeners[3].allowedRoutes.namespaces.selector.matchExpressions[0].values[0] in body must be of type string: "integer"',
      'spec.listeners FieldValueInvalid: Invalid value: "array": tls mode must be Terminate for protocol HTTPS',
    ],
  );
});

Deno.test("validateGateway applies the CRD's CEL rules on listeners, with its messages, at the list", () => {
  assertEquals(
    gatewayErrorList({
      gatewayClassName: "istio",
      listeners: [
        { name: "http", port: 80, protocol: "HTTP", tls: { mode: "Terminate" } },
        { name: "pass", port: 443, protocol: "HTTPS", tls: { mode: "Passthrough" } },
        { name: "tcp", port: 9000, protocol: "TCP", hostname: "a.example" },
        { name: "http", port: 80, protocol: "HTTP" },
      ],
    }),
    [
      "spec.listeners FieldValueInvalid: Invalid value: \"array\": tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
      'spec.listeners FieldValueInvalid: Invalid value: "array": tls mode must be Terminate for protocol HTTPS',
      "spec.listeners FieldValueInvalid: Invalid value: \"array\": hostname must not be specified for protocols ['TCP', 'UDP']",
      'spec.listeners FieldValueInvalid: Invalid value: "array": Listener name must be unique within the Gateway',
      'spec.listeners FieldValueInvalid: Invalid value: "array": Combination of port, protocol and hostname must be unique for each listener',
    ],
  );
});

Deno.test("validateGateway's CEL rules let TLS on HTTPS and one port for two hostnames through, and leave an empty TCP hostname to the schema", () => {
  assertEquals(
    gatewayErrorList({
      gatewayClassName: "istio",
      listeners: [
        { name: "https", port: 443, protocol: "HTTPS", tls: { mode: "Terminate" } },
        { name: "https2", port: 443, protocol: "HTTPS", hostname: "b.example", tls: {} },
        { name: "tcp", port: 9000, protocol: "TCP", hostname: "" },
        { name: "a", port: 80, protocol: "HTTP", hostname: "a.example" },
        { name: "b", port: 80, protocol: "HTTP", hostname: "b.example" },
        {
          name: "c",
          port: 80,
          protocol: "HTTP",
          allowedRoutes: {
            namespaces: {
              from: "Selector",
              selector: { matchExpressions: [{ key: "team", operator: "In", values: ["a"] }] },
            },
            kinds: [{ kind: "HTTPRoute" }],
          },
        },
      ],
    }),
    [
      'spec.listeners[2].hostname FieldValueInvalid: Invalid value: "": spec.listeners[2].hostname in body should be at least 1 chars long',
    ],
  );
});

Deno.test("gatewayWarnings explains each label selector requirement that selects nothing, and IP address hostnames", () => {
  assertEquals(
    warningList({
      gatewayClassName: "istio",
      listeners: [
        {
          name: "a",
          port: 80,
          protocol: "HTTP",
          hostname: "10.0.0.10",
          allowedRoutes: {
            namespaces: {
              from: "Selector",
              selector: {
                matchExpressions: [
                  { key: "k", operator: "In" },
                  { key: "k", operator: "NotIn", values: [] },
                  { key: "k", operator: "Exists", values: ["x"] },
                  { key: "k", operator: "DoesNotExist", values: ["x"] },
                  { key: "k", operator: "Near", values: ["x"] },
                  { key: "k", operator: "In", values: ["x"] },
                  { key: "k", operator: "NotIn", values: ["x"] },
                  { key: "k", operator: "Exists" },
                  { key: "k", operator: "DoesNotExist", values: [] },
                ],
              },
            },
          },
        },
        { name: "b", port: 81, protocol: "HTTP", hostname: "10.0.0.1.example" },
        { name: "c", port: 82, protocol: "HTTP", hostname: "a.10.0.0.1" },
        { name: "d", port: 83, protocol: "HTTP", hostname: "1.2.3" },
        { name: "e", port: 84, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Selector" } } },
        { name: "f", port: 85, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
      ],
    }),
    [
      "spec.listeners[0].hostname: an IP address never matches a request's hostname",
      "spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0]: In needs values, so it selects nothing",
      "spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[1]: NotIn needs values, so it selects nothing",
      "spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[2]: Exists takes no values, so it selects nothing",
      "spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[3]: DoesNotExist takes no values, so it selects nothing",
      'spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[4]: operator "Near" is not a label selector operator, so it selects nothing',
      "spec.listeners[4].allowedRoutes.namespaces.selector: not set, so no namespace may attach routes",
    ],
  );
});

Deno.test("validateGateway stops at a document that is not an object, and checks a Gateway's namespace", () => {
  assertEquals(validateGateway("x").map((e) => `${e.field}: ${e.message}`), [
    ': Invalid value: "string": must be of type object',
  ]);
  const gateway = sampleGateway();
  gateway.metadata.namespace = "Bad NS";
  assertEquals(validateGateway(gateway).map((e) => e.field), ["metadata.namespace"]);
});
