import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { applyEnvoyFilter, type PatchableListener } from "./apply_envoy_filter.ts";

const HCM = "envoy.filters.network.http_connection_manager";
const listener = (context: PatchableListener["context"], port: number): PatchableListener => ({
  context,
  port,
  listener: {
    filter_chains: [{
      filters: [{
        name: HCM,
        typed_config: {
          http_filters: [{ name: "router" }],
          route_config: {
            name: `${port}`,
            virtual_hosts: [{ name: "a", routes: [{ name: "default" }] }, { name: "b", routes: [] }],
          },
        },
      }],
    }],
  },
});
const hcm = (l: PatchableListener) =>
  (l.listener.filter_chains as { filters: { typed_config: Record<string, unknown> }[] }[])[0].filters[0]
    .typed_config;

Deno.test("applyEnvoyFilter inserts HTTP filters and routes first, in the listeners of the patch's context only", () => {
  const sidecar = listener("SIDECAR_OUTBOUND", 80), gateway = listener("GATEWAY", 8080);
  applyEnvoyFilter({
    configPatches: [
      {
        applyTo: "HTTP_FILTER",
        match: { context: "SIDECAR_OUTBOUND", listener: { filterChain: { filter: { name: HCM } } } },
        patch: { operation: "INSERT_FIRST", value: { name: "strip" } },
      },
      {
        applyTo: "HTTP_ROUTE",
        match: { context: "SIDECAR_OUTBOUND", routeConfiguration: { vhost: {} } },
        patch: { operation: "INSERT_FIRST", value: { name: "first" } },
      },
    ],
  }, [sidecar, gateway]);
  assertEquals((hcm(sidecar).http_filters as { name: string }[]).map((f) => f.name), ["strip", "router"]);
  assertEquals((hcm(gateway).http_filters as { name: string }[]).map((f) => f.name), ["router"]);
  const vhosts =
    (hcm(sidecar).route_config as { virtual_hosts: { routes: { name: string }[] }[] }).virtual_hosts;
  assertEquals(vhosts.map((v) => v.routes.map((r) => r.name)), [["first", "default"], ["first"]]);
});

Deno.test("applyEnvoyFilter honours a port and a vhost name in the match", () => {
  const p80 = listener("GATEWAY", 80), p81 = listener("GATEWAY", 81);
  applyEnvoyFilter({
    configPatches: [{
      applyTo: "HTTP_ROUTE",
      match: { context: "ANY", routeConfiguration: { portNumber: 81, vhost: { name: "b" } } },
      patch: { operation: "INSERT_FIRST", value: { name: "only-b" } },
    }],
  }, [p80, p81]);
  const names = (l: PatchableListener) =>
    (hcm(l).route_config as { virtual_hosts: { routes: { name: string }[] }[] }).virtual_hosts.map((v) =>
      v.routes.length
    );
  assertEquals([names(p80), names(p81)], [[1, 0], [1, 1]]);
});

Deno.test("applyEnvoyFilter refuses the patch forms it does not implement, never skipping them silently", () => {
  const patch = (applyTo: string, operation: string) => ({
    configPatches: [{ applyTo, patch: { operation, value: {} } }],
  });
  assertThrows(
    () => applyEnvoyFilter(patch("HTTP_FILTER", "MERGE"), [listener("GATEWAY", 80)]),
    Error,
    "operation MERGE",
  );
  assertThrows(
    () => applyEnvoyFilter(patch("CLUSTER", "INSERT_FIRST"), [listener("GATEWAY", 80)]),
    Error,
    "applyTo CLUSTER",
  );
  assertThrows(
    () => applyEnvoyFilter(patch("HTTP_ROUTE", "INSERT_FIRST"), [listener("GATEWAY", 80)]),
    Error,
    "routeConfiguration.vhost",
  );
});
