// The Envoy benchmark's configurations load in the real Envoy and route: each of (a) native routes,
// (b) the no-op wasm module and (c) wasmroute, on a small table of each shape, answers requests
// through the cluster of the rule they were made for. The full benchmark is not run in CI; this
// keeps its configurations from rotting.
import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { findEnvoy, NO_ENVOY } from "../../simulator/envoy/find_envoy.ts";
import {
  BACKEND_LISTENER,
  benchBootstrap,
  checkRouting,
  CONFIGURATIONS,
  freePort,
  startBenchEnvoy,
} from "./envoy_bench_config.ts";
import { envoyBenchTable, LAST_ROUTES } from "./envoy_bench_table.ts";
import { FILTER_WASM } from "./fixtures.ts";
import { nativeVirtualHosts } from "./native_routes.ts";
import { parse } from "yaml";
import type { EnvoyFilterSpec } from "../../simulator/envoy/apply_envoy_filter.ts";
import { ENVOY_FILTER_MANIFEST } from "../../simulator/envoy/envoy_host.ts";

type Json = Record<string, unknown>;

const envoy = await findEnvoy();
if (!envoy) console.log(NO_ENVOY);
const built = await Deno.stat(FILTER_WASM).then(() => true, () => false);

Deno.test("nativeVirtualHosts() writes one route per match, in the compiler's order", async () => {
  const table = await envoyBenchTable(40, "perHost", 8080, 8);
  const vhosts = nativeVirtualHosts(table.ir, 8080);
  assertEquals(vhosts.length, 4);
  const first = vhosts[0] as { name: string; domains: string[]; routes: Json[] };
  const host = table.ir.vhosts[0].hostnames[0];
  assertEquals(first.name, `${host}:8080`);
  assertEquals(first.domains, [host, `${host}:*`]);
  assertEquals(first.routes.length, 10);
  // Exact paths come first in Gateway API precedence.
  const kinds = first.routes.map((r) => Object.keys(r.match as Json)[0]);
  assertEquals(kinds.lastIndexOf("path") < kinds.indexOf("path_separated_prefix"), true);
  const clusters = first.routes.map((r) => (r.route as { cluster: string }).cluster);
  assertEquals(clusters, table.ir.vhosts[0].routes.map((e) => e.action.backends[0].cluster));
});

Deno.test("envoyBenchTable() sends oneHost requests to the last routes only", async () => {
  const table = await envoyBenchTable(100, "oneHost", 8080, 64);
  const last = table.ir.vhosts[0].routes.slice(-LAST_ROUTES).map((e) => e.action.backends[0].cluster);
  assertEquals(table.requests.every((r) => last.includes(r.cluster)), true);
});

Deno.test("benchBootstrap() binds on loopback, adds the backend, drops the wasm filter where asked", async () => {
  const table = await envoyBenchTable(10, "perHost", 18000, 4);
  const ports = { listener: 18000, backend: 18001 };
  const base = { table, ports, ecdsPath: "/nonexistent", envoyFilter: { configPatches: [] } };
  const filters = (b: Json) => {
    const l = (b.static_resources as { listeners: Json[] }).listeners;
    assertEquals(l.map((x) => x.name), ["0.0.0.0_18000", BACKEND_LISTENER]);
    const hcm = ((l[0].filter_chains as Json[])[0].filters as Json[])[0].typed_config as Json;
    return (hcm.http_filters as Json[]).map((f) => f.name);
  };
  assertEquals(filters(benchBootstrap({ ...base, configuration: "native" })), ["envoy.filters.http.router"]);
  assertEquals(filters(benchBootstrap({ ...base, configuration: "noop" })), [
    "istio-system.noop",
    "envoy.filters.http.router",
  ]);
  assertEquals(filters(benchBootstrap({ ...base, configuration: "wasmroute", withoutWasm: true })), [
    "envoy.filters.http.router",
  ]);
  const manifest = parse(await Deno.readTextFile(ENVOY_FILTER_MANIFEST)).spec as EnvoyFilterSpec;
  const glue = benchBootstrap({ ...base, envoyFilter: manifest, configuration: "glue" });
  assertEquals(filters(glue), ["wasmroute.strip-internal-headers", "envoy.filters.http.router"]);
  const listener = (glue.static_resources as { listeners: Json[] }).listeners[0];
  const hcm = ((listener.filter_chains as Json[])[0].filters as Json[])[0].typed_config as Json;
  const vhosts = (hcm.route_config as { virtual_hosts: { routes: { name: string }[] }[] }).virtual_hosts;
  assertEquals(vhosts.map((v) => v.routes[0].name), vhosts.map(() => "wasmroute-cluster-header"));
});

Deno.test("nativeVirtualHosts() refuses what it does not translate", () => {
  const action = {
    route: "ns/r",
    rule: 0,
    backends: [],
    filters: [{ kind: "RequestHeaderSet" as const, name: "a" }],
  };
  const table = {
    generation: 1,
    vhosts: [{ hostnames: ["h"], mode: "gateway" as const, port: 80, routes: [{ conditions: [], action }] }],
  };
  assertThrows(() => nativeVirtualHosts(table, 80), RangeError);
});

Deno.test({
  name: "each bench configuration loads in Envoy and routes every request to its rule's cluster",
  ignore: !envoy || !built,
  async fn(t) {
    for (const shape of ["perHost", "oneHost"] as const) {
      const table = await envoyBenchTable(shape === "perHost" ? 30 : 20, shape, await freePort(), 32);
      for (const configuration of [...CONFIGURATIONS, "glue" as const, "callbacks" as const]) {
        await t.step(`${configuration}, ${shape}`, async () => {
          const b = await startBenchEnvoy({ envoy: envoy!, configuration, table });
          try {
            const check = await checkRouting(b, table, 16);
            assertEquals(check.problems, []);
            assertEquals(check.correct, 16);
            // The wasm configurations run their module: a live V8 VM, the ECDS configuration applied.
            const stats = await b.envoy.stats(
              "^wasm\\.envoy\\.wasm\\.runtime\\.v8\\.active$|update_success$",
            );
            const vms = stats.get("wasm.envoy.wasm.runtime.v8.active") ?? 0;
            const applied = [...stats].filter(([k]) => k.endsWith("update_success")).map(([, v]) => v);
            if (configuration === "native" || configuration === "glue") assertEquals([vms, applied], [0, []]);
            else assert(vms > 0 && applied[0] === 1, `no wasm VM ran: ${JSON.stringify([...stats])}`);
          } finally {
            await b.envoy.close();
          }
        });
      }
    }
  },
});
