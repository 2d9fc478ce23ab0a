/**
 * The AssemblyScript area's test step: `deno run -A tools/mutate/fail_fast_tests.ts <deno test flags>
 * <paths>`, after apply_mutant.ts has written the active mutant and built the filter. It runs every
 * test file under the paths in one `deno test --fail-fast`, so a killed mutant stops at its first
 * failing test instead of running the whole subset.
 *
 * Only the order changes, never the set: a surviving mutant passes every file, as with the plain
 * command. First come the unit tests whose AssemblyScript entry (a `testdata/*_entry` the test file
 * names) imports the mutated file, directly or not: they test that module and are the most likely
 * to fail. The rest keep the order of the command, which names the cheapest first. Skipping the
 * other unit tests would not be sound in general (a unit test may also load the built filter, as
 * weighted_split_test.ts does through the simulator), so they still run.
 *
 * @module
 */
import { dirname, join, normalize } from "node:path";
import { mirroredPath } from "./as_mirror.ts";
import type { PlannedMutant } from "./config.ts";
import { testFiles } from "./related_tests.ts";

/** The AssemblyScript entries a test file names: `filter/assembly/…/testdata/<name>_entry` paths. */
export function namedEntries(testSource: string): string[] {
  return [...testSource.matchAll(/["'`](filter\/assembly\/[\w/]+_entry)["'`]/g)].map((m) => `${m[1]}.ts`);
}

/**
 * Every file `entry` imports, directly or not, and itself: relative imports only, resolved as
 * AssemblyScript does (`./x` is `x.ts`, else `x/index.ts`). `read` gives a file's text or undefined.
 */
export function importClosure(entry: string, read: (path: string) => string | undefined): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const text = seen.has(file) ? undefined : read(file);
    if (text === undefined) return;
    seen.add(file);
    for (const m of text.matchAll(/\b(?:from|import)\s*["'](\.{1,2}\/[^"']*)["']/g)) {
      const base = normalize(join(dirname(file), m[1]));
      visit(read(`${base}.ts`) !== undefined ? `${base}.ts` : `${base}/index.ts`);
    }
  };
  visit(entry);
  return seen;
}

/** `tests` with those whose closure holds `mutated` first, each group in its given order. */
export function failFastOrder(
  tests: string[],
  mutated: string,
  closureOf: (test: string) => Set<string>,
): string[] {
  const related = tests.filter((t) => closureOf(t).has(mutated));
  return [...related, ...tests.filter((t) => !related.includes(t))];
}

function readOrUndefined(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** The repository path of the active mutant's file; undefined in Stryker's dry run. */
async function mutatedFile(): Promise<string | undefined> {
  const id = Deno.env.get("__STRYKER_ACTIVE_MUTANT__");
  const planPath = Deno.env.get("WASMROUTE_MUTANT_PLAN");
  if (!id || !planPath) return undefined;
  const plan: PlannedMutant[] = JSON.parse(await Deno.readTextFile(planPath));
  const mutant = plan.find((m) => m.id === id);
  return mutant && mirroredPath(mutant.fileName);
}

async function main(args: string[]): Promise<number> {
  const flags = args.filter((a) => a.startsWith("-"));
  const tests = args.filter((a) => !a.startsWith("-")).flatMap(testFiles);
  const mutated = await mutatedFile();
  const closureOf = (test: string) => {
    const entries = namedEntries(readOrUndefined(test) ?? "");
    return new Set(entries.flatMap((e) => [...importClosure(e, readOrUndefined)]));
  };
  const order = mutated === undefined ? tests : failFastOrder(tests, mutated, closureOf);
  const run = new Deno.Command(Deno.execPath(), { args: ["test", "--fail-fast", ...flags, ...order] });
  return (await run.spawn().status).code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
