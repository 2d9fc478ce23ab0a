import assert from "node:assert/strict";
import { emulatorOptions, type HostEmulator, newHostEmulator } from "./host_emulator.ts";
import { LogLevel } from "./types.ts";
import { fixture } from "./_fixtures.ts";

async function started(
  name: string,
  configure?: (o: ReturnType<typeof emulatorOptions>) => void,
): Promise<HostEmulator> {
  const options = emulatorOptions().withWasm(await fixture(name));
  configure?.(options);
  const host = newHostEmulator(options);
  assert.equal(host.startPlugin(), true, host.getErrors().join("\n"));
  return host;
}

Deno.test("callOnRequestHeaders() applies added, replaced and removed headers", async () => {
  const host = await started("headers_filter");
  const id = host.initializeHttpContext();
  const status = host.callOnRequestHeaders(id, [
    [":method", "GET"],
    ["X-Replace", "a"],
    ["x-replace", "b"],
    ["x-remove", "1"],
    ["X-Copy", "value"],
  ], true);
  assert.equal(status, "Continue");
  assert.deepEqual(host.getCurrentRequestHeaders(id), [
    [":method", "GET"],
    ["x-replace", "replaced"],
    ["x-copy", "value"],
    ["x-wasm", "added"],
    ["x-copied", "value"],
  ]);
  assert.equal(host.getRequestHeaderMutations(id), 4);
  assert.equal(host.callOnResponseHeaders(id, [[":status", "200"]], true), "Continue");
  assert.deepEqual(host.getCurrentResponseHeaders(id), [[":status", "200"], ["x-response", "done"]]);
  const done = host.completeHttpContext(id);
  assert.equal(done.requestHeaderMutations, 4, "response-phase changes are not request mutations");
});

Deno.test("callOnRequestHeaders() reports StopAllIterationAndWatermark after a local reply", async () => {
  const host = await started("local_reply_filter");
  const id = host.initializeHttpContext();
  assert.equal(
    host.callOnRequestHeaders(id, [[":path", "/"], ["x-deny", "yes"]], true),
    "StopAllIterationAndWatermark",
  );
  assert.deepEqual(host.getSentLocalResponse(id), {
    statusCode: 403,
    statusCodeDetail: "wasm_denied",
    body: "denied: yes",
    headers: [["x-reason", "policy"], ["cache-control", "no-store"]],
    grpcStatus: 4294967295,
  });
  assert.equal(host.getCurrentHttpStreamAction(id), "StopAllIterationAndWatermark");
});

Deno.test("getSentLocalResponse() is undefined when the filter let the request through", async () => {
  const host = await started("local_reply_filter");
  const id = host.initializeHttpContext();
  assert.equal(host.callOnRequestHeaders(id, [[":path", "/"]], true), "Continue");
  assert.equal(host.getSentLocalResponse(id), undefined);
});

Deno.test("callOnHttpCallResponse() answers the root context and resumes the stream", async () => {
  const host = await started("http_call_filter");
  const id = host.initializeHttpContext();
  assert.equal(
    host.callOnRequestHeaders(id, [[":method", "GET"], [":path", "/a"]], true),
    "StopAllIterationAndWatermark",
  );
  const [call] = host.getHttpCalls(id);
  assert.deepEqual(call, {
    upstream: "outbound|80||auth.svc.cluster.local",
    headers: [[":method", "GET"], [":path", "/check"], [":authority", "auth"], ["x-original-path", "/a"]],
    body: "check /a",
    timeoutMs: 1000,
    token: 1,
    context: 1,
  });
  assert.deepEqual(host.getPendingHttpCalls(), [{ ...call, contextId: 1 }]);
  host.callOnHttpCallResponse(call.token, [[":status", "200"]], "user-7");
  assert.equal(host.getCurrentHttpStreamAction(id), "Continue");
  assert.deepEqual(host.getCurrentRequestHeaders(id).at(-1), ["x-auth", "user-7"]);
  assert.equal(host.getRequestHeaderMutations(id), 1);
  assert.deepEqual(host.getPendingHttpCalls(), []);
  assert.ok(host.getLogMessages().includes("answer to 2 on root 1: 200 user-7"));
});

Deno.test("callOnHttpCallResponse() lets the filter deny the stream from the root context", async () => {
  const host = await started("http_call_filter");
  const id = host.initializeHttpContext();
  host.callOnRequestHeaders(id, [[":method", "GET"], [":path", "/a"]], true);
  host.callOnHttpCallResponse(host.getHttpCalls(id)[0].token, [[":status", "403"]]);
  assert.equal(host.getSentLocalResponse(id)?.statusCode, 401);
  assert.equal(host.getHttpStream(id).requestContinued, false);
});

