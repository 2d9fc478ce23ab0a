import assert from "node:assert/strict";
import { ProxyWasmHost } from "./proxy_wasm_host.ts";
import { MapType, newStreamRecord, WasmResult } from "./types.ts";
import { fixture, tinyModule } from "./_fixtures.ts";

function streamOn(code: Uint8Array) {
  const host = new ProxyWasmHost({ code });
  assert.ok(host.configure({}).accepted, host.state.errors.join("\n"));
  const rec = newStreamRecord();
  const opened = host.openStream("wasmroute", rec);
  assert.equal(opened.kind, "stream");
  return { host, rec, context: (opened as { context: import("./host_context.ts").HostContext }).context };
}

Deno.test("onRequestHeaders() converts the filter's result as cpp-host does", async (t) => {
  const cases: [number, string][] = [
    [0, "Continue"],
    [1, "StopAllIterationAndWatermark"], // ABI 0.2.x StopIteration stops everything
    [2, "ContinueAndEndStream"],
    [3, "StopAllIterationAndBuffer"],
    [4, "StopAllIterationAndWatermark"],
    [5, "StopAllIterationAndWatermark"],
    [-1, "StopAllIterationAndWatermark"],
  ];
  for (const [result, status] of cases) {
    await t.step(`${result} → ${status}`, () => {
      const { context } = streamOn(tinyModule({ requestHeadersResult: result }));
      assert.equal(context.onRequestHeaders(0, true), status);
    });
  }
});

// Names arrive lower-cased (the ABI lowers the module's: abi_imports_test's probe asks for X-PROBE).
Deno.test("header maps answer by lower-case name; a missing header is NotFound", async () => {
  const { context, rec } = streamOn(await fixture("headers_filter"));
  rec.requestHeaders.push(["x-a", "1"], ["x-b", "2"]);
  assert.equal(context.getHeaderMapValue(MapType.RequestHeaders, "x-a"), "1");
  assert.equal(context.getHeaderMapValue(MapType.RequestHeaders, "x-c"), WasmResult.NotFound);
  assert.equal(context.addHeaderMapValue(MapType.RequestHeaders, "x-c", "3"), WasmResult.Ok);
  assert.deepEqual(rec.requestHeaders.at(-1), ["x-c", "3"]);
});

Deno.test("replaceHeaderMapValue() keeps the first occurrence and drops the rest", async () => {
  const { context, rec } = streamOn(await fixture("headers_filter"));
  rec.requestHeaders.push(["a", "1"], ["b", "2"], ["a", "3"]);
  context.replaceHeaderMapValue(MapType.RequestHeaders, "a", "new");
  assert.deepEqual(rec.requestHeaders, [["a", "new"], ["b", "2"]]);
  context.replaceHeaderMapValue(MapType.RequestHeaders, "c", "appended");
  assert.deepEqual(rec.requestHeaders.at(-1), ["c", "appended"]);
});

Deno.test("request-header changes count as mutations only during the request phase", async () => {
  const { context, rec } = streamOn(await fixture("headers_filter"));
  context.removeHeaderMapValue(MapType.RequestHeaders, "absent");
  assert.equal(rec.requestHeaderMutations, 0);
  context.inRequestPhase = true;
  context.removeHeaderMapValue(MapType.RequestHeaders, "absent"); // counts even with nothing removed
  context.addHeaderMapValue(MapType.ResponseHeaders, "x", "1"); // response map: never counted
  assert.equal(rec.requestHeaderMutations, 1);
});

Deno.test("the http-call response map is read-only and exists only during the callback", async () => {
  const { context, host } = streamOn(await fixture("headers_filter"));
  assert.equal(context.map(MapType.HttpCallResponseHeaders), null);
  host.state.callResponse = { headers: [[":status", "200"]], body: new Uint8Array(0), trailers: null };
  assert.equal(context.getHeaderMapValue(MapType.HttpCallResponseHeaders, ":status"), "200");
  assert.equal(context.addHeaderMapValue(MapType.HttpCallResponseHeaders, "x", "1"), WasmResult.BadArgument);
});

Deno.test("a root context has no request to read or continue", async () => {
  const { context } = streamOn(await fixture("headers_filter"));
  const root = context.root();
  assert.equal(root.id, 1);
  assert.equal(root.map(MapType.RequestHeaders), null);
  assert.equal(root.continueStream(0), WasmResult.BadArgument);
  assert.equal(context.continueStream(2), WasmResult.BadArgument);
});

Deno.test("httpCall() refuses calls without :method, :path and :authority (host counts)", async () => {
  const { context, rec, host } = streamOn(await fixture("headers_filter"));
  host.state.current = rec;
  const root = context.root();
  const body = new Uint8Array(0);
  assert.equal(
    root.httpCall("c", [[":method", "GET"], [":path", "/"]], body, 100).status,
    WasmResult.BadArgument,
  );
  assert.equal(
    root.httpCall("c", [[":method", "GET"], [":path", "/"], ["Host", "x"]], body, -1).status,
    WasmResult.BadArgument,
  );
  const ok = root.httpCall("c", [[":METHOD", "GET"], [":path", "/"], ["Host", "x"]], body, 100);
  assert.deepEqual(ok, { status: WasmResult.Ok, token: 1 });
  assert.deepEqual(rec.httpCalls[0].headers, [[":method", "GET"], [":path", "/"], ["host", "x"]]);
  assert.equal(host.state.pendingCalls[0].context, root);
});
