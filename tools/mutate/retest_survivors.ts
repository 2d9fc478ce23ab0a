/**
 * `--survivors`: a rerun after tests were added retests only the mutants the last run left alive.
 * The command runner reports one test for the whole command, so a test change makes the job retest
 * every mutant (main.ts); when the change only adds tests, the mutants they killed stay killed, and
 * only the survivors can change. Stryker reuses the verdict of every mutant its incremental file
 * holds and tests the others, so dropping the survivors from that file is enough.
 *
 * @module
 */

/** The statuses of a mutant no test noticed (mutation-testing-report-schema). */
const ALIVE = new Set(["Survived", "NoCoverage"]);

interface IncrementalReport {
  files: Record<string, { mutants: { id: string; status: string }[] }>;
}

/**
 * `report` (Stryker's incremental file) without its surviving and uncovered mutants; with `only`, only
 * those whose id it holds (a sampled run's sample: the others' verdicts are placeholders).
 */
export function withoutSurvivors<T extends IncrementalReport>(report: T, only?: Set<string>): T {
  const dropped = (m: { id: string; status: string }) => ALIVE.has(m.status) && (!only || only.has(m.id));
  const files = Object.fromEntries(
    Object.entries(report.files).map(([name, file]) => [
      name,
      { ...file, mutants: file.mutants.filter((m) => !dropped(m)) },
    ]),
  );
  return { ...report, files };
}

/**
 * `report` with only the verdicts of the mutants `ids` names. After a sampled run the others are
 * placeholders (sample.ts): kept, Stryker would hand them on as verdicts to a later run whose
 * sample holds them — the sample moves when a change moves mutants (a rank includes the place).
 */
export function onlyMutants<T extends IncrementalReport>(report: T, ids: Set<string>): T {
  const files = Object.fromEntries(
    Object.entries(report.files).map((
      [name, file],
    ) => [name, { ...file, mutants: file.mutants.filter((m) => ids.has(m.id)) }]),
  );
  return { ...report, files };
}

/** Rewrites the incremental file at `path` without its survivors (`only` as above); false when there is none yet. */
export function dropSurvivors(path: string, only?: Set<string>): Promise<boolean> {
  return rewrite(path, (report) => withoutSurvivors(report, only));
}

/** Rewrites the incremental file at `path` with only the verdicts of `ids`; false when there is none yet. */
export function keepOnly(path: string, ids: Set<string>): Promise<boolean> {
  return rewrite(path, (report) => onlyMutants(report, ids));
}

async function rewrite(
  path: string,
  change: (report: IncrementalReport) => IncrementalReport,
): Promise<boolean> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
  // Written beside it and renamed over it: a run stopped mid-write must not leave half a file.
  await Deno.writeTextFile(`${path}.part`, JSON.stringify(change(JSON.parse(text))));
  await Deno.rename(`${path}.part`, path);
  return true;
}