Deno.test("proxy_http_call without :authority is refused with BadArgument", async () => {
  const host = await started("http_call_filter");
  const id = host.initializeHttpContext();
  assert.equal(
    host.callOnRequestHeaders(id, [[":method", "GET"], [":path", "/no-authority"]], true),
    "Continue",
  );
  assert.deepEqual(host.getHttpCalls(id), []);
  assert.ok(host.getLogMessages().includes("http call status 2 token 0"));
});

Deno.test("callOnHttpCallResponse() rejects a token that is not pending", async () => {
  const host = await started("http_call_filter");
  assert.throws(() => host.callOnHttpCallResponse(42, []), /No pending http call with token 42/);
});

Deno.test("getCounterMetric() reads what the filter defined and incremented", async () => {
  const host = await started("metrics_filter");
  for (const headers of [[[":path", "/"]], [[":path", "/"], ["a", "b"]]] as [string, string][][]) {
    const id = host.initializeHttpContext();
    host.callOnRequestHeaders(id, headers, true);
    host.completeHttpContext(id);
  }
  assert.equal(host.getCounterMetric("wasmroute_requests_total"), 2);
  assert.equal(host.getCounterMetric("wasmroute_open_streams"), 0);
  assert.deepEqual(host.getMetric("wasmroute_request_headers"), {
    type: 2,
    name: "wasmroute_request_headers",
    value: 2n,
  });
  assert.equal(host.getCounterMetric("never_defined"), undefined);
  assert.deepEqual(host.getLogMessages(LogLevel.Info), [
    "requests 1 status 0 unknown 1",
    "requests 2 status 0 unknown 1",
  ]);
});

Deno.test("getRouteCacheClears() counts the clear_route_cache foreign function", async () => {
  const host = await started("route_cache_filter");
  const id = host.initializeHttpContext();
  host.callOnRequestHeaders(id, [[":path", "/"], ["version", "new"]], true);
  assert.equal(host.getRouteCacheClears(id), 1);
  assert.deepEqual(host.getFilterStateCalls(id).map((a) => new TextDecoder().decode(a)), [
    "wasmroute.backend=my-server-v2",
  ]);
  assert.ok(host.getLogMessages().includes("clear_route_cache 0 set_envoy_filter_state 0 unknown 1"));
  const other = host.initializeHttpContext();
  host.callOnRequestHeaders(other, [[":path", "/"]], true);
  assert.equal(host.getRouteCacheClears(other), 0);
});

Deno.test("startPlugin() returns false when the canary refuses the configuration", async () => {
  const host = newHostEmulator(
    emulatorOptions().withWasm(await fixture("configure_filter")).withPluginConfiguration("bad"),
  );
  assert.equal(host.startPlugin(), false);
  assert.deepEqual(host.getErrors(), ["Failed to configure base Wasm plugin"]);
  assert.throws(() => host.initializeHttpContext(), /no accepted plugin named wasmroute/);
});

Deno.test("configure() keeps the accepted configuration serving when an update is refused", async () => {
  const host = await started("configure_filter", (o) => o.withPluginConfiguration("v1"));
  assert.equal(host.configure("wasmroute", "bad"), false);
  const id = host.initializeHttpContext();
  host.callOnRequestHeaders(id, [[":path", "/"]], true);
  assert.deepEqual(host.getCurrentRequestHeaders(id).at(-1), ["x-config", "v1"]);
});

Deno.test("configure() serves an update from a second root context in the same VM", async () => {
  const host = await started("configure_filter", (o) => o.withPluginConfiguration("v1"));
  const before = host.initializeHttpContext();
  assert.equal(host.configure("wasmroute", "v2"), true);
  const after = host.initializeHttpContext();
  host.callOnRequestHeaders(before, [[":path", "/"]], true);
  host.callOnRequestHeaders(after, [[":path", "/"]], true);
  assert.deepEqual(
    host.getCurrentRequestHeaders(before).at(-1),
    ["x-config", "v1"],
    "the old root still serves its stream",
  );
  assert.deepEqual(host.getCurrentRequestHeaders(after).at(-1), ["x-config", "v2"]);
  assert.equal(host.getHttpStream(before).contextId, 2);
  assert.equal(host.getHttpStream(after).contextId, 4);
  assert.ok(!host.getLogMessages().includes("done 1"), "root 1 lives while a stream holds it");
  host.completeHttpContext(before);
  assert.deepEqual(host.getLogMessages().slice(-5), ["done 2", "log 2", "delete 2", "done 1", "delete 1"]);
});

Deno.test("withProperty() answers proxy_get_property; plugin_name and plugin_root_id are built in", async () => {
  const host = await started(
    "abi_probe",
    (o) => o.withRootId("probe-root").withProperty(["node", "metadata", "NAME"], "gw-1"),
  );
  const id = host.initializeHttpContext();
  host.callOnRequestHeaders(id, [["x-probe", "properties"]], true);
  assert.equal(
    host.getLogMessages()[0],
    "plugin_name 'wasmroute' plugin_root_id 'probe-root' plugin_vm_id 'wasmroute-vm' missing 'gw-1'",
  );
  assert.equal(host.getProperty("node.metadata.NAME"), "gw-1");
});

