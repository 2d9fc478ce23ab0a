// The simulator's two hosts give the same decision, field for field, for requests of every kind the
// examples use (header routing, weights, mirrors, redirects, rewrites, a pass), except where Envoy
// shows something else by design (the module doc of envoy_simulator.ts).
import { assertEquals } from "../../tests/assert.ts";
import { findEnvoy, NO_ENVOY } from "./find_envoy.ts";
import { loadResources, simulate } from "../../tools/simulate.ts";
import type { SimDecision, SimRequest } from "../simulate.ts";

const envoy = await findEnvoy();
if (!envoy) console.log(NO_ENVOY);

const CASES: [string, SimRequest[]][] = [
  ["examples/header-routing/routes.yaml", [
    { host: "my-server", path: "/", headers: { version: "new" } },
    { host: "my-server", path: "/" },
    { host: "unknown.example", path: "/" },
  ]],
  [
    "examples/canary/routes.yaml",
    Array.from(
      { length: 20 },
      (_, i) => ({ host: "helloworld", path: "/hello", headers: { "x-request-id": `id-${i}` } }),
    ),
  ],
  ["examples/mirroring/routes.yaml", [{
    host: "helloworld",
    path: "/hello",
    headers: { "x-request-id": "m-1" },
  }]],
  ["tests/conformance/httproute-redirect-path/resources.yaml", [
    { host: "paths.test", path: "/legacy/docs/intro", gateway: "infra/edge" },
    { host: "nowhere.test", path: "/", gateway: "infra/edge" },
  ]],
  ["tests/conformance/httproute-rewrite-host/resources.yaml", [
    { host: "public.test", path: "/one/page", gateway: "infra/edge" },
    { host: "public.test", path: "/two/items?id=3", gateway: "infra/edge" },
  ]],
  ["tests/conformance/httproute-request-mirror/resources.yaml", [
    {
      host: "mirror.test",
      path: "/one",
      gateway: "infra/edge",
      backendResponseHeaders: { ":status": "201", "x-from": "primary" },
    },
  ]],
];

/**
 * What Envoy reports differently by design: the router's view of timeouts, its own marker, and what
 * Istio's own routes do with a request the filter passes (outside the simulation in either host).
 */
function comparable(d: SimDecision): Partial<SimDecision> {
  const { envoyRouter: _e, routerHeaders: _r, ...rest } = d;
  if (!d.passthrough) return rest;
  const { requestHeaders: _q, responseHeaders: _s, ...decision } = rest;
  return decision;
}

for (const [file, requests] of CASES) {
  Deno.test({
    name: `simulate in Envoy decides as the in-repo host does: ${file}`,
    ignore: !envoy,
    fn: async () => {
      const resources = await loadResources(file);
      const ours = await simulate(resources, requests);
      const envoys = await simulate(resources, requests, { host: "envoy", envoy });
      assertEquals(envoys.map(comparable), ours.map(comparable));
    },
  });
}
