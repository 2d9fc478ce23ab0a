import assert from "node:assert/strict";
import { canonicalJson, parseScenario, ScenarioError } from "./parse_scenario.ts";

Deno.test("parseScenario() fills pwhost's defaults", () => {
  assert.deepEqual(parseScenario({ wasm: "f.wasm" }), {
    wasm: "f.wasm",
    vmConfig: { text: "" },
    failStrategy: "FAIL_CLOSE",
    properties: {},
    plugins: [],
    steps: [],
  });
  const s = parseScenario({ wasm: "f.wasm", plugins: [{}], steps: [{}], timing: {} });
  assert.deepEqual(s.plugins, [{ name: "wasmroute", rootId: "", config: { text: "" } }]);
  assert.deepEqual(s.steps, [{
    kind: "request",
    plugin: "wasmroute",
    requestHeaders: [],
    httpCallResponses: [],
  }]);
  assert.deepEqual(s.timing, { iterations: 10000, requestHeaders: [], plugin: "wasmroute" });
});

Deno.test("parseScenario() reads every configuration form", () => {
  const s = parseScenario({
    wasm: "f.wasm",
    vmConfig: { file: "vm.bin" },
    plugins: [
      { config: "text" },
      { config: { base64: "aGk=" } },
      { config: null },
      { config: { rules: [{ b: 1, a: "x" }] } },
    ],
  });
  assert.deepEqual(s.vmConfig, { file: "vm.bin" });
  assert.deepEqual(s.plugins.map((p) => p.config), [
    { text: "text" },
    { base64: "aGk=" },
    { text: "" },
    { text: '{"rules":[{"a":"x","b":1}]}' }, // pwhost dumps other JSON compactly, keys sorted
  ]);
});

Deno.test("parseScenario() reads headers as pairs or as an object, and keeps steps apart", () => {
  const s = parseScenario({
    wasm: "f.wasm",
    steps: [
      {
        requestHeaders: [[":path", "/"]],
        responseHeaders: { ":status": "200" },
        requestBody: "",
        httpCallResponses: [{}],
      },
      { configure: { name: "p", config: "c" } },
    ],
  });
  assert.deepEqual(s.steps, [
    {
      kind: "request",
      plugin: "wasmroute",
      requestHeaders: [[":path", "/"]],
      responseHeaders: [[":status", "200"]],
      requestBody: "",
      httpCallResponses: [{ headers: [], body: "" }],
    },
    { kind: "configure", configure: { name: "p", rootId: "", config: { text: "c" } } },
  ]);
});

Deno.test("parseScenario() names the bad field", async (t) => {
  const cases: [string, unknown, string][] = [
    ["not an object", [], "expected an object"],
    ["no wasm", {}, "wasm: expected a string"],
    [
      "bad fail strategy",
      { wasm: "f", failStrategy: "FAIL_SOMETIMES" },
      'failStrategy: expected one of FAIL_CLOSE, FAIL_OPEN, FAIL_RELOAD, got "FAIL_SOMETIMES"',
    ],
    [
      "headers not pairs",
      { wasm: "f", steps: [{}, {}, { requestHeaders: "x: y" }] },
      "steps[2].requestHeaders: expected [name, value] pairs",
    ],
    [
      "a bad pair",
      { wasm: "f", steps: [{ requestHeaders: [["a", 1]] }] },
      "steps[0].requestHeaders[0]: expected a [name, value] pair of strings",
    ],
    [
      "a bad header value",
      { wasm: "f", steps: [{ responseHeaders: { a: 1 } }] },
      "steps[0].responseHeaders.a: expected a string",
    ],
    ["a typo", { wasm: "f", steps: [{ requestHeader: [] }] }, 'steps[0]: unknown field "requestHeader"'],
    [
      "configure mixed with a request",
      { wasm: "f", steps: [{ configure: {}, requestHeaders: [] }] },
      'steps[0]: unknown field "requestHeaders"',
    ],
    ["bad body", { wasm: "f", steps: [{ requestBody: 3 }] }, "steps[0].requestBody: expected a string"],
    [
      "bad call response",
      { wasm: "f", steps: [{ httpCallResponses: [{ body: {} }] }] },
      "steps[0].httpCallResponses[0].body: expected a string",
    ],
    [
      "bad base64",
      { wasm: "f", plugins: [{ config: { base64: 5 } }] },
      "plugins[0].config.base64: expected a string",
    ],
    ["bad plugin name", { wasm: "f", plugins: [{ name: 5 }] }, "plugins[0].name: expected a string"],
    [
      "bad iterations",
      { wasm: "f", timing: { iterations: -1 } },
      "timing.iterations: expected a non-negative integer",
    ],
    ["bad properties", { wasm: "f", properties: [] }, "properties: expected an object"],
  ];
  for (const [name, input, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseScenario(input), (err: unknown) => {
        assert.ok(err instanceof ScenarioError);
        assert.ok(err.message.startsWith(message), `${err.message} should start with ${message}`);
        return true;
      });
    });
  }
});

Deno.test("parseScenario() lets keys starting with _ carry comments", () => {
  assert.equal(parseScenario({ _: "comment", wasm: "f", steps: [{ _why: "x" }] }).steps.length, 1);
});

Deno.test("parseScenario() keeps property values as text, other JSON compact", () => {
  assert.deepEqual(
    parseScenario({ wasm: "f", properties: { a: "x", b: 3, c: { z: 1, y: [true] } } }).properties,
    {
      a: "x",
      b: "3",
      c: '{"y":[true],"z":1}',
    },
  );
});

Deno.test("canonicalJson() sorts keys at every level", () => {
  assert.equal(canonicalJson({ b: { d: 1, c: null }, a: [2, "s"] }), '{"a":[2,"s"],"b":{"c":null,"d":1}}');
});
