import { join } from "node:path";
import { parse } from "yaml";
import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { loadRoutes } from "./load_routes.ts";
import {
  AUTHORITY_HEADER,
  type BackendAddress,
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

/** Every route file of every example. */
async function exampleRouteFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const dir of Deno.readDir(join(root, "examples"))) {
    if (!dir.isDirectory) continue;
    for await (const f of Deno.readDir(join(root, "examples", dir.name))) {
      if (/^routes.*\.yaml$/.test(f.name)) files.push(join(root, "examples", dir.name, f.name));
    }
  }
  return files.sort();
}

async function render(file: string) {
  const compiled = await compile((await loadRoutes(file)).routes, { generation: 3 });
  const backends: BackendAddress[] = tableBackends(compiled.table)
    .map((b, i) => ({ cluster: b.cluster, address: "127.0.0.1", port: 20000 + i }));
  const config: Json = renderEnvoyConfig(compiled, backends, { wasmPath: "/abs/filter.wasm" });
  const hcm = config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  return { compiled, backends, config, hcm };
}

Deno.test("renderEnvoyConfig: a listener on 127.0.0.1:10000 whose chain strips the internal headers, runs the wasm filter, then the router", async () => {
  const { config, hcm } = await render(join(root, "examples/header-routing"));
  assertEquals(Object.keys(config), ["admin", "static_resources"]);
  assertEquals(config.admin.address.socket_address, { address: "127.0.0.1", port_value: 9901 });
  const [listener] = config.static_resources.listeners;
  assertEquals(listener.address.socket_address, { address: "127.0.0.1", port_value: 10000 });
  assertEquals(listener.filter_chains[0].filters[0].name, "envoy.filters.network.http_connection_manager");
  assertEquals(
    hcm["@type"],
    "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
  );
  assertEquals(hcm.http_filters.map((f: Json) => [f.name, f.typed_config["@type"]]), [
    [
      "wasmroute.strip-internal-headers",
      "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
    ],
    ["envoy.filters.http.wasm", "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"],
    ["envoy.filters.http.router", "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"],
  ]);
  const wasm = hcm.http_filters[1].typed_config.config;
  assertEquals(wasm.vm_config, {
    runtime: "envoy.wasm.runtime.v8",
    code: { local: { filename: "/abs/filter.wasm" } },
  });
  assertEquals(wasm.configuration["@type"], "type.googleapis.com/google.protobuf.StringValue");
});

Deno.test("renderEnvoyConfig passes the filter the JSON Istio builds from pluginConfig, blob included", async () => {
  for (const file of await exampleRouteFiles()) {
    const { compiled, hcm } = await render(file);
    const json = JSON.parse(hcm.http_filters[1].typed_config.config.configuration.value);
    assertEquals(Object.keys(json), ["blob", "version", "sha256"], file);
    assertEquals(Uint8Array.fromBase64(json.blob), compiled.blob, file);
    assertEquals([json.version, json.sha256], ["3", compiled.sha256], file);
  }
});

Deno.test("renderEnvoyConfig: the clusters are the table's backends, named as Istio names them", async () => {
  for (const file of await exampleRouteFiles()) {
    const { compiled, backends, config } = await render(file);
    const clusters = config.static_resources.clusters;
    assertEquals(
      clusters.map((c: Json) => c.name).sort(),
      tableBackends(compiled.table).map((b) => b.cluster).sort(),
      file,
    );
    for (const [i, c] of clusters.entries()) {
      assert(
        /^outbound\|\d+\|\|[a-z0-9-]+\.[a-z0-9-]+\.svc\.(cluster|clusterset)\.local$/.test(c.name),
        c.name,
      );
      assertEquals(c.type, "STATIC");
      assertEquals(c.load_assignment.cluster_name, c.name);
      assertEquals(c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, {
        address: "127.0.0.1",
        port_value: backends[i].port,
      });
    }
  }
});

