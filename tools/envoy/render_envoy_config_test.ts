import { join } from "node:path";
import { parse, stringify } from "yaml";
import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { loadRoutes } from "./load_routes.ts";
import {
  AUTHORITY_HEADER,
  CLUSTER_HEADER,
  CLUSTER_HEADER_ROUTE,
  INTERNAL_HEADERS,
  renderEnvoyConfig,
  STRIP_INTERNAL_HEADERS,
} from "./render_envoy_config.ts";
import { tableBackends } from "./table_backends.ts";

const root = new URL("../../", import.meta.url).pathname;
// deno-lint-ignore no-explicit-any
type Json = any;
const MANIFEST = join(root, "manifests/istio/envoyfilter-cluster-header.yaml");

async function render(target: string) {
  const compiled = await compile((await loadRoutes(target)).routes, { generation: 3 });
  const upstreams = tableBackends(compiled.table).map((b, i) => ({
    cluster: b.cluster,
    address: "127.0.0.1",
    port: 20000 + i,
  }));
  const config = await renderEnvoyConfig(compiled, upstreams, {
    wasmPath: "/abs/filter.wasm",
    ecdsPath: "/abs/ecds.json",
  });
  const listeners: Json[] = (config.bootstrap.static_resources as Json).listeners;
  const hcms = listeners.filter((l) => l.internal_listener).map((l) =>
    l.filter_chains[0].filters[0].typed_config
  );
  return { compiled, upstreams, config, listeners, hcms };
}

Deno.test("the simulator's glue facts are the EnvoyFilter's: the cluster_header route and the header-stripping filter", async () => {
  assertEquals([...INTERNAL_HEADERS].sort(), [AUTHORITY_HEADER, CLUSTER_HEADER].sort());
  const { configPatches } = parse(await Deno.readTextFile(MANIFEST)).spec;
  assertEquals(configPatches.map((p: Json) => `${p.applyTo} ${p.match.context}`).sort(), [
    "HTTP_FILTER GATEWAY",
    "HTTP_FILTER SIDECAR_OUTBOUND",
    "HTTP_ROUTE GATEWAY",
    "HTTP_ROUTE SIDECAR_OUTBOUND",
  ]);
  for (const patch of configPatches) {
    assertEquals(patch.patch.operation, "INSERT_FIRST");
    assertEquals(
      patch.patch.value,
      patch.applyTo === "HTTP_ROUTE" ? CLUSTER_HEADER_ROUTE : STRIP_INTERNAL_HEADERS,
    );
  }
});

Deno.test("renderEnvoyConfig applies the EnvoyFilter to Istio's listeners: strip first, the wasm filter by ECDS, the router last", async () => {
  const { hcms } = await render(join(root, "examples/header-routing"));
  assertEquals(hcms.length, 1);
  const names = hcms[0].http_filters.map((f: Json) => f.name);
  assertEquals(names, [STRIP_INTERNAL_HEADERS.name, "istio-system.wasmroute", "envoy.filters.http.router"]);
  assertEquals(
    hcms[0].http_filters[1].config_discovery.config_source.path_config_source.path,
    "/abs/ecds.json",
  );
  for (const vhost of hcms[0].route_config.virtual_hosts) assertEquals(vhost.routes[0], CLUSTER_HEADER_ROUTE);
  assertEquals(hcms[0].route_config.name, "80");
});

Deno.test("renderEnvoyConfig: the ECDS file holds the pluginConfig the policy server renders, with the failure policy set", async () => {
  const { config, compiled } = await render(join(root, "examples/canary"));
  const resource = (config.ecds as Json).resources[0];
  assertEquals(resource.name, "istio-system.wasmroute");
  const wasm = resource.typed_config.config;
  assertEquals(wasm.failure_policy, "FAIL_CLOSED");
  assertEquals(wasm.vm_config.code.local.filename, "/abs/filter.wasm");
  assertEquals(JSON.parse(wasm.configuration.value).sha256, compiled.sha256);
});

Deno.test("renderEnvoyConfig: one loopback listener per service port, from 10000, restoring the port; Istio's clusters", async () => {
  const { config, listeners, upstreams } = await render(join(root, "examples/canary"));
  assertEquals([...config.ports], [[80, 10000]]);
  const client = listeners.find((l) => l.name === "client_0_80");
  assertEquals(client.address.socket_address.port_value, 10000);
  assertEquals(
    client.filter_chains[0].filters[0].typed_config.on_new_connection[0].format_string.text_format_source
      .inline_string,
    "10.96.0.1:80",
  );
  const clusters = ((config.bootstrap.static_resources as Json).clusters as Json[]).map((c) => c.name);
  for (const u of upstreams) assertEquals(clusters.includes(u.cluster), true, u.cluster);
  assertEquals(parse(stringify(config.bootstrap, { lineWidth: 0 })), config.bootstrap);
});

Deno.test("renderEnvoyConfig refuses a table backend without an address", async () => {
  const compiled = await compile((await loadRoutes(join(root, "examples/canary"))).routes, { generation: 1 });
  await assertRejects(
    () => renderEnvoyConfig(compiled, [], { wasmPath: "/w", ecdsPath: "/e" }),
    "no address for cluster(s)",
  );
});
