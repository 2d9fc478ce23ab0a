import assert from "node:assert/strict";
import { ScenarioError } from "./parse_scenario.ts";
import { type RequestReport, runScenario } from "./run_scenario.ts";
import { writeFixtures } from "./_fixtures.ts";

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-run-scenario-" });
  try {
    await writeFixtures(dir, ["configure_filter", "local_reply_filter", "http_call_filter"]);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("runScenario() produces pwhost's report", () =>
  inTempDir(async (dir) => {
    const report = await runScenario({
      wasm: "local_reply_filter.wasm",
      plugins: [{ config: "" }],
      steps: [{ requestHeaders: [[":path", "/"], ["X-Deny", "1"]], responseHeaders: [[":status", "200"]] }],
      timing: { iterations: 2, requestHeaders: [[":path", "/"]] },
    }, { baseDir: dir });
    assert.equal(report.abiVersion, 2);
    assert.equal(report.plugins.length, 1);
    assert.equal(report.plugins[0].accepted, true);
    assert.deepEqual(report.timing?.iterations, 2);
    const step = report.steps[0] as RequestReport;
    assert.equal(step.requestHeadersStatus, "StopAllIterationAndWatermark");
    assert.equal(step.responseHeadersStatus, undefined, "a local reply means no response headers");
    assert.deepEqual(step.requestHeaders, [[":path", "/"], ["x-deny", "1"]], "names lower-cased as in Envoy");
    assert.equal(step.localReply?.status, 403);
    assert.equal(step.vmFailState, "Ok");
    assert.equal(step.filterRan, true);
    assert.equal(step.failAction, undefined);
    assert.ok(step.nanos > 0);
    assert.deepEqual(step.logs, [{ level: 2, context: 2, message: "local reply status 0" }]);
  }));

Deno.test("runScenario() resolves files against baseDir and decodes base64 leniently, as pwhost", () =>
  inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/blob.bin`, "from-file");
    const report = await runScenario({
      wasm: "configure_filter.wasm",
      vmConfig: { file: "blob.bin" },
      plugins: [{ config: { base64: "dj\nE=" } }],
      steps: [{ requestHeaders: [] }, { configure: { config: { file: `${dir}/blob.bin` } } }, {
        requestHeaders: [],
      }],
    }, { baseDir: dir });
    const [first, , second] = report.steps as RequestReport[];
    assert.deepEqual(first.requestHeaders, [["x-config", "v1"]]);
    assert.deepEqual(second.requestHeaders, [["x-config", "from-file"]]);
    assert.deepEqual(report.plugins.map((p) => p.configBytes), [2, 9]);
  }));

Deno.test("runScenario() answers the oldest pending calls first, even from an earlier step", () =>
  inTempDir(async (dir) => {
    const report = await runScenario({
      wasm: "http_call_filter.wasm",
      plugins: [{ config: "" }],
      steps: [
        { requestHeaders: [[":method", "GET"], [":path", "/first"], [":authority", "a"]] },
        {
          requestHeaders: [[":method", "GET"], [":path", "/second"], [":authority", "a"]],
          httpCallResponses: [{ headers: [[":status", "200"]], body: "late" }, {
            headers: [[":status", "200"]],
            body: "now",
          }],
        },
      ],
    }, { baseDir: dir });
    const [first, second] = report.steps as RequestReport[];
    assert.deepEqual(first.httpCalls.map((c) => c.token), [1]);
    assert.equal(first.requestContinued, false);
    assert.deepEqual(second.logs.map((l) => "message" in l && l.message).slice(1), [
      "answer to 2 on root 1: 200 late",
      "answer to 3 on root 1: 200 now",
    ]);
    assert.deepEqual(second.requestHeaders.at(-1), ["x-auth", "now"]);
  }));

Deno.test("runScenario() reports an unreadable file as a ScenarioError naming the field", () =>
  inTempDir(async (dir) => {
    await assert.rejects(
      runScenario({ wasm: "missing.wasm" }, { baseDir: dir }),
      (err: unknown) =>
        err instanceof ScenarioError && err.field === "wasm" &&
        /cannot read "missing.wasm"/.test(err.message),
    );
    await assert.rejects(
      runScenario({ wasm: "configure_filter.wasm", steps: [{ configure: { config: { file: "nope" } } }] }, {
        baseDir: dir,
      }),
      /steps\[0\]\.configure\.config\.file: cannot read "nope"/,
    );
  }));
