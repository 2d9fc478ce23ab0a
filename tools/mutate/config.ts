/**
 * The mutation job's config (tools/mutate/stryker.config.json) and the shape of a planned mutant:
 * what the Stryker-free parts of the job share, so that reading them never loads Stryker.
 *
 * @module
 */
import { join } from "node:path";
import { mirroredPath } from "./as_mirror.ts";
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

/**
 * What names a mutant across runs: its file (the repository path a mirror stands for), 0-based place,
 * mutator and replacement. Ids are only a run's numbering.
 */
export function mutantKey(
  m: Pick<PlannedMutant, "fileName" | "mutatorName" | "replacement" | "location">,
): string {
  const { start, end } = m.location;
  const file = mirroredPath(m.fileName) ?? m.fileName;
  return `${file}:${start.line}:${start.column}-${end.line}:${end.column} ${m.mutatorName} ${
    JSON.stringify(m.replacement)
  }`;
}
