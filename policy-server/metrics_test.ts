import { assertEquals, assertThrows } from "../tests/assert.ts";
import { createServerMetrics, Registry } from "./metrics.ts";

Deno.test("Registry renders counters, gauges and histograms in the text format", () => {
  const registry = new Registry();
  const requests = registry.counter("demo_requests_total", "Requests.", ["method", "status"]);
  const size = registry.gauge("demo_bytes", "Size.");
  const latency = registry.histogram("demo_seconds", "Latency.", ["route"], [0.1, 1]);
  requests.inc({ method: "GET", status: "200" });
  requests.inc({ method: "GET", status: "200" }, 2);
  requests.inc({ method: "POST", status: "422" });
  size.set(1234);
  latency.observe(0.05, { route: "/a" });
  latency.observe(0.5, { route: "/a" });
  latency.observe(5, { route: "/a" });
  assertEquals(
    registry.render(),
    `# HELP demo_requests_total Requests.
# TYPE demo_requests_total counter
demo_requests_total{method="GET",status="200"} 3
demo_requests_total{method="POST",status="422"} 1
# HELP demo_bytes Size.
# TYPE demo_bytes gauge
demo_bytes 1234
# HELP demo_seconds Latency.
# TYPE demo_seconds histogram
demo_seconds_bucket{route="/a",le="0.1"} 1
demo_seconds_bucket{route="/a",le="1"} 2
demo_seconds_bucket{route="/a",le="+Inf"} 3
demo_seconds_sum{route="/a"} 5.55
demo_seconds_count{route="/a"} 3
`,
  );
});

Deno.test("Registry escapes label values and help text", () => {
  const registry = new Registry();
  registry.counter("demo_total", "A \\ help\nline.", ["path"]).inc({ path: 'a"b\\c\nd' });
  assertEquals(
    registry.render(),
    '# HELP demo_total A \\\\ help\\nline.\n# TYPE demo_total counter\ndemo_total{path="a\\"b\\\\c\\nd"} 1\n',
  );
});

Deno.test("Registry refuses bad names, duplicate metrics, missing or extra labels, and counters going down", () => {
  const registry = new Registry();
  assertThrows(() => registry.counter("bad-name", "x"), TypeError);
  assertThrows(() => registry.counter("ok_total", "x", ["le"]), TypeError);
  const c = registry.counter("ok_total", "x", ["a"]);
  assertThrows(() => registry.gauge("ok_total", "x"), TypeError, "already registered");
  assertThrows(() => c.inc({}), TypeError, 'label "a" is missing');
  assertThrows(() => c.inc({ a: "1", b: "2" }), TypeError);
  assertThrows(() => c.inc({ a: "1" }, -1), RangeError);
  assertThrows(() => registry.histogram("h", "x", [], [1, 1]), RangeError);
});

Deno.test("Histogram.time observes the duration of a failing call too", async () => {
  const h = new Registry().histogram("t_seconds", "x");
  await h.time(() => Promise.resolve(1));
  await h.time(() => Promise.reject(new Error("no"))).catch(() => {});
  assertEquals(h.get().count, 2);
});

Deno.test("createServerMetrics declares the server's series, unlabelled ones at 0", () => {
  const metrics = createServerMetrics();
  const text = metrics.registry.render();
  for (
    const name of [
      "wasmroute_http_requests_total",
      "wasmroute_validation_failures_total",
      "wasmroute_compile_duration_seconds",
      "wasmroute_blob_bytes",
      "wasmroute_blob_generation",
      "wasmroute_pushes_total",
      "wasmroute_push_failures_total",
    ]
  ) {
    assertEquals(text.includes(`# TYPE ${name} `), true, name);
  }
  assertEquals(text.includes("wasmroute_blob_generation 0\n"), true);
  assertEquals(text.includes("wasmroute_compile_duration_seconds_count 0\n"), true);
});
