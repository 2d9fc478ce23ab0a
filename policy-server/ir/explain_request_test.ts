import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import type { KubeObject } from "../model/types.ts";
import { buildIr } from "./build_ir.ts";
import { explainRequest } from "./explain_request.ts";

/** Istio's Bookinfo, GAMMA style: reviews:9080 sends `end-user: jason` to v2, the rest to v1. */
const BOOKINFO = [
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "reviews", namespace: "bookinfo", creationTimestamp: "2026-11-01T00:00:00Z" },
    spec: {
      parentRefs: [{ group: "", kind: "Service", name: "reviews", port: 9080 }],
      rules: [
        {
          matches: [{
            path: { type: "PathPrefix", value: "/reviews" },
            headers: [{ name: "end-user", value: "jason" }],
          }],
          backendRefs: [{ name: "reviews-v2", port: 9080 }],
        },
        {
          matches: [{ path: { type: "Exact", value: "/health" }, method: "GET" }],
          backendRefs: [{ name: "reviews-v1", port: 9080 }],
        },
        {
          matches: [{ path: { type: "PathPrefix", value: "/reviews" } }],
          backendRefs: [{ name: "reviews-v1", port: 9080 }],
        },
      ],
    },
  },
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "shop", namespace: "web", creationTimestamp: "2026-11-01T00:00:00Z" },
    spec: {
      parentRefs: [{ name: "gw", namespace: "gw" }],
      hostnames: ["shop.example.com", "*.shop.example.com"],
      rules: [{ backendRefs: [{ name: "shop", port: 80 }] }],
    },
  },
] as unknown as KubeObject[];

const table = buildIr(BOOKINFO, { generation: 1 }).table;

Deno.test("explainRequest names the host, port and route that decided, and why each earlier route did not", () => {
  const why = explainRequest(table, {
    authority: "reviews",
    port: 9080,
    path: "/reviews/1?x=1",
    headers: [["end-user", "bob"]],
    scope: "mesh",
  });
  assertEquals([why.hostname, why.port], ["reviews", 9080]);
  assertEquals(why.hosts.find((h) => h.verdict === "picked")?.attachedTo, "Service bookinfo/reviews");
  // Precedence order, not rule order: the Exact path first.
  assertEquals(why.routes.map((r) => [r.rule, r.verdict]), [
    [1, "path /reviews/1 does not match Exact /health"],
    [0, 'header end-user is "bob", not "jason"'],
    [2, "matched"],
  ]);
  assertMatch(why.summary, /→ bookinfo\/reviews rule 2$/);
});

Deno.test("explainRequest on a miss by port says on which port a route for the host exists", () => {
  const why = explainRequest(table, { authority: "reviews", path: "/reviews/1" });
  assertEquals(why.port, 80);
  assertMatch(why.summary, /no route is attached to host "reviews" on port 80/);
  assertEquals(why.nearest, ["a route for this host exists on port 9080 (Service bookinfo/reviews)"]);
  assertEquals(why.hosts[0].verdict, "not taken: it is for port 9080, the request came on 80");
});

Deno.test("explainRequest on an unknown host lists the closest hostnames that have routes", () => {
  const why = explainRequest(table, { authority: "shop.exmple.com", path: "/" });
  assertEquals(why.hosts, []);
  assert(why.nearest[0].startsWith("hostnames with routes: shop.example.com, "), why.nearest[0]);
});

Deno.test("explainRequest takes the exact hostname before a wildcard, and a port in the authority", () => {
  const exact = explainRequest(table, { authority: "shop.example.com:80", path: "/cart" });
  assertEquals(exact.hosts.filter((h) => h.verdict === "picked").map((h) => h.hostname), [
    "shop.example.com",
  ]);
  const wild = explainRequest(table, { authority: "eu.shop.example.com", path: "/", method: "post" });
  assertEquals(wild.hosts.map((h) => [h.hostname, h.verdict]), [["*.shop.example.com", "picked"]]);
  assertEquals(wild.routes.map((r) => r.verdict), ["matched"]);
  const gatewayOnly = explainRequest(table, {
    authority: "reviews",
    port: 9080,
    path: "/",
    scope: "gateway:gw/gw",
  });
  assertEquals(gatewayOnly.nearest, [
    "a route for this host is attached to Service bookinfo/reviews, which this proxy (gateway:gw/gw) does not serve",
  ]);
});

Deno.test("explainRequest on a host with no matching route lists every route's first failure", () => {
  const why = explainRequest(table, { authority: "reviews", port: 9080, path: "/ratings", method: "GET" });
  assertEquals(why.routes.length, 3);
  assert(why.routes.every((r) => r.verdict !== "matched"));
  assertMatch(why.summary, /none of its 3 route match\(es\) did: 404/);
});
