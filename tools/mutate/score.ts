/**
 * An area's mutation score as Stryker counts it — (killed + timed out) / (killed + timed out +
 * survived + no coverage) — after two corrections Stryker cannot make itself: mutants the config
 * marks equivalent (with a reason) are left out, and so are AssemblyScript mutants the compiler
 * refused, which the command runner can only report as killed. In a sampled run (sample.ts) the
 * mutants outside the sample are left out too, and the score comes with its 95 % interval.
 *
 * @module
 */
import { wilsonInterval } from "./sample.ts";

/** A mutant no test can kill because the program behaves the same; matched, not numbered. */
export interface Equivalent {
  file: string;
  mutator: string;
  replacement: string;
  /** A piece of the mutated line as written in the source. */
  line: string;
  /**
   * The code the mutant replaces, exactly: tells apart mutants of one mutator with one replacement
   * on one line (`a == 0 || b` and `a == 0`, each turned into `false`).
   */
  original?: string;
  reason: string;
}

/** What the score needs of one of Stryker's results (0-based lines). */
export interface Result {
  id: string;
  file: string;
  mutatorName: string;
  replacement: string;
  status: string;
  line: number;
  /** The source line the mutant is on. */
  sourceLine: string;
  /** The code the mutant replaces. */
  original?: string;
}

export interface Score {
  killed: number;
  survived: number;
  equivalent: number;
  compileErrors: number;
  /** Percent, one decimal; null when nothing counted. */
  score: number | null;
  survivors: Result[];
  /** A sampled run: the mutants outside the sample, and the score's 95 % (Wilson) interval. */
  unsampled?: number;
  interval?: [number, number] | null;
}

/** The reason `r` is equivalent, or undefined. */
export function equivalentReason(r: Result, equivalents: Equivalent[]): string | undefined {
  return equivalents.find((e) =>
    e.file === r.file && e.mutator === r.mutatorName && e.replacement === r.replacement &&
    r.sourceLine.includes(e.line) && (e.original === undefined || e.original === r.original)
  )?.reason;
}

const KILLED = new Set(["Killed", "Timeout"]);
const NOT_KILLED = new Set(["Survived", "NoCoverage"]);

/** The score of `results`, given the ids the compiler refused and, for a sampled run, the sample's. */
export function score(
  results: Result[],
  equivalents: Equivalent[],
  compileErrors: Set<string>,
  sampled?: Set<string>,
): Score {
  let killed = 0, equivalent = 0, refused = 0, unsampled = 0;
  const survivors: Result[] = [];
  for (const r of results) {
    if (sampled && !sampled.has(r.id)) unsampled++;
    else if (compileErrors.has(r.id) || r.status === "CompileError") refused++;
    else if (equivalentReason(r, equivalents) !== undefined) equivalent++;
    else if (KILLED.has(r.status)) killed++;
    else if (NOT_KILLED.has(r.status)) survivors.push(r);
  }
  const counted = killed + survivors.length;
  return {
    killed,
    survived: survivors.length,
    equivalent,
    compileErrors: refused,
    score: counted === 0 ? null : Math.round((1000 * killed) / counted) / 10,
    survivors,
    ...(sampled ? { unsampled, interval: wilsonInterval(killed, counted) } : {}),
  };
}