Deno.test("renderEnvoyConfig: the cluster_header route comes first, exactly as the EnvoyFilter inserts it", async () => {
  const envoyFilter = parse(
    await Deno.readTextFile(join(root, "manifests/istio/envoyfilter-cluster-header.yaml")),
  );
  const routePatches = envoyFilter.spec.configPatches.filter((p: Json) => p.applyTo === "HTTP_ROUTE");
  assertEquals(routePatches.map((p: Json) => p.match.context).sort(), ["GATEWAY", "SIDECAR_OUTBOUND"]);
  for (const patch of routePatches) {
    assertEquals(patch.patch.operation, "INSERT_FIRST");
    assertEquals(CLUSTER_HEADER_ROUTE, patch.patch.value);
  }

  const { hcm } = await render(join(root, "examples/canary"));
  const [vhost] = hcm.route_config.virtual_hosts;
  assertEquals(vhost.domains, ["*"]);
  assertEquals(vhost.routes[0], CLUSTER_HEADER_ROUTE);
  assertEquals(vhost.routes.length, 2);
  assertEquals(vhost.routes[1].match, { prefix: "/" });
  assertEquals(vhost.routes[1].direct_response.status, 404);
});

Deno.test("renderEnvoyConfig: the filter stripping the internal headers comes first, exactly as the EnvoyFilter inserts it", async () => {
  assertEquals([...INTERNAL_HEADERS].sort(), [AUTHORITY_HEADER, CLUSTER_HEADER].sort());
  assertEquals(
    STRIP_INTERNAL_HEADERS.typed_config.mutations.request_mutations,
    INTERNAL_HEADERS.map((remove) => ({ remove })),
  );

  const envoyFilter = parse(
    await Deno.readTextFile(join(root, "manifests/istio/envoyfilter-cluster-header.yaml")),
  );
  const { configPatches } = envoyFilter.spec;
  assertEquals(
    configPatches.map((p: Json) => p.applyTo).sort(),
    ["HTTP_FILTER", "HTTP_FILTER", "HTTP_ROUTE", "HTTP_ROUTE"],
  );
  const filterPatches = configPatches.filter((p: Json) => p.applyTo === "HTTP_FILTER");
  // Every proxy the route is inserted into strips the headers first: both contexts, every HTTP
  // connection manager, first in its chain.
  assertEquals(filterPatches.map((p: Json) => p.match.context).sort(), ["GATEWAY", "SIDECAR_OUTBOUND"]);
  for (const patch of filterPatches) {
    assertEquals(patch.match.listener, {
      filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } },
    });
    assertEquals(patch.patch.operation, "INSERT_FIRST");
    assertEquals(STRIP_INTERNAL_HEADERS, patch.patch.value);
  }

  for (const file of await exampleRouteFiles()) {
    const { hcm } = await render(file);
    assertEquals(hcm.http_filters[0], STRIP_INTERNAL_HEADERS, file);
    assertEquals(hcm.http_filters[1].name, "envoy.filters.http.wasm", file);
  }
});

Deno.test("renderEnvoyConfig serialises to YAML that reads back the same", async () => {
  const { stringify } = await import("yaml");
  const { config } = await render(join(root, "examples/gateway-header-modifier"));
  assertEquals(parse(stringify(config, { lineWidth: 0 })), config);
});

Deno.test("renderEnvoyConfig refuses a table backend without an address", async () => {
  const compiled = await compile((await loadRoutes(join(root, "examples/canary"))).routes, { generation: 1 });
  const [first] = tableBackends(compiled.table);
  assertThrows(
    () =>
      renderEnvoyConfig(compiled, [{ cluster: first.cluster, address: "127.0.0.1", port: 1 }], {
        wasmPath: "/f",
      }),
    Error,
    "helloworld-v2",
  );
});

Deno.test("renderEnvoyConfig honours the listener and admin ports", async () => {
  const compiled = await compile([], { generation: 1 });
  const config: Json = renderEnvoyConfig(compiled, [], {
    wasmPath: "/f",
    listenerPort: 18000,
    adminPort: 19901,
  });
  assertEquals(config.static_resources.listeners[0].address.socket_address.port_value, 18000);
  assertEquals(config.admin.address.socket_address.port_value, 19901);
  assertEquals(config.static_resources.clusters, []);
});
