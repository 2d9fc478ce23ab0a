/**
 * An area's command for the TypeScript areas: `deno run -A tools/mutate/related_tests.ts <deno test
 * flags and paths>`. Run by Stryker in its sandbox for each mutant, it runs only the test files
 * under the paths whose module graph holds the active mutant's file (`__STRYKER_ACTIVE_MUTANT__`,
 * looked up in the plan mutant_plan_reporter.ts wrote): a test file that never loads a module cannot
 * notice its mutant, so the verdict is the one the whole command would give, in a fraction of the
 * time. Without an active mutant (Stryker's dry run) it runs every test under the paths.
 *
 * The graphs are `deno info --json` of each test file, worked out once per sandbox and kept there.
 *
 * @module
 */
import { dirname, join, relative } from "node:path";
import type { PlannedMutant } from "./config.ts";

/** Deno's default test file names. */
const TEST_FILE = /(^|[._])test\.(ts|tsx|mts|js|mjs|jsx)$/;
const GRAPHS = ".stryker-related-tests.json";

/** The test files a path names: itself if a file, else every test file beneath it, sorted. */
export function testFiles(path: string): string[] {
  if (Deno.statSync(path).isFile) return [path];
  const names = [...Deno.readDirSync(path)].map((e) => e.name).sort();
  return names.flatMap((name) => {
    const sub = join(path, name);
    return Deno.statSync(sub).isDirectory ? testFiles(sub) : TEST_FILE.test(name) ? [sub] : [];
  });
}

/** The local modules (paths relative to the working directory) that `testFile` loads. */
async function graph(testFile: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", testFile],
    stderr: "inherit",
  })
    .output();
  if (!out.success) throw new Error(`deno info ${testFile} failed`);
  const { modules } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  return modules.filter((m) => m.specifier.startsWith("file://")).map((m) =>
    relative(Deno.cwd(), new URL(m.specifier).pathname)
  );
}

/** Each test file's module graph, read from the sandbox's cache or worked out and cached. */
async function graphs(tests: string[]): Promise<Record<string, string[]>> {
  try {
    const cached: Record<string, string[]> = JSON.parse(await Deno.readTextFile(GRAPHS));
    if (tests.every((t) => t in cached)) return cached;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const all: Record<string, string[]> = {};
  for (const t of tests) all[t] = await graph(t);
  await Deno.writeTextFile(GRAPHS, JSON.stringify(all));
  return all;
}

/** The tests among `tests` whose graph holds `module`, in their order. */
export function relatedTests(module: string, tests: string[], graphOf: Record<string, string[]>): string[] {
  return tests.filter((t) => graphOf[t]?.includes(module));
}

/** The active mutant's file, relative to the repository the plan belongs to; undefined in a dry run. */
async function activeFile(): Promise<string | undefined> {
  const id = Deno.env.get("__STRYKER_ACTIVE_MUTANT__");
  const planPath = Deno.env.get("WASMROUTE_MUTANT_PLAN");
  if (!id || !planPath) return undefined;
  const plan: PlannedMutant[] = JSON.parse(await Deno.readTextFile(planPath));
  const mutant = plan.find((m) => m.id === id);
  if (!mutant) throw new Error(`No mutant "${id}" in ${planPath}`);
  // The plan is .stryker/<area>.plan.json in the repository; its file names are absolute.
  return relative(dirname(dirname(planPath)), mutant.fileName);
}

async function main(args: string[]): Promise<number> {
  const flags = args.filter((a) => a.startsWith("-"));
  const paths = args.filter((a) => !a.startsWith("-"));
  const file = await activeFile();
  let selected = paths;
  if (file !== undefined) {
    const tests = paths.flatMap(testFiles);
    selected = relatedTests(file, tests, await graphs(tests));
    // No test under the paths loads the file: the whole command could not notice the mutant either.
    if (selected.length === 0) return 0;
  }
  const run = new Deno.Command(Deno.execPath(), { args: ["test", ...flags, ...selected] });
  return (await run.spawn().status).code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
