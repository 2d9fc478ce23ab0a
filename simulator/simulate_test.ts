import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "../tests/assert.ts";
import {
  addressAttribute,
  checkSimRequest,
  clusterLabel,
  ipLiteral,
  requestAsSent,
  serviceNamed,
  type SimDecision,
  SimInputError,
  type SimRequest,
} from "./simulate.ts";
import { SERVICE_VIP } from "./envoy/istio_bootstrap.ts";
// The cases compile resources as the policy server does (tools/simulate.ts), then ask the Simulator.
import { simulate } from "../tools/simulate.ts";

const route = (name: string, spec: Record<string, unknown>, namespace = "devopssong") => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name, namespace },
  spec,
});

// The seed: GAMMA route on Service my-server, `version: new` → v2, everything else → v1.
const HEADER_ROUTING = route("my-server-route", {
  parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 80 }],
  rules: [
    {
      matches: [{ headers: [{ name: "version", value: "new" }] }],
      backendRefs: [{ name: "my-server-v2", port: 80 }],
    },
    { backendRefs: [{ name: "my-server-v1", port: 80 }] },
  ],
});

const get = (host: string, path = "/", headers: Record<string, string> = {}): SimRequest => ({
  method: "GET",
  host,
  path,
  headers,
});

Deno.test("simulate sends `version: new` to my-server-v2 and the rest to my-server-v1", async () => {
  const [v2, v1, old] = await simulate([HEADER_ROUTING], [
    get("my-server", "/", { version: "new" }),
    get("my-server"),
    get("my-server", "/", { version: "old" }),
  ]);
  assertEquals([v2.status, v2.backend, v2.matchedRoute, v2.matchedRule], [
    200,
    "devopssong/my-server-v2:80",
    "devopssong/my-server-route",
    0,
  ]);
  assertEquals([v1.status, v1.backend, v1.matchedRule], [200, "devopssong/my-server-v1:80", 1]);
  assertEquals(old.backend, "devopssong/my-server-v1:80");
  assertEquals(v2.mirroredTo, []);
  assertEquals(v2.passthrough, undefined);
});

/** Client-sent copies of the filter's internal headers: the glue strips them before the filter runs. */
const SPOOFED = {
  "x-wasmroute-cluster": "outbound|80||my-server-v2.devopssong.svc.cluster.local",
  "x-wasmroute-authority": "evil.example.com",
};

Deno.test("simulate shows request headers as the backend sees them: no decision header, an x-request-id", async () => {
  const [d] = await simulate([HEADER_ROUTING], [get("my-server", "/a?b=c", SPOOFED)]);
  // Client-sent internal headers are stripped by the glue's header_mutation filter before the
  // filter runs, and the filter's own decision header by the route.
  assertEquals(d.backend, "devopssong/my-server-v1:80");
  assertEquals(d.requestHeaders["x-wasmroute-cluster"], undefined);
  assertEquals(d.requestHeaders["x-wasmroute-authority"], undefined);
  assertEquals([d.requestHeaders[":path"], d.requestHeaders[":authority"], d.requestHeaders[":method"]], [
    "/a?b=c",
    "my-server",
    "GET",
  ]);
  assertMatch(
    d.requestHeaders["x-request-id"],
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  );
  assertEquals(d.rewrittenPath, undefined);
  assertEquals(d.rewrittenHost, undefined);
});

Deno.test("simulate splits a 90/10 rule by x-request-id, the same way on every run", async () => {
  const canary = route("canary", {
    parentRefs: [{ name: "helloworld", kind: "Service", group: "", port: 80 }],
    rules: [{
      backendRefs: [{ name: "helloworld-v1", port: 80, weight: 90 }, {
        name: "helloworld-v2",
        port: 80,
        weight: 10,
      }],
    }],
  }, "sample");
  const requests = Array.from(
    { length: 1000 },
    (_, i) => get("helloworld", "/hello", { "x-request-id": `req-${i}` }),
  );
  const count = (ds: SimDecision[]) => ds.filter((d) => d.backend === "sample/helloworld-v2:80").length;
  const first = await simulate([canary], requests);
  assertEquals(first.every((d) => d.status === 200), true);
  const v2 = count(first);
  assert(Math.abs(v2 - 100) <= 30, `expected about 100 of 1000 on v2, got ${v2}`);
  assertEquals(count(await simulate([canary], requests)), v2);
  // Without an id the simulator derives one from the request: the same request, the same pick.
  const [a, b] = await simulate([canary], [get("helloworld", "/x"), get("helloworld", "/x")]);
  assertEquals([a.backend, a.requestHeaders["x-request-id"]], [b.backend, b.requestHeaders["x-request-id"]]);
});

