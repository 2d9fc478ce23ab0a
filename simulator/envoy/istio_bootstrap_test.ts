import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { istioBootstrap, parseIstioCluster, wasmExtensionConfig } from "./istio_bootstrap.ts";

// deno-lint-ignore no-explicit-any
type Json = any;
const base = {
  ports: [80, 9080],
  upstreams: [
    { cluster: "outbound|80||web.shop.svc.cluster.local", address: "127.0.0.1", port: 1 },
    { cluster: "outbound|9080||reviews.bookinfo.svc.cluster.local", address: "127.0.0.1", port: 2 },
  ],
  passthrough: { address: "127.0.0.1", port: 3 },
  envoyFilter: { configPatches: [] },
  nodeMetadata: { NAMESPACE: "shop" },
};
const listeners = (b: Json) => b.static_resources.listeners as Json[];
const hcmOf = (l: Json) => l.filter_chains[0].filters[0].typed_config;

Deno.test("a sidecar: Istio's listener per service port, its route configuration named by the port, a vhost per Service with the names a client may use", () => {
  const b: Json = istioBootstrap({
    ...base,
    plugins: [{ filterName: "istio-system.wasmroute", ecdsPath: "/e.json", flavour: "sidecar" }],
  });
  const istio = listeners(b).filter((l) => l.internal_listener);
  assertEquals(istio.map((l) => l.name), ["0.0.0.0_80", "0.0.0.0_9080"]);
  const rc = hcmOf(istio[0]).route_config;
  assertEquals(rc.name, "80");
  assertEquals(rc.virtual_hosts.map((v: Json) => v.name), ["web.shop.svc.cluster.local:80", "allow_any"]);
  assertEquals(rc.virtual_hosts[0].domains, [
    "web.shop.svc.cluster.local",
    "web.shop.svc",
    "web.shop",
    "web",
  ]);
  assertEquals(hcmOf(istio[1]).route_config.virtual_hosts[0].domains, [
    "reviews.bookinfo.svc.cluster.local",
    "reviews.bookinfo.svc",
    "reviews.bookinfo",
  ], "the bare name only in the proxy's own namespace");
  assertEquals(b.node.metadata, { NAMESPACE: "shop" });
});

Deno.test("each port is reached through a loopback listener that restores the Service's port as the original destination", () => {
  const b: Json = istioBootstrap({
    ...base,
    clientPorts: { 9080: 10001 },
    plugins: [{ filterName: "f", ecdsPath: "/e.json", flavour: "sidecar" }],
  });
  const client = listeners(b).find((l) => l.name === "client_0_9080");
  assertEquals(client.address.socket_address.port_value, 10001);
  const state = client.filter_chains[0].filters[0].typed_config.on_new_connection[0];
  assertEquals([state.object_key, state.format_string.text_format_source.inline_string], [
    "envoy.filters.listener.original_dst.local_ip",
    "10.96.0.1:9080",
  ]);
  const istio = listeners(b).find((l) => l.name === "0.0.0.0_9080");
  assertEquals(istio.listener_filters[0].name, "envoy.filters.listener.original_dst");
});

Deno.test("a gateway: route configuration http.PORT, Istio's server name, and :scheme https behind a TLS port", () => {
  const b: Json = istioBootstrap({
    ...base,
    ports: [443],
    httpsPorts: [443],
    plugins: [{ filterName: "f", ecdsPath: "/e.json", flavour: "gateway" }],
  });
  const hcm = hcmOf(listeners(b).find((l) => l.name === "0.0.0.0_443"));
  assertEquals(hcm.route_config.name, "http.443");
  assertEquals(hcm.server_name, "istio-envoy");
  assertEquals(hcm.scheme_header_transformation, { scheme_to_overwrite: "https" });
  assertEquals(hcm.http_filters[0].config_discovery.config_source.path_config_source.path, "/e.json");
});

Deno.test("wasmExtensionConfig names the resource as the filter and sets the failure policy Envoy's way", () => {
  const c: Json = wasmExtensionConfig({
    filterName: "istio-system.x",
    wasmPath: "/f.wasm",
    pluginConfig: "{}",
    failStrategy: "FAIL_CLOSE",
  });
  assertEquals(c.resources[0].name, "istio-system.x");
  assertEquals(c.resources[0].typed_config.config.failure_policy, "FAIL_CLOSED");
});

Deno.test("parseIstioCluster reads outbound|PORT|SUBSET|HOST names and nothing else", () => {
  assertEquals(parseIstioCluster("outbound|80|v2|web.shop.svc.cluster.local"), {
    host: "web.shop.svc.cluster.local",
    port: 80,
  });
  assertEquals(parseIstioCluster("PassthroughCluster"), undefined);
});

Deno.test("each Service frontend gets its own client listener restoring its cluster IP and port", () => {
  const b: Json = istioBootstrap({
    ...base,
    ports: [9080],
    frontends: [{ address: "10.96.10.20", port: 9080 }, { address: "fd00::14", port: 9080 }],
    plugins: [{ filterName: "f", ecdsPath: "/e.json", flavour: "sidecar" }],
  });
  const restored = (name: string) => {
    const l = listeners(b).find((l) => l.name === name);
    return [
      l.filter_chains[0].filters[0].typed_config.on_new_connection[0].format_string.text_format_source
        .inline_string,
      l.filter_chains[0].filters[1].typed_config.cluster,
    ];
  };
  assertEquals(restored("client_0_9080"), ["10.96.0.1:9080", "internal|0.0.0.0_9080"]);
  assertEquals(restored("client_0_9080_10_96_10_20"), ["10.96.10.20:9080", "internal|0.0.0.0_9080"]);
  assertEquals(restored("client_0_9080_fd00__14"), ["[fd00::14]:9080", "internal|0.0.0.0_9080"]);
  assertThrows(
    () =>
      istioBootstrap({
        ...base,
        ports: [80],
        frontends: [{ address: "10.96.10.20", port: 9080 }],
        plugins: [{ filterName: "f", ecdsPath: "/e.json", flavour: "sidecar" }],
      }),
    RangeError,
  );
});
