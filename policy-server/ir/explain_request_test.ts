import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import type { KubeObject } from "../model/types.ts";
import { buildIr } from "./build_ir.ts";
import {
  type ExplainedRequest,
  explainedRequestOf,
  explainRequest,
  explanationLines,
} from "./explain_request.ts";
import type { RouteEntry, RouteTable, VirtualHost } from "./types.ts";

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

// Hand-made tables: each test says exactly which hosts and routes the lookup sees.

const entry = (over: Partial<RouteEntry>, route = "web/r", rule = 0): RouteEntry => ({
  conditions: [],
  action: { route, rule, backends: [], filters: [] },
  ...over,
});

const vhost = (over: Partial<VirtualHost>): VirtualHost => ({
  hostnames: [],
  mode: "gateway",
  port: 80,
  scope: "gw/gw",
  routes: [entry({})],
  ...over,
});

const tableOf = (...vhosts: VirtualHost[]): RouteTable => ({ generation: 1, vhosts });

Deno.test("explainedRequestOf addresses a mesh request to its Service and port, from its client's namespace", () => {
  const mesh = { clientNamespace: "web", destinationService: "reviews", destinationPort: 9080 };
  assertEquals(explainedRequestOf({ path: "/a?b=1", mesh, headers: { "End-User": "Jason" } }), {
    authority: "reviews",
    port: 9080,
    scheme: undefined,
    method: undefined,
    path: "/a?b=1",
    headers: [["end-user", "Jason"]],
    scope: "mesh",
    clientNamespace: "web",
    destination: { address: undefined, service: "web/reviews" },
  });
  // A Host header is the authority; the port is the sidecar's destination port, whatever Host says.
  const named = explainedRequestOf({ host: "reviews.shop", port: 9081, path: "/", mesh });
  assertEquals([named.authority, named.port, named.headers, named.scope], ["reviews.shop", 9080, [], "mesh"]);
});

Deno.test("explainedRequestOf takes a gateway request through that Gateway's proxy, headers lower-cased in order", () => {
  const req = explainedRequestOf({
    host: "Shop.example.com",
    path: "/",
    gateway: "infra/gw",
    scheme: "https",
    method: "POST",
    headers: [["X-A", "One"], ["x-a", "two"]],
  });
  assertEquals(req, {
    authority: "Shop.example.com",
    port: undefined,
    scheme: "https",
    method: "POST",
    path: "/",
    headers: [["x-a", "One"], ["x-a", "two"]],
    scope: "gateway:infra/gw",
    clientNamespace: undefined,
  });
  assertEquals(explainedRequestOf({ host: "a", path: "/" }).scope, undefined);
});

Deno.test("explainRequest reads the hostname and port from the authority, else from the scheme", () => {
  const at = (req: Partial<ExplainedRequest>) => {
    const x = explainRequest(tableOf(), { authority: "a", path: "/", ...req });
    return [x.hostname, x.port];
  };
  assertEquals(at({ authority: "Shop.Example.COM" }), ["shop.example.com", 80]);
  assertEquals(at({ authority: "shop:8080" }), ["shop", 8080]);
  assertEquals(at({ authority: "shop:8080", port: 9090 }), ["shop", 9090]);
  assertEquals(at({ authority: "[::1]:8443" }), ["[::1]", 8443]);
  assertEquals(at({ authority: "[::1]" }), ["[::1]", 80]);
  assertEquals(at({ authority: "shop", scheme: "https" }), ["shop", 443]);
  assertEquals(at({ authority: "shop", scheme: "http" }), ["shop", 80]);
  // Not host[:port]: the whole authority is the hostname.
  assertEquals(at({ authority: "a:1:8080" }), ["a:1:8080", 80]);
});

