/**
 * The reference host: `../shared/tools/pwhost/pwhost` runs a scenario in proxy-wasm-cpp-host, the
 * ABI library Envoy embeds. {@linkcode compareWithReference} runs a scenario in both hosts and
 * returns a readable diff of their decisions, so every suite that trusts this host can check it.
 *
 * @module
 */
import { decisionView } from "./decision_view.ts";
import { sortedJson } from "./sorted_json.ts";
import { type Report, runScenario } from "./run_scenario.ts";

/** Where pwhost is: `$PWHOST`, else `shared/tools/pwhost/pwhost` beside the repository. */
export const PWHOST_PATH = Deno.env.get("PWHOST") ??
  new URL("../../../shared/tools/pwhost/pwhost", import.meta.url).pathname;

/** The one line a suite prints when it skips the pwhost comparison, saying why. */
export const NO_PWHOST =
  `pwhost comparison skipped: no pwhost at ${PWHOST_PATH} (the shared tools beside the repository; PWHOST=/path/to/pwhost overrides)`;

/** Whether the reference host can run here (CI has it; a user's machine may not). */
export async function referenceHostAvailable(): Promise<boolean> {
  try {
    return (await Deno.stat(PWHOST_PATH)).isFile;
  } catch {
    return false;
  }
}

/** Runs a scenario (a file, or an object written to a temporary file) in pwhost from `cwd`. */
export async function runInReferenceHost(scenario: string | object, cwd: string): Promise<Report> {
  let path = typeof scenario === "string" ? scenario : undefined;
  if (path === undefined) {
    path = await Deno.makeTempFile({ prefix: "wasmroute-scenario-", suffix: ".json" });
    await Deno.writeTextFile(path, JSON.stringify(scenario));
  }
  try {
    const run = await new Deno.Command(PWHOST_PATH, { args: [path], cwd, stdout: "piped", stderr: "piped" })
      .output();
    if (!run.success) throw new Error(`pwhost failed (${run.code}): ${new TextDecoder().decode(run.stderr)}`);
    return JSON.parse(new TextDecoder().decode(run.stdout));
  } finally {
    if (typeof scenario !== "string") await Deno.remove(path);
  }
}

/** A line diff of two JSON texts: "pwhost said X, we said Y". */
function lineDiff(expected: string, actual: string): string {
  const a = expected.split("\n"), b = actual.split("\n");
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 10; i++) {
    if (a[i] !== b[i]) {
      out.push(`line ${i + 1}:\n  - pwhost: ${a[i] ?? "<end>"}\n  + ours:   ${b[i] ?? "<end>"}`);
    }
  }
  return out.join("\n");
}

/** Both hosts' reports of one scenario, and how their decisions differ ("" when they agree). */
export interface Comparison {
  ours: Report;
  reference: Report;
  diff: string;
}

/**
 * Runs `scenario` in this host and in pwhost (paths resolve against `baseDir` in both) and diffs
 * their decision views.
 */
export async function compareWithReference(scenario: string | object, baseDir: string): Promise<Comparison> {
  const parsed = typeof scenario === "string" ? JSON.parse(await Deno.readTextFile(scenario)) : scenario;
  const ours = await runScenario(parsed, { baseDir });
  const reference = await runInReferenceHost(scenario, baseDir);
  const expected = sortedJson(decisionView(reference)), actual = sortedJson(decisionView(ours));
  return { ours, reference, diff: expected === actual ? "" : lineDiff(expected, actual) };
}