Deno.test("simulate reports the filter's 404 for a known host with no matching route", async () => {
  const prefix = route("only-api", {
    parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 80 }],
    rules: [{
      matches: [{ path: { type: "PathPrefix", value: "/api" } }],
      backendRefs: [{ name: "my-server-v1", port: 80 }],
    }],
  });
  const [miss, hit] = await simulate([prefix], [get("my-server", "/apix"), get("my-server", "/api/x")]);
  assertEquals([miss.status, miss.backend, miss.matchedRoute, miss.passthrough], [
    404,
    null,
    undefined,
    undefined,
  ]);
  assertEquals(miss.localReplyDetail, "wasmroute_no_matching_route");
  assertEquals(miss.responseHeaders[":status"], "404");
  assertEquals(miss.requestHeaders, {});
  assertEquals(hit.backend, "devopssong/my-server-v1:80");
});

Deno.test("simulate reports the filter's 500 for a rule without a usable backend, with the rule", async () => {
  const broken = route("broken", {
    parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 80 }],
    rules: [
      {
        matches: [{ path: { type: "PathPrefix", value: "/zero" } }],
        backendRefs: [{ name: "my-server-v1", port: 80, weight: 0 }],
      },
      {
        backendRefs: [{ group: "storage.example.com", kind: "Bucket", name: "my-server-v1", port: 80 }],
      },
    ],
  });
  const [zero, unresolved] = await simulate([broken], [get("my-server", "/zero"), get("my-server", "/")]);
  assertEquals([zero.status, zero.backend, zero.matchedRoute, zero.matchedRule], [
    500,
    null,
    "devopssong/broken",
    0,
  ]);
  assertEquals([unresolved.status, unresolved.backend, unresolved.matchedRule], [500, null, 1]);
  assertEquals([zero.localReplyDetail, unresolved.localReplyDetail], [
    "wasmroute_no_backend",
    "wasmroute_backend_unresolved",
  ]);
});

Deno.test("simulate marks requests for hosts the table does not know as passed through to Istio", async () => {
  const [d] = await simulate([HEADER_ROUTING], [get("elsewhere.example.com")]);
  assertEquals([d.status, d.backend, d.passthrough, d.matchedRoute], [404, null, true, undefined]);
  assertEquals(d.requestHeaders[":authority"], "elsewhere.example.com");
});

Deno.test("simulate: a client cannot pick a cluster or a host for a request the filter passes through", async () => {
  const [d] = await simulate([HEADER_ROUTING], [get("elsewhere.example.com", "/", SPOOFED)]);
  // The glue strips both headers before the filter, which writes neither on a pass: the
  // cluster_header route does not match, and Istio's routes get the request as the client sent it.
  assertEquals([d.status, d.backend, d.passthrough], [404, null, true]);
  assertEquals(d.requestHeaders["x-wasmroute-cluster"], undefined);
  assertEquals(d.requestHeaders["x-wasmroute-authority"], undefined);
  assertEquals([d.requestHeaders[":authority"], d.rewrittenHost], ["elsewhere.example.com", undefined]);
});