Deno.test("explainRequest ranks the exact hostname, then longer wildcards, then *, and says why each was not taken", () => {
  const table = tableOf(
    vhost({ hostnames: ["*"], port: 0, routes: [entry({}, "web/any")] }),
    vhost({ hostnames: ["*.example.com"], routes: [entry({}, "web/short")] }),
    vhost({ hostnames: ["*.shop.example.com"], routes: [entry({}, "web/long")] }),
    vhost({ hostnames: ["shop.example.com"], routes: [entry({}, "web/exact")] }),
  );
  const wild = explainRequest(table, { authority: "eu.shop.example.com", path: "/" });
  assertEquals(wild.hosts, [
    { hostname: "*.shop.example.com", port: 80, attachedTo: "Gateway gw/gw", verdict: "picked" },
    {
      hostname: "*.example.com",
      port: 80,
      attachedTo: "Gateway gw/gw",
      verdict: "not taken: a more specific host took the request",
    },
    {
      hostname: "*",
      port: 0,
      attachedTo: "Gateway gw/gw",
      verdict: "not taken: a more specific host took the request",
    },
  ]);
  assertEquals(
    wild.summary,
    "*.shop.example.com (wildcard *.shop.example.com, port 80, Gateway gw/gw) → web/long rule 0",
  );
  const exact = explainRequest(table, { authority: "shop.example.com", path: "/" });
  assertEquals(exact.hosts.map((h) => [h.hostname, h.verdict === "picked"]), [
    ["shop.example.com", true],
    ["*.example.com", false],
    ["*", false],
  ]);
  assertEquals(exact.summary, "shop.example.com (exact hostname, port 80, Gateway gw/gw) → web/exact rule 0");
  // A wildcard needs at least one label before its suffix.
  const bare = explainRequest(table, { authority: ".example.com", port: 8080, path: "/" });
  assertEquals(bare.hosts.map((h) => h.hostname), ["*"]);
  assertEquals(bare.summary, "* (any hostname, any port, Gateway gw/gw) → web/any rule 0");
});

Deno.test("explainRequest serves a mesh client its own namespace's routes first, and refuses another namespace's", () => {
  const reviews = (clients: string | undefined, route: string) =>
    vhost({
      hostnames: ["reviews"],
      mode: "mesh",
      port: 9080,
      scope: "shop/reviews",
      clients,
      routes: [entry({}, route)],
    });
  const table = tableOf(
    reviews("web", "web/consumer"),
    reviews(undefined, "shop/producer"),
    reviews("ops", "ops/consumer"),
  );
  const verdicts = (clientNamespace?: string) => {
    const x = explainRequest(table, {
      authority: "reviews",
      port: 9080,
      path: "/",
      scope: "mesh",
      clientNamespace,
    });
    return [x.summary, ...x.hosts.map((h) => h.verdict)];
  };
  const moreSpecific = "not taken: a more specific host took the request";
  assertEquals(verdicts("web"), [
    "reviews (exact hostname, port 9080, Service shop/reviews, for clients in web) → web/consumer rule 0",
    "picked",
    moreSpecific,
    "not taken: it serves clients in namespace ops, the request comes from web",
  ]);
  assertEquals(verdicts("other"), [
    "reviews (exact hostname, port 9080, Service shop/reviews) → shop/producer rule 0",
    "not taken: it serves clients in namespace web, the request comes from other",
    "picked",
    "not taken: it serves clients in namespace ops, the request comes from other",
  ]);
  // No client namespace known: no host is refused for its clients, and none is anyone's own.
  assertEquals(verdicts(undefined), [
    "reviews (exact hostname, port 9080, Service shop/reviews, for clients in web) → web/consumer rule 0",
    "picked",
    moreSpecific,
    moreSpecific,
  ]);
});

