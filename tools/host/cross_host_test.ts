// Runs every scenario in testdata/scenarios through this host and through pwhost (proxy-wasm-cpp-host,
// the ABI library Envoy embeds) and requires the same decisions. Skipped only when the pwhost
// binary is absent (set PWHOST to point elsewhere).

import assert from "node:assert/strict";
import { decisionView } from "./decision_view.ts";
import { sortedJson } from "./main.ts";
import { runScenario } from "./run_scenario.ts";
import { writeFixtures } from "./_fixtures.ts";

const PWHOST = Deno.env.get("PWHOST") ??
  new URL("../../../shared/tools/pwhost/pwhost", import.meta.url).pathname;
const SCENARIOS = new URL("./testdata/scenarios/", import.meta.url);
const FIXTURES = [
  "headers_filter",
  "local_reply_filter",
  "http_call_filter",
  "configure_filter",
  "trap_filter",
  "metrics_filter",
  "route_cache_filter",
  "missing_import_filter",
  "abi_probe",
];

async function pwhostAvailable(): Promise<boolean> {
  try {
    return (await Deno.stat(PWHOST)).isFile;
  } catch {
    return false;
  }
}

// A line diff of the two reports, so a mismatch reads as "pwhost said X, we said Y".
function lineDiff(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    out.push(`line ${i + 1}:\n  - pwhost: ${a[i] ?? "<end>"}\n  + ours:   ${b[i] ?? "<end>"}`);
    if (out.length >= 10) break;
  }
  return out.join("\n");
}

Deno.test({
  name: "runScenario() decides like pwhost (proxy-wasm-cpp-host) on every scenario",
  ignore: !(await pwhostAvailable()),
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "wasmroute-cross-host-" });
    try {
      await writeFixtures(dir, FIXTURES);
      await Deno.writeTextFile(`${dir}/not_wasm.wasm`, "this is not a wasm module\n");
      await Deno.writeFile(`${dir}/no_abi_marker.wasm`, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
      const files = [...Deno.readDirSync(SCENARIOS)].map((e) => e.name).filter((n) => n.endsWith(".json"))
        .sort();
      for (const file of files) {
        await t.step(file, async () => {
          const path = new URL(file, SCENARIOS).pathname;
          const scenario = JSON.parse(await Deno.readTextFile(path));
          const ours = decisionView(await runScenario(scenario, { baseDir: dir }));
          const run = await new Deno.Command(PWHOST, {
            args: [path],
            cwd: dir,
            stdout: "piped",
            stderr: "piped",
          })
            .output();
          const stdout = new TextDecoder().decode(run.stdout);
          if (!run.success) {
            throw new Error(`pwhost failed (${run.code}): ${new TextDecoder().decode(run.stderr)}`);
          }
          const theirs = decisionView(JSON.parse(stdout));
          const expected = sortedJson(theirs);
          const actual = sortedJson(ours);
          assert.deepEqual(actual, expected, `${file}: reports differ\n${lineDiff(expected, actual)}`);
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
