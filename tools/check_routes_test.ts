import { assertEquals, assertMatch, assertRejects } from "../tests/assert.ts";
import { runScript } from "../tests/run_script.ts";
import { checkRoutes, formatReport } from "./check_routes.ts";
import { SimInputError } from "../simulator/mod.ts";
import { findEnvoy, NO_ENVOY } from "../simulator/envoy/find_envoy.ts";

// The seed: GAMMA route on Service my-server, `version: new` → v2, everything else → v1.
const HEADER_ROUTING = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: my-server-route, namespace: devopssong}
spec:
  parentRefs: [{name: my-server, kind: Service, group: "", port: 80}]
  rules:
  - matches: [{headers: [{name: version, value: "new"}]}]
    backendRefs: [{name: my-server-v2, port: 80}]
  - backendRefs: [{name: my-server-v1, port: 80}]
`;

const HEADER_TESTS = `tests:
- name: version new goes to v2
  request: {host: my-server, path: /, headers: {version: new}}
  expect: {backend: devopssong/my-server-v2:80, status: 200, matchedRoute: devopssong/my-server-route, matchedRule: 0}
- name: anything else goes to v1
  request: {method: POST, host: my-server, path: /orders?id=7, headers: {version: old}}
  expect:
    backend: devopssong/my-server-v1:80
    matchedRule: 1
    requestHeaders: {version: old, x-wasmroute-cluster: null}
- name: unknown hosts are left to Istio
  request: {host: other.example.com, path: /}
  expect: {backend: null, passthrough: true}
`;

Deno.test("checkRoutes passes the seed's header routing tests and finds every rule exercised", async () => {
  const report = await checkRoutes(HEADER_ROUTING, HEADER_TESTS);
  assertEquals(report.results.map((r) => [r.name, r.passed, r.failures]), [
    ["version new goes to v2", true, []],
    ["anything else goes to v1", true, []],
    ["unknown hosts are left to Istio", true, []],
  ]);
  assertEquals([report.passed, report.failed, report.unexercised], [3, 0, []]);
  assertEquals(
    formatReport(report),
    "PASS version new goes to v2\nPASS anything else goes to v1\nPASS unknown hosts are left to Istio\n3/3 passed, 0 failed; every rule exercised",
  );
});

Deno.test("checkRoutes fails a test whose expectation does not hold, with a readable line", async () => {
  const report = await checkRoutes(
    HEADER_ROUTING,
    `tests:
- name: v2 without the header
  request: {host: my-server, path: /}
  expect: {backend: devopssong/my-server-v2:80, requestHeaders: {version: new}, status: 200}
`,
  );
  assertEquals([report.passed, report.failed], [0, 1]);
  assertEquals(
    formatReport(report).split("\n")[0],
    'FAIL v2 without the header: expected backend devopssong/my-server-v2:80, got devopssong/my-server-v1:80; expected request header version = "new", got absent',
  );
  // Then why it went where it went: the host taken, and each route with its first failed condition.
  assertEquals(formatReport(report).split("\n").slice(1, 5), [
    "  why: host my-server, port 80: my-server (exact hostname, port 80, Service devopssong/my-server, for clients in devopssong) → devopssong/my-server-route rule 1",
    "  why: host my-server (port 80, Service devopssong/my-server): picked",
    "  why: devopssong/my-server-route rule 0 [PathPrefix /, header version = new]: header version is missing",
    "  why: devopssong/my-server-route rule 1 [PathPrefix /]: matched",
  ]);
});

Deno.test("checkRoutes lists the rules no test exercised", async () => {
  const report = await checkRoutes(
    HEADER_ROUTING,
    `tests:
- name: default
  request: {host: my-server, path: /}
  expect: {backend: devopssong/my-server-v1:80}
`,
  );
  assertEquals(report.unexercised, ["devopssong/my-server-route rule 0"]);
  assertEquals(
    formatReport(report).split("\n").slice(1),
    [
      "Rules no test exercised:",
      "  devopssong/my-server-route rule 0",
      "1/1 passed, 0 failed; 1 rule not exercised",
    ],
  );
});

Deno.test("checkRoutes checks weighted picks by fixed request ids", async () => {
  const routes = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: canary, namespace: sample}
spec:
  parentRefs: [{name: helloworld, kind: Service, group: "", port: 80}]
  rules:
  - backendRefs: [{name: helloworld-v1, port: 80, weight: 90}, {name: helloworld-v2, port: 80, weight: 10}]
`;
  // Each id always lands on the same backend; 1000 ids spread 90/10 within a few percent.
  const ids = Array.from({ length: 1000 }, (_, i) => `req-${i}`);
  const tests = `tests:\n${
    ids.map((id) =>
      `- {name: ${id}, request: {host: helloworld, path: /, headers: {x-request-id: ${id}}}, expect: {status: 200}}`
    ).join("\n")
  }\n`;
  const report = await checkRoutes(routes, tests);
  const v2 = report.results.filter((r) => r.decision.backend === "sample/helloworld-v2:80").length;
  const v1 = report.results.filter((r) => r.decision.backend === "sample/helloworld-v1:80").length;
  assertEquals(v1 + v2, 1000);
  assertEquals(Math.abs(v2 - 100) <= 30, true, `v2 got ${v2} of 1000`);
  const pinned = report.results[0].decision.backend;
  const again = await checkRoutes(
    routes,
    `tests:
- name: pinned
  request: {host: helloworld, path: /, headers: {x-request-id: req-0}}
  expect: {backend: ${pinned}}
`,
  );
  assertEquals(again.failed, 0);
});

