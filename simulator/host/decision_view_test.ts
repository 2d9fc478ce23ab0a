import assert from "node:assert/strict";
import { decisionView } from "./decision_view.ts";
import type { Report } from "./run_scenario.ts";

Deno.test("decisionView() drops only the timing fields", () => {
  const report: Report = {
    plugins: [{ name: "wasmroute", configBytes: 2, accepted: true, configureMicros: 812, errors: [] }],
    steps: [{ configure: "wasmroute", accepted: true }, { error: "no accepted plugin named x" }],
    metrics: { requests: 3 },
    errors: ["Function: proxy_on_request_headers failed: Exception: unreachable"],
    abiVersion: 2,
    timing: { iterations: 10, nanosPerRequest: 1234 },
  };
  assert.deepEqual(decisionView(report), {
    plugins: [{ name: "wasmroute", configBytes: 2, accepted: true, errors: [] }],
    steps: [{ configure: "wasmroute", accepted: true }, { error: "no accepted plugin named x" }],
    metrics: { requests: 3 },
    errors: ["Function: proxy_on_request_headers failed: Exception: unreachable"],
    abiVersion: 2,
    timing: { iterations: 10 },
  });
  assert.equal(report.plugins[0].configureMicros, 812, "the report itself is left alone");
});

Deno.test("decisionView() drops the duration of each request step", () => {
  const view = decisionView({ plugins: [], steps: [{ nanos: 5, filterRan: true }], metrics: {}, errors: [] });
  assert.deepEqual(view.steps, [{ filterRan: true }]);
});
