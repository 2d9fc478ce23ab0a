import assert from "node:assert/strict";
import { ProxyWasmHost } from "./proxy_wasm_host.ts";
import { newStreamRecord } from "./types.ts";
import { fixture } from "./_fixtures.ts";

async function host(
  options: { vmConfiguration?: string; failStrategy?: "FAIL_CLOSE" | "FAIL_OPEN" | "FAIL_RELOAD" } = {},
) {
  return new ProxyWasmHost({ code: await fixture("configure_filter"), ...options });
}

function messages(h: ProxyWasmHost, from = 0): string[] {
  return h.state.logs.slice(from).map((l) => ("message" in l ? l.message : JSON.stringify(l)));
}

function request(h: ProxyWasmHost, name = "wasmroute"): string[] {
  const before = h.state.logs.length;
  const rec = newStreamRecord();
  const opened = h.openStream(name, rec);
  if (opened.kind !== "stream") return [JSON.stringify(opened)];
  const { context } = opened;
  context.onCreate();
  context.onRequestHeaders(0, true);
  context.onDone();
  context.onLog();
  context.onDelete();
  h.closeStream(name, context);
  return [...messages(h, before), `x-config=${rec.requestHeaders.find(([k]) => k === "x-config")?.[1]}`];
}

Deno.test("configure() runs the canary, then a root context in the thread-local VM", async () => {
  const h = await host({ vmConfiguration: "vm" });
  const result = h.configure({ rootId: "routes", configuration: "v1" });
  assert.equal(result.accepted, true);
  assert.equal(result.configBytes, 2);
  // The canary ran in its own VM; the thread-local VM starts and configures root context 1.
  assert.deepEqual(messages(h), [
    "create 1 parent 0 plugin wasmroute",
    "vm_start 1 vm config 'vm'",
    "configure 1 'v1' root_id 'routes'",
    "create 1 parent 0 plugin wasmroute",
    "vm_start 1 vm config 'vm'",
    "configure 1 'v1' root_id 'routes'",
  ]);
  assert.equal(h.abiVersion, 2);
});

Deno.test("configure() refuses what the canary refuses and the active configuration keeps serving", async () => {
  const h = await host();
  h.configure({ configuration: "v1" });
  const refused = h.configure({ configuration: "bad" });
  assert.deepEqual([refused.accepted, refused.errors], [false, ["Failed to configure base Wasm plugin"]]);
  assert.equal(request(h).at(-1), "x-config=v1");
  // The verdict is cached per configuration, as cpp-host's canary cache.
  assert.deepEqual(h.configure({ configuration: "bad" }).errors, []);
});

Deno.test("plugins share the thread-local VM with a root context each, and ids are cpp-host's", async () => {
  const h = await host();
  h.configure({ configuration: "v1" });
  h.configure({ name: "second", configuration: "v2" });
  assert.deepEqual(request(h, "second"), [
    "create 3 parent 2 plugin second",
    "request 3 root 2",
    "done 3",
    "log 3",
    "delete 3",
    "x-config=v2",
  ]);
  assert.equal(h.localVm?.rootContexts.size, 2);
});

Deno.test("an update adds a root context and retires the old one once nothing holds it", async () => {
  const h = await host();
  h.configure({ configuration: "v1" });
  const before = h.state.logs.length;
  assert.ok(h.configure({ configuration: "v2" }).accepted);
  assert.deepEqual(messages(h, before).slice(-5), [
    "create 2 parent 0 plugin wasmroute",
    "vm_start 2 vm config ''",
    "configure 2 'v2' root_id ''",
    "done 1",
    "delete 1",
  ]);
  assert.equal(request(h).at(-1), "x-config=v2");
});

Deno.test("a configuration only the thread-local VM refuses is reported as such", async () => {
  const h = await host();
  h.configure({ configuration: "v1" });
  const flaky = h.configure({ name: "flaky", configuration: "flaky" });
  assert.deepEqual([flaky.accepted, flaky.errors], [false, ["Failed to configure thread-local Wasm plugin"]]);
});

Deno.test("two plugin names with the same root id and configuration share one root context", async () => {
  const h = await host();
  h.configure({ configuration: "v1" });
  assert.ok(h.configure({ name: "alias", configuration: "v1" }).accepted);
  assert.deepEqual(request(h, "alias").slice(0, 2), [
    "create 2 parent 1 plugin wasmroute",
    "request 2 root 1",
  ]);
});

Deno.test("vm_start returning false rejects every plugin", async () => {
  const h = await host({ vmConfiguration: "refuse" });
  assert.deepEqual(h.configure({ configuration: "v1" }).errors, ["Failed to start base Wasm"]);
  assert.equal(h.abiVersion, undefined);
  assert.deepEqual(h.openStream("wasmroute"), { kind: "error", error: "no accepted plugin named wasmroute" });
});

Deno.test("timeRequests() replays a request on the current VM", async () => {
  const h = await host();
  h.configure({ configuration: "v1" });
  const before = h.state.logs.length;
  assert.ok((h.timeRequests("wasmroute", [[":method", "GET"]], 2) ?? -1) >= 0);
  assert.deepEqual(messages(h, before), [
    "create 2 parent 1 plugin wasmroute",
    "request 2 root 1",
    "done 2",
    "delete 2",
    "create 3 parent 1 plugin wasmroute",
    "request 3 root 1",
    "done 3",
    "delete 3",
  ]);
  assert.equal(h.timeRequests("unknown", [], 1), undefined);
});

Deno.test("startVm() reports why the module cannot load", () => {
  const h = new ProxyWasmHost({ code: new TextEncoder().encode("not wasm at all") });
  assert.equal(h.startVm(), false);
  assert.deepEqual(h.state.errors, ["Failed to parse corrupted Wasm module", "Failed to load Wasm code"]);
});