Deno.test("checkRoutes checks the filter's 404 and 500 local replies", async () => {
  const routes = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: devopssong}
spec:
  parentRefs: [{name: my-server, kind: Service, group: "", port: 80}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: my-server-v1, port: 80}]
  - matches: [{path: {type: Exact, value: /down}}]
    backendRefs: [{name: my-server-v1, port: 80, weight: 0}]
`;
  const report = await checkRoutes(
    routes,
    `tests:
- name: no route for /other
  request: {host: my-server, path: /other}
  expect: {status: 404, backend: null, matchedRoute: null, passthrough: false}
- name: no backend for /down
  request: {host: my-server, path: /down}
  expect: {status: 500, backend: null, matchedRoute: devopssong/api, matchedRule: 1}
- name: /api works
  request: {host: my-server, path: /api/v1}
  expect: {status: 200, backend: devopssong/my-server-v1:80}
`,
  );
  assertEquals(report.results.map((r) => r.failures), [[], [], []]);
  assertEquals(report.unexercised, []);
});

Deno.test("checkRoutes sees header modifiers on the request and on the backend's response", async () => {
  const routes = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: http, namespace: default}
spec:
  parentRefs: [{name: gateway, namespace: istio-ingress}]
  hostnames: [httpbin.example.com]
  rules:
  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {add: [{name: my-added-header, value: added-value}], remove: [x-internal]}
    - type: ResponseHeaderModifier
      responseHeaderModifier: {set: [{name: cache-control, value: no-store}], remove: [server]}
    backendRefs: [{name: httpbin, port: 8000}]
`;
  const report = await checkRoutes(
    routes,
    `tests:
- name: headers changed both ways
  request:
    host: httpbin.example.com
    path: /get
    gateway: istio-ingress/gateway
    headers: {x-internal: "1"}
    backendResponseHeaders: {server: envoy, cache-control: max-age=60}
  expect:
    backend: default/httpbin:8000
    requestHeaders: {my-added-header: added-value, x-internal: null}
    responseHeaders: {cache-control: no-store, server: null, ":status": "200"}
    routerHeaders: {x-envoy-max-retries: null}
`,
  );
  assertEquals(report.results[0].failures, []);
});

Deno.test("checkRoutes refuses malformed TESTS files with an error naming the field", async () => {
  const error = async (tests: string) =>
    (await assertRejects(() => checkRoutes(HEADER_ROUTING, tests))) as SimInputError;
  const cases: [string, string][] = [
    ["tests: {}", "tests: expected a list"],
    ["test: []", "test: unknown field (expected one of tests)"],
    ["tests: []", "tests: expected at least one test"],
    ["tests: [{name: a, request: {host: h, path: /}}]", "tests[0].expect: required"],
    ["tests: [{name: a, request: {host: h}, expect: {status: 200}}]", "tests[0].request.path: required"],
    [
      'tests: [{name: a, request: {host: h, path: /}, expect: {status: 200}}, {name: b, request: {host: h, path: /}, expect: {status: "404"}}]',
      "tests[1].expect.status: expected a number",
    ],
    [
      "tests: [{name: a, request: {host: h, path: /}, expect: {}}]",
      "tests[0].expect: expected at least one of",
    ],
    [
      "tests: [{name: a, request: {host: h, path: /}, expect: {stauts: 200}}]",
      "tests[0].expect.stauts: unknown field",
    ],
    [
      "tests: [{name: a, request: {host: h, path: /, headers: {v: 1}}, expect: {status: 200}}]",
      "tests[0].request.headers.v: expected a string",
    ],
    [
      "tests: [{name: a, request: {host: h, path: /}, expect: {requestHeaders: {v: 1}}}]",
      "tests[0].expect.requestHeaders.v: expected a string or null",
    ],
    [
      "tests: [{name: a, request: {host: h, path: /}, expect: {status: 1}}, {name: a, request: {host: h, path: /}, expect: {status: 1}}]",
      'tests[1].name: duplicate test name "a"',
    ],
    ["tests: [a", "invalid YAML at line 1"],
  ];
  for (const [tests, message] of cases) {
    const e = await error(tests);
    assertEquals(e instanceof SimInputError, true, `${tests}: ${e.stack}`);
    assertEquals(e.message.startsWith(message), true, `${tests}: got "${e.message}"`);
    assertEquals(e.message.includes("\n"), false);
  }
});

// --- CLI ----------------------------------------------------------------------------------------

const run = (args: string[], files: Record<string, string> = {}) =>
  runScript("tools/check_routes.ts", args, files);

