/**
 * A StrykerJS reporter that writes the mutants of a run, before any of them runs, to the file named by
 * `WASMROUTE_MUTANT_PLAN`: the AssemblyScript area cannot compile Stryker's instrumented source (its
 * mutation switching is JavaScript), so tools/mutate/apply_mutant.ts reads the active mutant's place
 * and replacement from here and writes that one mutant into the real source before each build.
 *
 * In a sampled run (`WASMROUTE_MUTANT_SAMPLE=<size>:<seed>`, set by main.ts) it also writes the sampled
 * ids, one a line, to `<plan>.sample`, which the area's command checks first (sample.ts).
 *
 * @module
 */
import { declareClassPlugin, PluginKind } from "@stryker-mutator/api/plugin";
import type { MutationTestingPlanReadyEvent } from "@stryker-mutator/api/report";
import type { PlannedMutant } from "./config.ts";
import { sampleIds } from "./sample.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

class MutantPlanReporter {
  static inject: [] = [];

  onMutationTestingPlanReady(event: MutationTestingPlanReadyEvent): void {
    const path = Deno.env.get("WASMROUTE_MUTANT_PLAN");
    if (!path) return;
    const mutants = event.mutantPlans.map(({ mutant: m }): PlannedMutant => ({
      id: m.id,
      fileName: m.fileName,
      mutatorName: m.mutatorName,
      replacement: m.replacement,
      location: m.location,
    }));
    Deno.writeTextFileSync(path, JSON.stringify(mutants));
    const sample = Deno.env.get("WASMROUTE_MUTANT_SAMPLE")?.split(":").map(Number);
    if (!sample) return;
    const ids = sampleIds(mutants, { size: sample[0], seed: sample[1] }, ROOT);
    Deno.writeTextFileSync(`${path}.sample`, [...ids].map((id) => `${id}\n`).join(""));
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, "mutant-plan", MutantPlanReporter)];