Deno.test("simulate shows a RequestHeaderModifier in the headers the backend receives", async () => {
  const modifier = route("http", {
    parentRefs: [{ name: "gateway", namespace: "istio-ingress" }],
    hostnames: ["httpbin.example.com"],
    rules: [{
      filters: [{
        type: "RequestHeaderModifier",
        requestHeaderModifier: {
          set: [{ name: "X-Set", value: "s" }],
          add: [{ name: "x-add", value: "b" }],
          remove: ["x-drop"],
        },
      }],
      backendRefs: [{ name: "httpbin", port: 8000 }],
    }],
  }, "default");
  const [d] = await simulate([modifier], [{
    method: "GET",
    host: "httpbin.example.com",
    path: "/get",
    gateway: "istio-ingress/gateway",
    headers: [["x-add", "a"], ["x-drop", "gone"], ["x-set", "old"]],
  }]);
  assertEquals(d.backend, "default/httpbin:8000");
  assertEquals([d.requestHeaders["x-set"], d.requestHeaders["x-add"], d.requestHeaders["x-drop"]], [
    "s",
    "a,b",
    undefined,
  ]);
});

Deno.test("simulate applies a ResponseHeaderModifier to the backend's response headers", async () => {
  const modifier = route("resp", {
    parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 80 }],
    rules: [{
      filters: [{
        type: "ResponseHeaderModifier",
        responseHeaderModifier: { set: [{ name: "x-served-by", value: "wasmroute" }], remove: ["server"] },
      }],
      backendRefs: [{ name: "my-server-v1", port: 80 }],
    }],
  });
  const [d] = await simulate([modifier], [{
    ...get("my-server"),
    backendResponseHeaders: { ":status": "201", server: "envoy", "content-type": "text/plain" },
  }]);
  assertEquals(d.status, 201);
  assertEquals(d.responseHeaders, {
    ":status": "201",
    "content-type": "text/plain",
    "x-served-by": "wasmroute",
  });
  assertEquals(d.requestHeaders["x-served-by"], undefined);
});

Deno.test("simulate builds a mesh request's authority from the destination Service and port", async () => {
  const on8080 = route("on-8080", {
    parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 8080 }],
    rules: [{ backendRefs: [{ name: "my-server-v2", port: 8080 }] }],
  });
  const mesh = (destinationPort: number): SimRequest => ({
    method: "GET",
    path: "/",
    mesh: {
      clientNamespace: "client",
      destinationService: "my-server.devopssong.svc.cluster.local",
      destinationPort,
    },
  });
  const [hit, otherPort] = await simulate([on8080], [mesh(8080), mesh(80)]);
  assertEquals(hit.requestHeaders[":authority"], "my-server.devopssong.svc.cluster.local:8080");
  assertEquals(hit.backend, "devopssong/my-server-v2:8080");
  // Port 80 is not in the authority, and the route is for 8080 only: the filter does not take it.
  assertEquals([otherPort.requestHeaders[":authority"], otherPort.passthrough], [
    "my-server.devopssong.svc.cluster.local",
    true,
  ]);
});

Deno.test("simulate puts port into the authority and takes the scheme", async () => {
  const [d] = await simulate([HEADER_ROUTING], [{
    method: "post",
    host: "my-server",
    port: 80,
    path: "/",
    scheme: "https",
  }]);
  assertEquals([d.requestHeaders[":authority"], d.requestHeaders[":scheme"], d.requestHeaders[":method"]], [
    "my-server:80",
    "https",
    "POST",
  ]);
  assertEquals(d.backend, "devopssong/my-server-v1:80");
});

Deno.test("simulate refuses invalid routes with the field that is wrong", async () => {
  const bad = route("bad", {
    parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 80 }],
    rules: [{ backendRefs: [{ name: "x", port: 70000 }] }],
  });
  const error = await assertRejects(
    () => simulate([bad], [get("my-server")]),
    "spec.rules[0].backendRefs[0].port",
  );
  assert(error instanceof SimInputError);
  assertEquals(error.message.includes("\n"), false);
});