Deno.test("explainRequest looks only at the hosts of the proxy in scope: the mesh's, or one Gateway's", () => {
  const table = tableOf(
    vhost({ hostnames: ["a.example"], scope: "gw/gw" }),
    vhost({ hostnames: ["a.example"], mode: "mesh", scope: "gw/gw" }),
    vhost({ hostnames: ["a.example"], scope: "other/gw" }),
    vhost({ hostnames: ["a.example"], scope: undefined }),
  );
  const attached = (scope?: string) =>
    explainRequest(table, { authority: "a.example", path: "/", scope }).hosts.map((h) => h.attachedTo);
  assertEquals(attached("gateway:gw/gw"), ["Gateway gw/gw"]);
  assertEquals(attached("mesh"), ["Service gw/gw"]);
  assertEquals(attached(undefined), ["Gateway gw/gw", "Service gw/gw", "Gateway other/gw", "Gateway ?"]);
  const elsewhere = explainRequest(table, { authority: "a.example", path: "/", scope: "gateway:x/y" });
  assertEquals(
    elsewhere.summary,
    'no route is attached to host "a.example" on port 80: the filter lets the request pass',
  );
  assertEquals(elsewhere.routes, []);
  assertEquals(elsewhere.nearest, [
    "a route for this host is attached to Gateway gw/gw, which this proxy (gateway:x/y) does not serve",
    "a route for this host is attached to Service gw/gw, which this proxy (gateway:x/y) does not serve",
    "a route for this host is attached to Gateway other/gw, which this proxy (gateway:x/y) does not serve",
    "a route for this host is attached to Gateway ?, which this proxy (gateway:x/y) does not serve",
  ]);
});

Deno.test("explainRequest on a miss names each other port of the host once, for any of a host's names", () => {
  const table = tableOf(
    vhost({ hostnames: ["x.example", "shop.example"], port: 8080 }),
    vhost({ hostnames: ["shop.example"], port: 8080 }),
    vhost({ hostnames: ["shop.example"], port: 9090, scope: "gw/other" }),
  );
  const why = explainRequest(table, { authority: "shop.example", path: "/" });
  assertEquals(why.nearest, [
    "a route for this host exists on port 8080 (Gateway gw/gw)",
    "a route for this host exists on port 9090 (Gateway gw/other)",
  ]);
  assertEquals(why.routes, []);
});

Deno.test("explainRequest on a miss for a host's clients lists the hostnames, not a port it already has", () => {
  const table = tableOf(
    vhost({ hostnames: ["reviews"], mode: "mesh", port: 9080, clients: "web" }),
    vhost({ hostnames: ["ratings"], mode: "mesh", port: 0, clients: "web" }),
  );
  const at = (authority: string, port: number) =>
    explainRequest(table, { authority, port, path: "/", clientNamespace: "ops" }).nearest;
  // Levenshtein distances from reviews: ratings 4, reviews:9080 5.
  assertEquals(at("reviews", 9080), ["hostnames with routes: ratings, reviews:9080"]);
  assertEquals(at("ratings", 9080), ["hostnames with routes: ratings, reviews:9080"]);
});

Deno.test("explainRequest on an unknown host lists the eight closest hostnames with their ports, closest first", () => {
  const nine = tableOf(
    vhost({ hostnames: ["zzz.example.com", "shop.example.org"], port: 8080 }),
    vhost({ hostnames: ["shop.example.com", "a", "b", "c", "d", "e", "f"], port: 0 }),
  );
  const nearest = (table: RouteTable) =>
    explainRequest(table, { authority: "shop.exmple.com", path: "/" }).nearest;
  // Levenshtein distances 1, 9, 10, 14, 14, 15, 15, 15 (f, the ninth at 15, is left out); ties keep their order.
  assertEquals(nearest(nine), [
    "hostnames with routes: shop.example.com, shop.example.org:8080, zzz.example.com:8080, c, e, a, b, d, …",
  ]);
  nine.vhosts[1].hostnames.pop();
  assertEquals(nearest(nine), [
    "hostnames with routes: shop.example.com, shop.example.org:8080, zzz.example.com:8080, c, e, a, b, d",
  ]);
  assertEquals(nearest(tableOf()), ["no routes at all"]);
});

