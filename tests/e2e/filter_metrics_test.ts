// The filter counts requests itself and hands the counters to Envoy on its root context's tick
// (docs/troubleshooting.md): no host call per request, at most a tick late.
import { assertEquals } from "../assert.ts";
import { exampleFilter } from "./example_filter.ts";

Deno.test("request counters reach the host only on tick, each request counted once", async () => {
  const host = await exampleFilter("header-routing");
  const send = (authority: string, path: string) => {
    const id = host.initializeHttpContext();
    host.callOnRequestHeaders(id, [[":method", "GET"], [":path", path], [":authority", authority]], true);
    host.completeHttpContext(id);
  };
  send("my-server", "/");
  send("my-server", "/a");
  send("unknown.example", "/");
  const counters = () =>
    ["requests_total", "routed_total", "local_replies_total"].map((n) =>
      host.getCounterMetric(`wasmroute.${n}`) ?? 0
    );
  assertEquals(counters(), [0, 0, 0], "nothing is handed over before the tick");
  host.tick();
  assertEquals(counters(), [3, 2, 0]);
  send("my-server", "/");
  host.tick();
  host.tick();
  assertEquals(counters(), [4, 3, 0], "each request is counted once");
});
