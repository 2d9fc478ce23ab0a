/**
 * A StrykerJS reporter that writes the mutants of a run, before any of them runs, to the file named by
 * `WASMROUTE_MUTANT_PLAN`: the AssemblyScript area cannot compile Stryker's instrumented source (its
 * mutation switching is JavaScript), so tools/mutate/apply_mutant.ts reads the active mutant's place
 * and replacement from here and writes that one mutant into the real source before each build.
 *
 * @module
 */
import { declareClassPlugin, PluginKind } from "@stryker-mutator/api/plugin";
import type { MutationTestingPlanReadyEvent } from "@stryker-mutator/api/report";
import type { PlannedMutant } from "./config.ts";

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
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, "mutant-plan", MutantPlanReporter)];