Deno.test("explainRequest gives each route's first failing condition in words, in the table's order", () => {
  const header = (kind: "HeaderExact" | "HeaderRegex", name: string, value: string) => ({
    kind,
    name,
    value,
  });
  const query = (kind: "QueryExact" | "QueryRegex", name: string, value: string) => ({ kind, name, value });
  const routes = [
    entry({ path: { type: "Exact", value: "/cart" } }, "web/r", 0),
    entry({ path: { type: "Exact", value: "/api/x" }, method: "POST" }, "web/r", 1),
    entry(
      { path: { type: "PathPrefix", value: "/api" }, conditions: [header("HeaderExact", "version", "v2")] },
      "web/r",
      2,
    ),
    entry({ conditions: [header("HeaderExact", "x-missing", "1")] }, "web/r", 3),
    entry({ conditions: [query("QueryRegex", "id", "^[0-9]+$")] }, "web/r", 4),
    entry({ conditions: [query("QueryExact", "debug", "2")] }, "web/r", 5),
    entry({ conditions: [query("QueryExact", "page", "1")] }, "web/r", 6),
    entry({ conditions: [header("HeaderRegex", "user", "^adm")] }, "web/r", 7),
    entry({ path: { type: "RegularExpression", value: "/api/[0-9]+" } }, "web/r", 8),
    entry({ path: { type: "PathPrefix", value: "/ap" } }, "web/r", 9),
    entry(
      {
        method: "GET",
        conditions: [
          header("HeaderRegex", "user", "b.*"),
          query("QueryRegex", "id", "a.*"),
          query("QueryExact", "debug", "1"),
          header("HeaderExact", "version", "v1"),
        ],
      },
      "web/r",
      10,
    ),
    entry({}, "web/r", 11),
  ];
  const table = tableOf(vhost({ hostnames: ["shop"], routes }));
  const why = explainRequest(table, {
    authority: "shop",
    path: "/api/x?id=abc&debug=1",
    method: "get",
    headers: [["version", "v1"], ["user", "bob"]],
  });
  assertEquals(why.routes.map((r) => r.verdict), [
    "path /api/x does not match Exact /cart",
    "method GET is not POST",
    'header version is "v1", not "v2"',
    "header x-missing is missing",
    'query parameter id is "abc", not matching /^[0-9]+$/',
    'query parameter debug is "1", not "2"',
    "query parameter page is missing",
    'header user is "bob", not matching /^adm/',
    "path /api/x does not match RegularExpression /api/[0-9]+",
    "path /api/x does not match PathPrefix /ap",
    "matched",
  ]);
  assertEquals(why.summary, "shop (exact hostname, port 80, Gateway gw/gw) → web/r rule 10");
  assertEquals(why.nearest, []);
  assertEquals(why.routes[2].match, "PathPrefix /api, header version = v2");
  assertEquals(
    why.routes[10].match,
    "any path, GET, header user ~ /b.*/, query id ~ /a.*/, query debug = 1, header version = v1",
  );
});

Deno.test("explainRequest matches paths as the filter does: exact, whole segments of a prefix, / for all, regex", () => {
  const table = tableOf(vhost({
    hostnames: ["shop"],
    routes: [
      entry({ path: { type: "Exact", value: "/cart" } }, "web/exact"),
      entry({ path: { type: "RegularExpression", value: "/img/[a-z]+\\.png" } }, "web/regex"),
      entry({ path: { type: "PathPrefix", value: "/api" } }, "web/api"),
      entry({ path: { type: "PathPrefix", value: "/" } }, "web/root"),
    ],
  }));
  const route = (path: string) => explainRequest(table, { authority: "shop", path }).summary.split(" → ")[1];
  assertEquals(route("/cart?x=1"), "web/exact rule 0");
  assertEquals(route("/img/logo.png"), "web/regex rule 0");
  assertEquals(route("/img/logo.gif"), "web/root rule 0");
  assertEquals(route("/api"), "web/api rule 0");
  assertEquals(route("/api/v1"), "web/api rule 0");
  assertEquals(route("/apiv1"), "web/root rule 0");
  assertEquals(route("/cart/1"), "web/root rule 0");
});