Deno.test("checkSimRequest names the field that is missing, unknown or of the wrong type", () => {
  const message = (v: unknown) =>
    assertThrows(() => checkSimRequest(v, "requests[1]"), SimInputError).message;
  assertEquals(message({ host: "a" }), "requests[1].path: required");
  assertEquals(message({ path: "/" }), "requests[1].host: required (or give mesh.destinationService)");
  assertMatch(message({ host: "a", path: "/", hedaers: {} }), /^requests\[1\]\.hedaers: unknown field/);
  assertEquals(message({ host: "a", path: "/", port: "80" }), "requests[1].port: expected a number");
  assertEquals(
    message({ host: "a", path: "/", headers: { v: 1 } }),
    "requests[1].headers.v: expected a string",
  );
  assertEquals(
    message({ host: "a", path: "/", headers: { ":path": "/x" } }),
    "requests[1].headers.:path: set the request's path field instead",
  );
  assertEquals(
    message({ path: "/", mesh: { clientNamespace: "c", destinationService: "s" } }),
    "requests[1].mesh.destinationPort: required",
  );
  assertEquals(
    message({ host: "a", path: "/", gateway: "gw" }),
    'requests[1].gateway: expected "namespace/name", got "gw"',
  );
  assertEquals(checkSimRequest({ host: "a", path: "/", headers: [["a", "b"]] }).headers, [["a", "b"]]);
});

Deno.test("clusterLabel turns Istio cluster names into namespace/service:port", () => {
  assertEquals(
    clusterLabel("outbound|80||my-server-v2.devopssong.svc.cluster.local"),
    "devopssong/my-server-v2:80",
  );
  assertEquals(clusterLabel("outbound|8000||httpbin.default.svc.corp.example"), "default/httpbin:8000");
  assertEquals(clusterLabel("outbound|80|v1|reviews.bookinfo.svc.cluster.local"), "bookinfo/reviews:80#v1");
  assertEquals(clusterLabel("static-cluster"), "static-cluster");
});

// --- CLI ----------------------------------------------------------------------------------------

// --- redirects, rewrites, mirrors ---------------------------------------------------------------

const FILTERS = route("filters", {
  parentRefs: [{ name: "gateway", namespace: "istio-ingress" }],
  hostnames: ["www.example.com"],
  rules: [
    {
      matches: [{ path: { type: "PathPrefix", value: "/old" } }],
      filters: [{
        type: "RequestRedirect",
        requestRedirect: {
          hostname: "new.example.com",
          path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/new" },
          statusCode: 301,
        },
      }],
    },
    {
      matches: [{ path: { type: "PathPrefix", value: "/api" } }],
      filters: [{
        type: "URLRewrite",
        urlRewrite: {
          hostname: "api.internal",
          path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/v2" },
        },
      }],
      backendRefs: [{ name: "api", port: 8080 }],
    },
    {
      filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "shadow", port: 80 } } }],
      backendRefs: [{ name: "web", port: 80 }],
    },
  ],
}, "default");

Deno.test("simulate reports a RequestRedirect's status and Location", async () => {
  const [d] = await simulate([FILTERS], [get("www.example.com", "/old/page?x=1")]);
  assertEquals([d.status, d.backend, d.matchedRule], [301, null, 0]);
  assertEquals(d.redirectLocation, d.responseHeaders.location);
  assertMatch(d.redirectLocation!, /^http:\/\/new\.example\.com\/new\/page/);
});

Deno.test("simulate shows a URLRewrite's path and host as the backend receives them", async () => {
  const [d, spoofed] = await simulate([FILTERS], [
    get("www.example.com", "/api/users?id=1"),
    get("www.example.com", "/api/users?id=1", { "x-wasmroute-authority": "evil.example.com" }),
  ]);
  assertEquals([d.status, d.backend, d.matchedRule], [200, "default/api:8080", 1]);
  assertEquals([d.rewrittenPath, d.requestHeaders[":path"]], ["/v2/users?id=1", "/v2/users?id=1"]);
  assertEquals([d.rewrittenHost, d.requestHeaders[":authority"]], ["api.internal", "api.internal"]);
  // The rewritten host is the rule's, whatever the client sent.
  assertEquals([spoofed.rewrittenHost, spoofed.requestHeaders["x-wasmroute-authority"]], [
    "api.internal",
    "api.internal",
  ]);
});

Deno.test("simulate lists the backends a RequestMirror copies the request to", async () => {
  const [mirrored, plain] = await simulate([FILTERS], [
    get("www.example.com", "/"),
    get("www.example.com", "/api"),
  ]);
  assertEquals([mirrored.backend, mirrored.mirroredTo], ["default/web:80", ["default/shadow:80"]]);
  assertEquals(plain.mirroredTo, []);
});