Deno.test("callOnRequestBody() gives the filter the body buffer", async () => {
  const host = await started("configure_filter", (o) => o.withPluginConfiguration("v1"));
  const id = host.initializeHttpContext();
  host.callOnRequestHeaders(id, [[":method", "POST"]], false);
  assert.equal(host.callOnRequestBody(id, "payload", true), "Continue");
  assert.ok(host.getLogMessages().includes("body 2 'payload' eos 1"));
});

Deno.test("a trap fails the VM, is reported, and FAIL_CLOSE answers later requests with 503", async () => {
  const host = await started("trap_filter");
  const id = host.initializeHttpContext();
  assert.equal(host.callOnRequestHeaders(id, [["x-trap", "1"]], true), "StopAllIterationAndWatermark");
  assert.equal(host.getVmFailState(), "RuntimeError");
  assert.deepEqual(host.getErrors(), ["Function: proxy_on_request_headers failed: Exception: unreachable"]);
  assert.equal(host.completeHttpContext(id).failAction, "local reply 503");
  const next = host.initializeHttpContext();
  assert.equal(host.getHttpStream(next).filterRan, false);
  assert.equal(host.callOnRequestHeaders(next, [[":path", "/"]], true), "StopAllIterationAndWatermark");
  assert.equal(host.getFailAction(next), "local reply 503");
  assert.equal(
    host.configure("wasmroute", "new config"),
    true,
    "an accepted configuration brings the filter back",
  );
  const healed = host.initializeHttpContext();
  assert.equal(host.callOnRequestHeaders(healed, [[":path", "/"]], true), "Continue");
  assert.equal(host.getHttpStream(healed).filterRan, true);
});

Deno.test("FAIL_OPEN lets requests pass without the filter after a trap", async () => {
  const host = await started("trap_filter", (o) => o.withFailStrategy("FAIL_OPEN"));
  const id = host.initializeHttpContext();
  assert.equal(host.callOnRequestHeaders(id, [["x-oob", "1"]], true), "Continue");
  assert.deepEqual(host.getErrors(), [
    "Function: proxy_on_request_headers failed: Exception: out of bounds memory access",
  ]);
  const next = host.initializeHttpContext();
  assert.equal(host.callOnRequestHeaders(next, [[":path", "/"]], true), "Continue");
  assert.equal(host.getHttpStream(next).filterRan, false);
  assert.deepEqual(host.getCurrentRequestHeaders(next), [[":path", "/"]], "the filter did not run");
});

Deno.test("FAIL_RELOAD serves the next request from a fresh VM", async () => {
  const host = await started("trap_filter", (o) => o.withFailStrategy("FAIL_RELOAD"));
  const id = host.initializeHttpContext();
  host.callOnRequestHeaders(id, [["x-trap", "1"]], true);
  host.completeHttpContext(id);
  const next = host.initializeHttpContext();
  assert.equal(host.callOnRequestHeaders(next, [[":path", "/"]], true), "Continue");
  assert.deepEqual(host.getCurrentRequestHeaders(next), [[":path", "/"], ["x-ok", "1"]]);
  assert.equal(host.getHttpStream(next).contextId, 2, "a new VM numbers contexts from 1 again");
  assert.equal(host.getVmFailState(), "Ok");
});

Deno.test("startVM() reports a missing import by name", async () => {
  const host = newHostEmulator({ wasm: await fixture("missing_import_filter") });
  assert.equal(host.startVM(), false);
  assert.deepEqual(host.getErrors(), [
    "Failed to load Wasm module due to a missing import: env.proxy_route_everything",
    "Failed to initialize Wasm code",
  ]);
});

Deno.test("tick() calls proxy_on_tick on root contexts that set a tick period", async () => {
  const host = await started("metrics_filter");
  host.tick();
  host.tick();
  assert.equal(host.getCounterMetric("wasmroute_ticks_total"), 2);
  const probe = await started("abi_probe");
  probe.tick(); // no period set: nothing to call (abi_probe has no proxy_on_tick anyway)
  assert.deepEqual(probe.host.localVm?.timerPeriods, new Map());
});

Deno.test("completeHttpContext() frees the stream id", async () => {
  const host = await started("headers_filter");
  const id = host.initializeHttpContext();
  host.completeHttpContext(id);
  assert.throws(() => host.getCurrentRequestHeaders(id), /Unknown http context id/);
});

Deno.test("callOnRequestHeaders() stays fast in a hot loop", async () => {
  const host = await started("headers_filter");
  const id = host.initializeHttpContext();
  const headers: [string, string][] = [[":method", "GET"], [":path", "/"], ["x-replace", "a"]];
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) host.callOnRequestHeaders(id, headers, true);
  const micros = (performance.now() - t0) * 1000 / n;
  assert.ok(micros < 50, `${micros.toFixed(2)} µs per call`);
});
