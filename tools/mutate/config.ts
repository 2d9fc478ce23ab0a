/**
 * The mutation job's config (tools/mutate/stryker.config.json) and the shape of a planned mutant:
 * what the Stryker-free parts of the job share, so that reading them never loads Stryker.
 *
 * @module
 */
import { join } from "node:path";
import type { Equivalent } from "./score.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
export const CONFIG = join(ROOT, "tools/mutate/stryker.config.json");

/** Files to mutate (globs, `!` excludes) and the command whose failure kills a mutant. */
export interface Area {
  mutate: string[];
  command: string;
  /** AssemblyScript: mutated through a mirror, one mutant written into the source per run. */
  assemblyScript?: boolean;
}

export interface MutateConfig {
  /** StrykerJS options every area shares. */
  stryker: Record<string, unknown>;
  areas: Record<string, Area>;
  equivalent: Equivalent[];
}

export async function readConfig(path = CONFIG): Promise<MutateConfig> {
  return JSON.parse(await Deno.readTextFile(path));
}

/** What apply_mutant.ts needs of one mutant (Stryker's 0-based lines and columns). */
export interface PlannedMutant {
  id: string;
  fileName: string;
  mutatorName: string;
  replacement: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/** The repository paths a command names: words with a "/" that are neither flags nor variables. */
export function commandPaths(command: string): string[] {
  return command.split(/\s+/).filter((w) => w.includes("/") && !w.startsWith("-") && !w.includes("="));
}