// --- other resources, timeouts ------------------------------------------------------------------

const service = (name: string, port: number, namespace = "devopssong") => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace },
  spec: { ports: [{ port }] },
});

Deno.test("simulate passes Services to the compiler: a backend missing from them answers 500", async () => {
  const route2 = route("two", {
    parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 80 }],
    rules: [
      {
        matches: [{ headers: [{ name: "version", value: "new" }] }],
        backendRefs: [{ name: "my-server-v2", port: 80 }],
      },
      { backendRefs: [{ name: "my-server-v1", port: 80 }] },
    ],
  });
  const requests = [get("my-server", "/", { version: "new" }), get("my-server")];
  const services = [service("my-server", 80), service("my-server-v1", 80)];
  const [missing, present] = await simulate([route2, ...services], requests);
  assertEquals([missing.status, missing.backend, missing.matchedRule], [500, null, 0]);
  assertEquals(present.backend, "devopssong/my-server-v1:80");
  // Without any Service, references are taken on trust, as by the policy server.
  assertEquals((await simulate([route2], requests)).map((d) => d.backend), [
    "devopssong/my-server-v2:80",
    "devopssong/my-server-v1:80",
  ]);
});

Deno.test("simulate names a ServiceImport backend by namespace/name:port", async () => {
  const imported = route("mc", {
    parentRefs: [{ name: "gw" }],
    hostnames: ["mc.example.com"],
    rules: [{
      backendRefs: [{ group: "multicluster.x-k8s.io", kind: "ServiceImport", name: "hello", port: 80 }],
    }],
  }, "sample");
  const [d] = await simulate([imported], [get("mc.example.com")]);
  assertEquals([d.status, d.backend], [200, "sample/hello:80"]);
});

Deno.test("simulate shows a rule's timeouts and retries as router headers, not as headers the backend sees", async () => {
  const slow = route("slow", {
    parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 80 }],
    rules: [{
      timeouts: { request: "1m30s", backendRequest: "500ms" },
      retry: { attempts: 3, codes: [502, 503] },
      backendRefs: [{ name: "my-server-v1", port: 80 }],
    }],
  });
  const [d] = await simulate([slow], [get("my-server")]);
  assertEquals(d.routerHeaders, {
    "x-envoy-upstream-rq-timeout-ms": "90000",
    "x-envoy-upstream-rq-per-try-timeout-ms": "500",
    "x-envoy-max-retries": "3",
    "x-envoy-retry-on": "retriable-status-codes",
    "x-envoy-retriable-status-codes": "502,503",
  });
  assertEquals(Object.keys(d.requestHeaders).filter((k) => k.startsWith("x-envoy-")), []);
  const [plain] = await simulate([HEADER_ROUTING], [get("my-server")]);
  assertEquals(plain.routerHeaders, undefined);
});

Deno.test("simulate() lets only the Gateway's routes decide a gateway request and only GAMMA routes a mesh request", async () => {
  const route = (name: string, parentRef: Record<string, unknown>, backend: string) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace: "web" },
    spec: { parentRefs: [parentRef], rules: [{ backendRefs: [{ name: backend, port: 80 }] }] },
  });
  const resources = [
    route("public", { name: "gw", namespace: "infra" }, "frontend"),
    route("internal", { name: "frontend", kind: "Service", group: "", port: 80 }, "frontend-v2"),
  ];
  const [viaGateway, viaSidecar, elsewhere] = await simulate(resources, [
    { method: "GET", host: "frontend.web", path: "/", gateway: "infra/gw" },
    {
      method: "GET",
      path: "/",
      mesh: { clientNamespace: "web", destinationService: "frontend.web", destinationPort: 80 },
    },
    { method: "GET", host: "frontend.web", path: "/", gateway: "infra/other" },
  ]);
  assertEquals(viaGateway.backend, "web/frontend:80");
  assertEquals(viaSidecar.backend, "web/frontend-v2:80");
  assertEquals(elsewhere.backend, null);
});