Deno.test("explainRequest reads the first of repeated query parameters and headers, and bare or =-holding values", () => {
  const table = tableOf(vhost({
    hostnames: ["shop"],
    routes: [entry({
      conditions: [
        { kind: "QueryExact", name: "a", value: "1" },
        { kind: "QueryExact", name: "flag", value: "" },
        { kind: "QueryExact", name: "k", value: "v=w" },
        { kind: "HeaderExact", name: "x", value: "first" },
      ],
    })],
  }));
  const verdict = (path: string, headers: [string, string][] = [["x", "first"], ["x", "second"]]) =>
    explainRequest(table, { authority: "shop", path, headers }).routes[0].verdict;
  assertEquals(verdict("/?a=1&=x&flag&a=2&k=v=w"), "matched");
  assertEquals(verdict("/?a=2&a=1&flag&k=v=w"), 'query parameter a is "2", not "1"');
  assertEquals(verdict("/?a=1&flag=&k=v"), 'query parameter k is "v", not "v=w"');
  assertEquals(
    verdict("/?a=1&flag&k=v=w", [["x", "second"], ["x", "first"]]),
    'header x is "second", not "first"',
  );
  assertEquals(verdict("/"), "query parameter a is missing");
});

Deno.test("explanationLines puts the summary first, then each host, route and nearest match", () => {
  const table = tableOf(
    vhost({
      hostnames: ["shop"],
      routes: [entry({ path: { type: "Exact", value: "/a" } }, "web/a"), entry({}, "web/b", 3)],
    }),
    vhost({ hostnames: ["*"], port: 0 }),
  );
  assertEquals(explanationLines(explainRequest(table, { authority: "shop", path: "/b" })), [
    "host shop, port 80: shop (exact hostname, port 80, Gateway gw/gw) → web/b rule 3",
    "  host shop (port 80, Gateway gw/gw): picked",
    "  host * (port any, Gateway gw/gw): not taken: a more specific host took the request",
    "  web/a rule 0 [Exact /a]: path /b does not match Exact /a",
    "  web/b rule 3 [any path]: matched",
  ]);
  const miss = tableOf(vhost({ hostnames: ["shop"], port: 8080 }));
  assertEquals(explanationLines(explainRequest(miss, { authority: "shop", path: "/" })), [
    'host shop, port 80: no route is attached to host "shop" on port 80: the filter lets the request pass',
    "  host shop (port 8080, Gateway gw/gw): not taken: it is for port 8080, the request came on 80",
    "  nearest: a route for this host exists on port 8080 (Gateway gw/gw)",
  ]);
  const none = tableOf(vhost({ hostnames: ["shop"], routes: [entry({ method: "PUT" }, "web/put")] }));
  assertEquals(
    explainRequest(none, { authority: "shop", path: "/" }).summary,
    "shop (exact hostname, port 80, Gateway gw/gw) took the request, but none of its 1 route match(es) did: 404",
  );
});

Deno.test("explainRequest puts a mesh client's own namespace's host first, whatever the table's order", () => {
  const reviews = (clients: string | undefined, route: string) =>
    vhost({
      hostnames: ["reviews"],
      mode: "mesh",
      port: 9080,
      scope: "shop/reviews",
      clients,
      routes: [entry({}, route)],
    });
  const table = tableOf(reviews(undefined, "shop/producer"), reviews("web", "web/consumer"));
  const x = explainRequest(table, {
    authority: "reviews",
    port: 9080,
    path: "/",
    scope: "mesh",
    clientNamespace: "web",
  });
  assertEquals(
    x.summary,
    "reviews (exact hostname, port 9080, Service shop/reviews, for clients in web) → web/consumer rule 0",
  );
  assertEquals(x.hosts.map((h) => h.verdict), ["picked", "not taken: a more specific host took the request"]);
});

