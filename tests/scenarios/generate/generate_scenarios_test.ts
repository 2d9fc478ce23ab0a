import { assertGolden } from "../../golden.ts";
import { assert, assertEquals } from "../../assert.ts";
import { formatScenario, generateScenarios } from "./generate_scenarios.ts";

const SCENARIOS = new URL("../", import.meta.url);

Deno.test("every generated scenario file is committed as the generator writes it", async (t) => {
  for (const [name, text] of generateScenarios()) {
    // UPDATE_GOLDEN=1 rewrites it, as `deno task gen:scenarios` does.
    await t.step(name, () => assertGolden(new URL(name, SCENARIOS), text));
  }
});

Deno.test("the generated scenarios are the long ones, of one request over many ids", () => {
  for (const [name, text] of generateScenarios()) {
    const steps = JSON.parse(text).steps as { requestHeaders: [string, string][] }[];
    const ids = steps.map((s) => s.requestHeaders.find(([k]) => k === "x-request-id")?.[1]);
    assert(steps.length >= 40, `${name}: ${steps.length} steps`);
    assert(new Set(ids).size >= 40, `${name}: ${new Set(ids).size} distinct request ids`);
  }
});

Deno.test("formatScenario() indents by one space, escapes what is not ASCII and ends with a newline", () => {
  assertEquals(
    formatScenario({ a: "x — \u{1f600}", b: [["k", "v"]], c: {} }),
    '{\n "a": "x \\u2014 \\ud83d\\ude00",\n "b": [\n  [\n   "k",\n   "v"\n  ]\n ],\n "c": {}\n}\n',
  );
});
