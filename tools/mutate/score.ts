/**
 * An area's mutation score as Stryker counts it — (killed + timed out) / (killed + timed out +
 * survived + no coverage) — after two corrections Stryker cannot make itself: mutants the config
 * marks equivalent (with a reason) are left out, and so are AssemblyScript mutants the compiler
 * refused, which the command runner can only report as killed.
 *
 * @module
 */

/** A mutant no test can kill because the program behaves the same; matched, not numbered. */
export interface Equivalent {
  file: string;
  mutator: string;
  replacement: string;
  /** A piece of the mutated line as written in the source. */
  line: string;
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
}

export interface Score {
  killed: number;
  survived: number;
  equivalent: number;
  compileErrors: number;
  /** Percent, one decimal; null when nothing counted. */
  score: number | null;
  survivors: Result[];
}

/** The reason `r` is equivalent, or undefined. */
export function equivalentReason(r: Result, equivalents: Equivalent[]): string | undefined {
  return equivalents.find((e) =>
    e.file === r.file && e.mutator === r.mutatorName && e.replacement === r.replacement &&
    r.sourceLine.includes(e.line)
  )?.reason;
}

const KILLED = new Set(["Killed", "Timeout"]);
const NOT_KILLED = new Set(["Survived", "NoCoverage"]);

/** The score of `results`, given the ids the compiler refused. */
export function score(results: Result[], equivalents: Equivalent[], compileErrors: Set<string>): Score {
  let killed = 0, equivalent = 0, refused = 0;
  const survivors: Result[] = [];
  for (const r of results) {
    if (compileErrors.has(r.id) || r.status === "CompileError") refused++;
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
  };
}