Deno.test("explainRequest names another port only for the host a record has among its names", () => {
  const table = tableOf(
    vhost({ hostnames: ["x.example", "shop.example"], port: 8081, scope: "gw/a" }),
    vhost({ hostnames: ["shop.example"], port: 8080, scope: "gw/b" }),
  );
  assertEquals(explainRequest(table, { authority: "shop.example", path: "/" }).nearest, [
    "a route for this host exists on port 8081 (Gateway gw/a)",
    "a route for this host exists on port 8080 (Gateway gw/b)",
  ]);
});

Deno.test("explainRequest takes a request without a method as a GET, and a query only after a '?'", () => {
  const table = tableOf(vhost({
    hostnames: ["shop"],
    routes: [
      entry({ path: { type: "Exact", value: "/x" } }, "web/x"),
      entry({ method: "GET", conditions: [{ kind: "QueryExact", name: "a", value: "1" }] }, "web/get"),
    ],
  }));
  const verdicts = (path: string) =>
    explainRequest(table, { authority: "shop", path }).routes.map((r) => r.verdict);
  assertEquals(verdicts("/?a=1"), ["path / does not match Exact /x", "matched"]);
  // A target that is only a query has an empty path; one without '?' has no query, whatever it holds.
  assertEquals(verdicts("?a=1"), ["path  does not match Exact /x", "matched"]);
  assertEquals(verdicts("a=1"), ["path a=1 does not match Exact /x", "query parameter a is missing"]);
});

Deno.test("explainRequest on a host whose routes all fail gives no nearest match: the host was found", () => {
  const table = tableOf(vhost({ hostnames: ["shop"], routes: [entry({ method: "PUT" }, "web/put")] }));
  const x = explainRequest(table, { authority: "shop", path: "/" });
  assertEquals([x.routes.map((r) => r.verdict), x.nearest], [["method GET is not PUT"], []]);
});

// --- GAMMA by address: a sidecar's request addressed to a Service frontend -------------------------

/** reviews (dual stack) and inventory have frontends; ratings' route is for every port; details is headless. */
const FRONTENDS: RouteTable = {
  generation: 1,
  vhosts: [
    meshHost(["reviews"], 9080, "shop/reviews", "review", "shop"),
    meshHost(["reviews.shop", "reviews.shop.svc.cluster.local"], 9080, "shop/reviews", "review"),
    meshHost(["reviews.shop.svc.cluster.local"], 9080, "shop/reviews", "consumer", "client"),
    meshHost(["ratings.shop", "ratings.shop.svc.cluster.local"], 0, "shop/ratings", "rating"),
    meshHost(["details.shop.svc.cluster.local"], 9080, "shop/details", "detail"),
    meshHost(["*.shop.svc.cluster.local"], 0, "shop/any", "any"),
    {
      hostnames: ["reviews.shop.svc.cluster.local"],
      mode: "gateway",
      port: 0,
      scope: "gw/gw",
      routes: [entryOf("north", {})],
    },
  ],
  frontends: [
    {
      address: "10.96.0.20",
      port: 9080,
      service: "shop/reviews",
      hostname: "reviews.shop.svc.cluster.local",
    },
    { address: "fd00::14", port: 9080, service: "shop/reviews", hostname: "reviews.shop.svc.cluster.local" },
    {
      address: "10.96.0.21",
      port: 9080,
      service: "shop/ratings",
      hostname: "ratings.shop.svc.cluster.local",
    },
    {
      address: "10.96.0.23",
      port: 9080,
      service: "shop/inventory",
      hostname: "inventory.shop.svc.cluster.local",
    },
  ],
};

function meshHost(
  hostnames: string[],
  port: number,
  scope: string,
  route: string,
  clients?: string,
): VirtualHost {
  return { hostnames, mode: "mesh", port, scope, ...(clients && { clients }), routes: [entryOf(route, {})] };
}

function entryOf(route: string, e: Partial<RouteEntry>): RouteEntry {
  return { conditions: [], ...e, action: { route: `shop/${route}`, rule: 0, backends: [], filters: [] } };
}

