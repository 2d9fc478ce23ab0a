import assert from "node:assert/strict";
import { HostState } from "./host_state.ts";

Deno.test("defineMetric() gives a name defined again its first id, whatever the type", () => {
  const state = new HostState();
  assert.equal(state.defineMetric(0, "requests"), 0);
  assert.equal(state.defineMetric(1, "open"), 1);
  assert.equal(state.defineMetric(2, "requests"), 0);
  assert.deepEqual(state.metric("requests"), { type: 0, name: "requests", value: 0n });
});

Deno.test("setProperty() keys segments with dots, as the ABI's NUL separators", () => {
  const state = new HostState();
  state.setProperty(["node", "metadata", "NAME"], "gw-1");
  assert.deepEqual(state.properties.get("node.metadata.NAME"), new TextEncoder().encode("gw-1"));
});

Deno.test("nextToken() numbers http calls from 1 across the whole host", () => {
  const state = new HostState();
  assert.deepEqual([state.nextToken(), state.nextToken()], [1, 2]);
});

Deno.test("foreignFunctions offers Envoy's clear_route_cache and set_envoy_filter_state", () => {
  assert.deepEqual([...new HostState().foreignFunctions.keys()], [
    "clear_route_cache",
    "set_envoy_filter_state",
  ]);
});