Deno.test("simulate matches prefixes segment-wise on paths deeper than the filter keeps per request", async () => {
  const deep = "/a" + "/s".repeat(40);
  const prefixes = route("deep", {
    parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 80 }],
    rules: [
      {
        matches: [{ path: { type: "PathPrefix", value: "/a" } }],
        backendRefs: [{ name: "short", port: 80 }],
      },
      {
        matches: [{ path: { type: "PathPrefix", value: "/a" + "/s".repeat(35) } }],
        backendRefs: [{ name: "long", port: 80 }],
      },
      {
        matches: [{ path: { type: "Exact", value: deep + "/x" } }],
        backendRefs: [{ name: "exact", port: 80 }],
      },
    ],
  });
  const [longest, short, exact, notSegment, query] = await simulate([prefixes], [
    get("my-server", deep),
    get("my-server", "/a" + "/s".repeat(34) + "/t"),
    get("my-server", deep + "/x"),
    get("my-server", "/a" + "/s".repeat(35) + "x"),
    get("my-server", deep + "?q=/a/b#frag"),
  ]);
  assertEquals(longest.backend, "devopssong/long:80");
  assertEquals(short.backend, "devopssong/short:80");
  assertEquals(exact.backend, "devopssong/exact:80");
  assertEquals(notSegment.backend, "devopssong/short:80");
  assertEquals(query.backend, "devopssong/long:80");
});

Deno.test("a mesh request goes to its Service's cluster IP, whatever its Host says", async (t) => {
  const mesh = (destinationService: string, extra: Record<string, unknown> = {}) =>
    checkSimRequest({
      host: "wrong.example",
      path: "/",
      mesh: { clientNamespace: "shop", destinationService, destinationPort: 9080, ...extra },
    });
  const addresses = { "shop/reviews": "10.96.10.20", "other/reviews": "10.96.20.20" };
  const sent = (r: SimRequest) => {
    const s = requestAsSent(r, addresses);
    return [s.authority, s.destinationAddress, s.destinationPort];
  };
  await t.step("by any of its names, relative to the client's namespace", () => {
    for (const name of ["reviews", "reviews.shop", "reviews.shop.svc", "reviews.shop.svc.cluster.local"]) {
      assertEquals(sent(mesh(name)), ["wrong.example", "10.96.10.20", 9080], name);
    }
    assertEquals(sent(mesh("reviews.other")), ["wrong.example", "10.96.20.20", 9080]);
  });
  await t.step("a Service without an address, or a name that is no Service's: SERVICE_VIP", () => {
    assertEquals(sent(mesh("details"))[1], SERVICE_VIP);
    assertEquals(sent(mesh("api.example.com"))[1], SERVICE_VIP);
  });
  await t.step("destinationAddress overrides it, canonical", () => {
    assertEquals(sent(mesh("reviews", { destinationAddress: "FD00:0:0::14" }))[1], "fd00::14");
    assertEquals(addressAttribute("fd00::14", 9080), "[fd00::14]:9080");
    assertEquals(addressAttribute("10.96.10.20", 9080), "10.96.10.20:9080");
  });
  await t.step("the destination port is the mesh one, whatever port Host names", () => {
    assertEquals(sent({ ...mesh("reviews"), port: 8080 }), ["wrong.example:8080", "10.96.10.20", 9080]);
  });
  await t.step("destinationAddress must be an IP address", () => {
    for (const bad of ["reviews", "10.96.10", "[::1]", "::1%eth0", 7]) {
      assertThrows(
        () => mesh("reviews", { destinationAddress: bad }),
        SimInputError,
        "mesh.destinationAddress",
      );
    }
  });
});

Deno.test("ipLiteral() and serviceNamed() read addresses and Service names as a mesh client means them", () => {
  assertEquals(
    ["10.0.0.1", "1.2.3.256", "::ffff:1.2.3.4", "fe80::1", "x"].map(ipLiteral),
    ["10.0.0.1", undefined, "::ffff:102:304", "fe80::1", undefined],
  );
  assertEquals(
    ["web", "web.shop", "web.shop.svc", "web.shop.svc.example.org", "web.shop.com"].map((n) =>
      serviceNamed(n, "ns")
    ),
    ["ns/web", "shop/web", "shop/web", "shop/web", undefined],
  );
});