const meshTo = (host: string, destinationService: string, extra: Record<string, unknown> = {}) =>
  explainedRequestOf({
    host,
    path: "/",
    mesh: { clientNamespace: "shop", destinationService, destinationPort: 9080, ...extra },
  });

Deno.test("explainRequest picks a frontend's Service by the destination, says the Host plays no part, and names a Service the Host means", () => {
  const why = explainRequest(FRONTENDS, meshTo("wrong.example", "reviews"));
  assertEquals([why.hostname, why.port], ["wrong.example", 9080]);
  assertEquals(why.routes.map((r) => [r.route, r.verdict]), [["shop/review", "matched"]]);
  assertMatch(why.summary, /^reviews\.shop\.svc\.cluster\.local \(by the destination 10\.96\.0\.20:9080; /);
  assertMatch(why.destination!, /addressed to 10\.96\.0\.20:9080, a frontend of Service shop\/reviews/);
  assertMatch(why.destination!, /Host "wrong\.example" plays no part$/);
  // Only the exact cluster-local name counts: not the wildcard, and not the short name the Host gives.
  assertEquals(why.hosts.map((h) => [h.hostname, h.verdict]), [
    ["reviews.shop.svc.cluster.local", "picked"],
    [
      "reviews.shop.svc.cluster.local",
      "not taken: it serves clients in namespace client, the request comes from shop",
    ],
  ]);
  const other = explainRequest(FRONTENDS, meshTo("reviews", "ratings.shop"));
  assertEquals(other.routes.at(-1)?.route, "shop/rating");
  assertMatch(
    other.destination!,
    /the Host "reviews" names Service shop\/reviews, whose routes do not apply to it$/,
  );
});

Deno.test("explainRequest by a frontend serves a client its own namespace's consumer route first", () => {
  const req = explainedRequestOf({
    host: "ratings.shop",
    path: "/",
    mesh: { clientNamespace: "client", destinationService: "reviews.shop", destinationPort: 9080 },
  });
  const why = explainRequest(FRONTENDS, req);
  assertEquals(why.routes.at(-1)?.route, "shop/consumer");
  assertMatch(why.summary, /for clients in client\) → shop\/consumer rule 0$/);
  assertMatch(why.destination!, /the Host "ratings\.shop" names Service shop\/ratings/);
});

Deno.test("explainRequest on a frontend without routes lets the request pass and says where its Host would have led", () => {
  const why = explainRequest(FRONTENDS, meshTo("reviews", "inventory"));
  assertEquals(why.routes, []);
  assertMatch(why.summary, /addressed to Service shop\/inventory \(10\.96\.0\.23:9080\), which has no route/);
  assertEquals(
    why.nearest[0],
    "by its Host the request would take reviews (Service shop/reviews), but in a sidecar the destination decides",
  );
  // The Host leads nowhere either: only what exists for the Service's own name.
  const nowhere = explainRequest(FRONTENDS, meshTo("nothing.example", "inventory"));
  assert(!nowhere.nearest.some((n) => n.startsWith("by its Host")));
});

Deno.test("explainRequest reads a destination address in any spelling, IPv6 in brackets", () => {
  const why = explainRequest(
    FRONTENDS,
    meshTo("wrong.example", "ratings", { destinationAddress: "FD00:0::14" }),
  );
  assertEquals(why.routes.at(-1)?.route, "shop/review");
  assertMatch(why.destination!, /addressed to \[fd00::14\]:9080, a frontend of Service shop\/reviews/);
});