Deno.test("the check-routes CLI exits 0 when every test passes, 1 on a failure, 2 on bad input", async () => {
  const ok = await run(["$DIR/routes.yaml", "$DIR/tests.yaml"], {
    "routes.yaml": HEADER_ROUTING,
    "tests.yaml": HEADER_TESTS,
  });
  assertEquals(ok.code, 0, ok.stderr);
  assertEquals(ok.stdout.trim().split("\n").at(-1), "3/3 passed, 0 failed; every rule exercised");

  const failing = await run(["$DIR/routes", "$DIR/t.yml"], {
    "routes/header-routing.yaml": HEADER_ROUTING,
    "t.yml":
      "tests:\n- name: wrong\n  request: {host: my-server, path: /}\n  expect: {backend: devopssong/my-server-v2:80}\n",
  });
  assertEquals(failing.code, 1, failing.stderr);
  assertMatch(
    failing.stdout,
    /^FAIL wrong: expected backend devopssong\/my-server-v2:80, got devopssong\/my-server-v1:80\n/,
  );

  const malformed = await run(["$DIR/routes.yaml", "$DIR/tests.yaml"], {
    "routes.yaml": HEADER_ROUTING,
    "tests.yaml": "tests:\n- name: x\n  request: {host: my-server, path: /}\n  expect: {status: ok}\n",
  });
  assertEquals(malformed.code, 2);
  assertMatch(
    malformed.stderr,
    /^check-routes: \S*tests\.yaml: tests\[0\]\.expect\.status: expected a number\n$/,
  );

  const badRoute = await run(["$DIR/routes.yaml", "$DIR/tests.yaml"], {
    "routes.yaml": HEADER_ROUTING.replace("port: 80}]\n  - backendRefs", "port: 0}]\n  - backendRefs"),
    "tests.yaml": HEADER_TESTS,
  });
  assertEquals(badRoute.code, 2);
  assertMatch(badRoute.stderr, /^check-routes: [^\n]*spec\.rules\[0\]\.backendRefs\[0\]\.port[^\n]*\n$/);

  const usage = await run(["$DIR/routes.yaml"], {});
  assertEquals([usage.code, usage.stderr], [
    2,
    "check-routes: expected two arguments, ROUTES and TESTS (see --help)\n",
  ]);
});

Deno.test("the check-routes CLI can fail on unexercised rules and print decisions", async () => {
  const files = {
    "routes.yaml": HEADER_ROUTING,
    "tests.yaml": "tests:\n- name: default\n  request: {host: my-server, path: /}\n  expect: {status: 200}\n",
  };
  assertEquals((await run(["$DIR/routes.yaml", "$DIR/tests.yaml"], files)).code, 0);
  const strict = await run(["--fail-unexercised", "--details", "$DIR/routes.yaml", "$DIR/tests.yaml"], files);
  assertEquals(strict.code, 1);
  assertEquals(JSON.parse(strict.stdout.split("\n")[1]).backend, "devopssong/my-server-v1:80");
});

Deno.test("the check-routes CLI runs the tests in a real Envoy with --host envoy, and refuses another host", async () => {
  const files = { "routes.yaml": HEADER_ROUTING, "tests.yaml": HEADER_TESTS };
  const bad = await run(["--host", "nginx", "$DIR/routes.yaml", "$DIR/tests.yaml"], files);
  assertEquals([bad.code, bad.stderr], [2, 'check-routes: --host "nginx": expected emulator or envoy\n']);
  if (!await findEnvoy()) return console.log(NO_ENVOY);
  // The task's own permissions: Envoy is a subprocess, reached on loopback.
  const envoy = await runScript(
    "tools/check_routes.ts",
    ["--host", "envoy", "$DIR/routes.yaml", "$DIR/tests.yaml"],
    files,
    [
      "--allow-run",
      "--allow-net=127.0.0.1",
    ],
  );
  assertEquals(envoy.code, 0, envoy.stderr);
  assertEquals(envoy.stdout.trim().split("\n").at(-1), "3/3 passed, 0 failed; every rule exercised");
});

Deno.test("checkRoutes on a failed mesh test says the destination's Service chose the routes, not the Host", async () => {
  const report = await checkRoutes(
    await Deno.readTextFile("tests/conformance/mesh-frontend-routing/resources.yaml"),
    `tests:
- name: a Host naming reviews goes to reviews
  request: {host: reviews, path: /, mesh: {clientNamespace: shop, destinationService: ratings, destinationPort: 9080}}
  expect: {matchedRoute: shop/reviews-route}
`,
  );
  assertEquals(report.failed, 1);
  assertEquals(formatReport(report).split("\n").slice(0, 3), [
    "FAIL a Host naming reviews goes to reviews: expected matchedRoute shop/reviews-route, got shop/ratings-route",
    "  why: host reviews, port 9080: ratings.shop.svc.cluster.local (by the destination 10.96.10.21:9080; its Service's name, any port, Service shop/ratings) → shop/ratings-route rule 0",
    '  why: destination: addressed to 10.96.10.21:9080, a frontend of Service shop/ratings: the virtual host is chosen by that Service\'s name ratings.shop.svc.cluster.local; the Host "reviews" names Service shop/reviews, whose routes do not apply to it',
  ]);
});
