/**
 * CLI: runs a scenario through the in-repo host and prints the report JSON, like pwhost.
 *
 * ```sh
 * deno run -A tools/host/main.ts SCENARIO.json [--relative]
 * ```
 *
 * Relative paths in the scenario resolve against the working directory (as pwhost), or against the
 * scenario file's directory with `--relative`. Keys are sorted and indented like pwhost's output,
 * so the two reports diff cleanly. A bad scenario exits 2 with a one-line error.
 *
 * @module
 */

import { dirname } from "node:path";
import { ScenarioError } from "../../simulator/host/parse_scenario.ts";
import { runScenario } from "../../simulator/host/run_scenario.ts";
import { sortedJson } from "../../simulator/host/sorted_json.ts";

/** Runs the CLI; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const relative = args.includes("--relative");
  const files = args.filter((a) => !a.startsWith("--"));
  if (files.length !== 1) {
    console.error("usage: main.ts SCENARIO.json [--relative]   (see docs/scenario-format.md)");
    return 2;
  }
  const [file] = files;
  try {
    let scenario: unknown;
    try {
      scenario = JSON.parse(await Deno.readTextFile(file));
    } catch (err) {
      throw new ScenarioError("", `cannot read scenario "${file}": ${(err as Error).message}`);
    }
    const report = await runScenario(scenario, { baseDir: relative ? dirname(file) : Deno.cwd() });
    console.log(sortedJson(report));
    return 0;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    console.error(`host: bad scenario: ${err.message}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