Deno.test("explainRequest leaves the choice to the hostname off a frontend, and says why", () => {
  const cases: [ExplainedRequest, RegExp][] = [
    [meshTo("reviews.shop", "details"), /^Service shop\/details has no cluster IP in the table \(headless/],
    [meshTo("reviews.shop", "example.com.au"), /^no Service is named as the destination/],
    [
      meshTo("reviews.shop", "reviews", { destinationAddress: "10.244.1.7" }),
      /^10\.244\.1\.7:9080 is no Service's cluster IP/,
    ],
    [
      explainedRequestOf({
        host: "reviews.shop",
        path: "/",
        mesh: { clientNamespace: "shop", destinationService: "ratings", destinationPort: 9090 },
      }),
      /^10\.96\.0\.21:9090 is no Service frontend \(Service shop\/ratings has no port 9090 there\)/,
    ],
  ];
  for (const [req, note] of cases) {
    const why = explainRequest(FRONTENDS, req);
    assertMatch(why.destination!, note);
    assertMatch(why.destination!, /the hostname decides$/);
  }
  // By Host: reviews.shop on 9080 is reviews' own route; on 9090 reviews has none.
  assertEquals(explainRequest(FRONTENDS, cases[0][0]).routes.at(-1)?.route, "shop/review");
  assertMatch(
    explainRequest(FRONTENDS, cases[3][0]).summary,
    /^no route is attached to host "reviews\.shop" on port 9090/,
  );
});

Deno.test("explainRequest ignores frontends through a Gateway, in a table without them, and for a request without a destination", () => {
  const gateway = explainRequest(FRONTENDS, {
    authority: "reviews.shop.svc.cluster.local",
    path: "/",
    scope: "gateway:gw/gw",
    destination: { address: "10.96.0.21" },
  });
  assertEquals([gateway.routes.at(-1)?.route, gateway.destination], ["shop/north", undefined]);
  const bare = explainRequest({ ...FRONTENDS, frontends: undefined }, meshTo("reviews.shop", "ratings"));
  assertEquals([bare.routes.at(-1)?.route, bare.destination], ["shop/review", undefined]);
  const none = explainRequest(FRONTENDS, { authority: "reviews.shop", port: 9080, path: "/", scope: "mesh" });
  assertEquals([none.routes.at(-1)?.route, none.destination], ["shop/review", undefined]);
});

Deno.test("explainRequest without a scope takes frontends as a sidecar does, by the exact name of any proxy's host", () => {
  const why = explainRequest(FRONTENDS, {
    authority: "x",
    port: 9080,
    path: "/",
    destination: { address: "10.96.0.20" },
  });
  // No client namespace: every host applies, the first in table order.
  assertEquals(why.routes.at(-1)?.route, "shop/review");
  assertEquals(why.hosts.map((h) => h.attachedTo), [
    "Service shop/reviews",
    "Service shop/reviews",
    "Gateway gw/gw",
  ]);
});

Deno.test("explanationLines puts the destination right after the summary", () => {
  const lines = explanationLines(explainRequest(FRONTENDS, meshTo("wrong.example", "reviews")));
  assertMatch(lines[1], /^ {2}destination: addressed to 10\.96\.0\.20:9080/);
  assertMatch(lines[2], /^ {2}host reviews\.shop\.svc\.cluster\.local /);
});

Deno.test("explainRequest takes the more specific wildcard before a mesh client's own namespace's wider one", () => {
  const wildcard = (name: string, clients: string | undefined, route: string) =>
    vhost({
      hostnames: [name],
      mode: "mesh",
      port: 9080,
      scope: "shop/reviews",
      clients,
      routes: [entry({}, route)],
    });
  // As close as two wildcards can be (one one-letter label apart): the own namespace only breaks ties.
  const table = tableOf(
    wildcard("*.a.com", "web", "web/wider"),
    wildcard("*.x.a.com", undefined, "shop/narrower"),
  );
  const x = explainRequest(table, {
    authority: "y.x.a.com",
    port: 9080,
    path: "/",
    scope: "mesh",
    clientNamespace: "web",
  });
  assertEquals(x.hosts.map((h) => [h.hostname, h.verdict]), [
    ["*.x.a.com", "picked"],
    ["*.a.com", "not taken: a more specific host took the request"],
  ]);
});
