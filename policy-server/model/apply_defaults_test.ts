import { assertEquals } from "../../tests/assert.ts";
import { applyGatewayDefaults, applyHttpRouteDefaults } from "./apply_defaults.ts";

Deno.test("applyHttpRouteDefaults fills a bare route as the CRD does: one rule matching every path", () => {
  const route = applyHttpRouteDefaults({ spec: { parentRefs: [{ name: "gw" }] } });
  assertEquals(route.spec, {
    parentRefs: [{ name: "gw", group: "gateway.networking.k8s.io", kind: "Gateway" }],
    rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }],
  } as never);
});

Deno.test("applyHttpRouteDefaults keeps what is written, and fills filters and backendRefs", () => {
  const route = applyHttpRouteDefaults({
    spec: {
      parentRefs: [{ name: "mesh", kind: "Service", group: "" }],
      rules: [{
        matches: [{
          path: { value: "/a" },
          queryParams: [{ name: "q", value: "1", type: "RegularExpression" }],
        }],
        filters: [{ type: "RequestRedirect", requestRedirect: { hostname: "x" } }, {
          type: "RequestMirror",
          requestMirror: { backendRef: { name: "m", port: 80 } },
        }],
        backendRefs: [{ name: "b", port: 80, weight: 0, filters: [{ type: "CORS", cors: {} }] }],
      }],
    },
  });
  assertEquals(route.spec.parentRefs[0], { name: "mesh", kind: "Service", group: "" });
  const rule = route.spec.rules[0] as Record<string, unknown[]>;
  assertEquals(rule.matches[0], {
    path: { value: "/a", type: "PathPrefix" },
    queryParams: [{ name: "q", value: "1", type: "RegularExpression" }],
  });
  assertEquals(rule.filters, [{
    type: "RequestRedirect",
    requestRedirect: { hostname: "x", statusCode: 302 },
  }, {
    type: "RequestMirror",
    requestMirror: { backendRef: { name: "m", port: 80, group: "", kind: "Service" } },
  }]);
  assertEquals(rule.backendRefs[0], {
    name: "b",
    port: 80,
    weight: 0,
    group: "",
    kind: "Service",
    filters: [{ type: "CORS", cors: { maxAge: 5 } }],
  });
});

Deno.test("applyGatewayDefaults lets a listener take routes from its own namespace unless it says otherwise", () => {
  const gateway = applyGatewayDefaults({
    spec: {
      listeners: [
        { name: "a", port: 80, protocol: "HTTP" },
        {
          name: "b",
          port: 443,
          protocol: "HTTPS",
          tls: { certificateRefs: [{ name: "c" }] },
          allowedRoutes: { namespaces: { from: "All" } },
        },
      ],
      addresses: [{ value: "10.0.0.1" }],
    },
  });
  assertEquals(gateway.spec.listeners.map((l) => [l.allowedRoutes, l.tls]), [
    [{ namespaces: { from: "Same" } }, undefined],
    [{ namespaces: { from: "All" } }, {
      mode: "Terminate",
      certificateRefs: [{ name: "c", group: "", kind: "Secret" }],
    }],
  ] as never);
  assertEquals(gateway.spec.addresses, [{ value: "10.0.0.1", type: "IPAddress" }]);
});

Deno.test("applyHttpRouteDefaults fills what is absent or null, and completes a partial path match", () => {
  const route = applyHttpRouteDefaults({
    spec: {
      parentRefs: [{ name: "gw", group: null, kind: null }],
      rules: [
        {
          matches: [
            { path: { type: "Exact" } },
            { path: { value: "/x" } },
            {
              path: "odd",
              headers: [{ name: "h", value: "v" }, "odd"],
              queryParams: [{ name: "q", value: "v" }],
            },
          ],
          backendRefs: [{ name: "a", weight: null }],
        },
        { matches: null },
      ],
    },
  });
  assertEquals(route.spec, {
    parentRefs: [{ name: "gw", group: "gateway.networking.k8s.io", kind: "Gateway" }],
    rules: [
      {
        matches: [
          { path: { type: "Exact", value: "/" } },
          { path: { value: "/x", type: "PathPrefix" } },
          {
            path: "odd",
            headers: [{ name: "h", value: "v", type: "Exact" }, "odd"],
            queryParams: [{ name: "q", value: "v", type: "Exact" }],
          },
        ],
        backendRefs: [{ name: "a", weight: 1, group: "", kind: "Service" }],
      },
      { matches: [{ path: { type: "PathPrefix", value: "/" } }] },
    ],
  });
});

Deno.test("applyHttpRouteDefaults and applyGatewayDefaults leave what is not an object with a spec alone", () => {
  for (const value of ["x", null, [], {}, { spec: "x" }, { spec: [] }]) {
    assertEquals(applyHttpRouteDefaults(structuredClone(value)), value);
    assertEquals(applyGatewayDefaults(structuredClone(value)), value);
  }
  assertEquals(applyHttpRouteDefaults({ spec: {} }), {
    spec: { rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }] },
  });
});

Deno.test("applyGatewayDefaults completes a listener's allowedRoutes at each level, keeping what is written", () => {
  const listeners = applyGatewayDefaults({
    spec: {
      listeners: [
        { name: "a" },
        { name: "b", allowedRoutes: {} },
        { name: "c", allowedRoutes: { namespaces: {}, kinds: [{ kind: "HTTPRoute" }] } },
        { name: "d", allowedRoutes: { namespaces: { from: "All" } } },
        { name: "e", allowedRoutes: "odd" },
        { name: "f", allowedRoutes: { namespaces: "odd" } },
      ],
    },
  }).spec.listeners;
  assertEquals(listeners, [
    { name: "a", allowedRoutes: { namespaces: { from: "Same" } } },
    { name: "b", allowedRoutes: { namespaces: { from: "Same" } } },
    { name: "c", allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "HTTPRoute" }] } },
    { name: "d", allowedRoutes: { namespaces: { from: "All" } } },
    { name: "e", allowedRoutes: "odd" },
    { name: "f", allowedRoutes: { namespaces: "odd" } },
  ]);
});
