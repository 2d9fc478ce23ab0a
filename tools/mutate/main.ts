/**
 * `deno task mutate [area ...] [--force] [--survivors] [--only=file,...] [--sample=N [--seed=S]]`:
 * StrykerJS over the areas of tools/mutate/stryker.config.json,
 * one after another (security, store, model, ir, filter when none is named), each with Stryker's
 * command runner. Prints each area's score (score.ts) and writes it with its survivors to
 * `.stryker/reports/<area>.summary.json`; Stryker's own report is `.stryker/reports/<area>.json`.
 *
 * Incremental: each area keeps Stryker's incremental file in `.stryker/incremental/<area>.json`
 * (gitignored): a rerun tests only the mutants whose code changed. The command runner reports one
 * test for the whole command, so Stryker cannot see a test change itself: when a file under the paths
 * the command names has changed since the area's last run, every mutant is tested again, as with
 * `--force`. With `--survivors`, a test change retests only the last run's survivors
 * (retest_survivors.ts): for the loop of adding tests, where a killed mutant stays killed.
 *
 * The filter area (AssemblyScript) mutates a mirror of its sources (as_mirror.ts) and writes one
 * mutant at a time into the real files before building (apply_mutant.ts).
 *
 * `--sample=N --seed=S` tests a seeded uniform random sample of N of the area's mutants (sample.ts)
 * and prints the score with its 95 % interval; the run keeps its own incremental file and reports
 * (`<area>-sample<N>-seed<S>`).
 *
 * @module
 */
import { Stryker } from "@stryker-mutator/core";
import { Buffer } from "node:buffer";
import { join, relative } from "node:path";
import { mirroredPath, mirrorPath, mirrorSource } from "./as_mirror.ts";
import { type Area, commandPaths, CONFIG, mutantKey, type MutateConfig, readConfig } from "./config.ts";
import { dropSurvivors, keepOnly } from "./retest_survivors.ts";
import { parseSample, sampleGuard, type SampleSpec } from "./sample.ts";
import { type Result, type Score, score } from "./score.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Writes the Babel-readable mirror of every file an AssemblyScript area mutates; its globs. */
async function writeMirror(area: Area): Promise<string[]> {
  for (const pattern of area.mutate) {
    const dir = pattern.slice(0, pattern.lastIndexOf("/"));
    for await (const e of Deno.readDir(join(ROOT, dir))) {
      if (!e.isFile || !e.name.endsWith(".ts")) continue;
      const path = `${dir}/${e.name}`;
      await Deno.mkdir(join(ROOT, mirrorPath(dir)), { recursive: true });
      await Deno.writeTextFile(
        join(ROOT, mirrorPath(path)),
        mirrorSource(await Deno.readTextFile(join(ROOT, path))),
      );
    }
  }
  return area.mutate.map((p) => p.startsWith("!") ? `!${mirrorPath(p.slice(1))}` : mirrorPath(p));
}

interface Position {
  line: number;
  column: number;
}

interface StrykerResult {
  id: string;
  fileName: string;
  mutatorName: string;
  replacement: string;
  status: string;
  location: { start: Position; end: Position };
}

/** A result with the 0-based place the plan and mutantKey use (results are 1-based). */
function zeroBased(r: StrykerResult): StrykerResult {
  const at = (p: Position) => ({ line: p.line - 1, column: p.column - 1 });
  return { ...r, location: { start: at(r.location.start), end: at(r.location.end) } };
}

/** The text between two of Stryker's positions (1-based lines and columns) in `lines`. */
function textAt(lines: string[], start: Position, end: Position): string {
  if (start.line === end.line) return lines[start.line - 1]?.slice(start.column - 1, end.column - 1) ?? "";
  return [
    lines[start.line - 1]?.slice(start.column - 1) ?? "",
    ...lines.slice(start.line, end.line - 1),
    lines[end.line - 1]?.slice(0, end.column - 1) ?? "",
  ].join("\n");
}

/**
 * Stryker's results with their source line and replaced code, read from the sources in Stryker's
 * JSON report (`report`): the files as they were mutated, which another engineer may have edited
 * since — read from the tree, the lines would no longer be the mutants'.
 */
async function toResults(results: StrykerResult[], report: string): Promise<Result[]> {
  const { files }: { files: Record<string, { source: string }> } = JSON.parse(
    await Deno.readTextFile(report),
  );
  const sources = new Map(Object.entries(files).map(([name, f]) => [join(ROOT, name), f.source.split("\n")]));
  const out: Result[] = [];
  for (const r of results) {
    const rel = relative(ROOT, r.fileName);
    const file = mirroredPath(rel) ?? rel;
    const lines = sources.get(r.fileName) ?? (await Deno.readTextFile(join(ROOT, file))).split("\n");
    // Stryker reports results with 1-based lines (mutation-testing-report-schema); Result is 0-based.
    const line = r.location.start.line - 1;
    const original = textAt(lines, r.location.start, r.location.end);
    out.push({ ...r, file, line, sourceLine: lines[line] ?? "", original });
  }
  return out;
}

async function readIds(path: string): Promise<Set<string>> {
  try {
    return new Set((await Deno.readTextFile(path)).split("\n").filter(Boolean));
  } catch {
    return new Set();
  }
}

/** A digest of every file under the paths an area's command runs: its tests and what they read. */
async function testsDigest(area: Area): Promise<string> {
  const texts: string[] = [];
  const walk = async (path: string) => {
    const info = await Deno.stat(join(ROOT, path));
    if (info.isFile) return void texts.push(path, await Deno.readTextFile(join(ROOT, path)));
    const names = [...Deno.readDirSync(join(ROOT, path))].map((e) => e.name).sort();
    for (const name of names) await walk(`${path}/${name}`);
  };
  for (const path of commandPaths(area.command)) await walk(path);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(texts)));
  return Buffer.from(digest).toString("hex");
}

/** How an area's run treats the verdicts of its last run. */
interface Rerun {
  /** Retest every mutant. */
  force: boolean;
  /** When the tests have changed, retest only the last run's survivors (tests were added). */
  survivors: boolean;
}

async function runArea(
  name: string,
  area: Area,
  config: MutateConfig,
  rerun: Rerun,
  sample?: SampleSpec,
): Promise<Score> {
  const state = join(ROOT, ".stryker");
  await Deno.mkdir(join(state, "reports"), { recursive: true });
  const plan = join(state, `${name}.plan.json`);
  // The last run's sample: with --survivors, only its survivors are retested (the others' verdicts
  // are placeholders the score leaves out).
  const lastSample = sample && await readIds(`${plan}.sample`);
  await Deno.remove(`${plan}.sample`).catch(() => {});
  Deno.env.set("WASMROUTE_MUTANT_PLAN", plan);
  if (sample) Deno.env.set("WASMROUTE_MUTANT_SAMPLE", `${sample.size}:${sample.seed}`);
  else Deno.env.delete("WASMROUTE_MUTANT_SAMPLE");
  const mutate = area.assemblyScript ? await writeMirror(area) : area.mutate;
  // The command runner reports one test for the whole command, so Stryker cannot see a test change:
  // when the tests an area runs have changed since its last run, every mutant is tested again.
  const incrementalFile = join(state, "incremental", `${name}.json`);
  const digest = await testsDigest(area);
  const digestFile = `${incrementalFile}.tests`;
  let testsChanged = await Deno.readTextFile(digestFile).then((d) => d !== digest, () => true);
  // --survivors retests the last run's survivors, whether or not Stryker would see a change.
  if (rerun.survivors && !rerun.force && await dropSurvivors(incrementalFile, lastSample)) {
    testsChanged = false;
  }
  // Refused mutants are recorded by key as they run; a mutant Stryker does not run again keeps its
  // record, so the records go only when every mutant runs.
  if (rerun.force || testsChanged) await Deno.remove(`${plan}.compile-errors`).catch(() => {});
  const report = join(state, "reports", `${name}.json`);
  const stryker = new Stryker({
    ...config.stryker,
    mutate,
    commandRunner: { command: (sample ? sampleGuard(`${plan}.sample`) : "") + area.command },
    plugins: [join(ROOT, "tools/mutate/mutant_plan_reporter.ts")],
    incrementalFile,
    jsonReporter: { fileName: report },
    tempDirName: `.stryker/tmp-${name}`,
    force: rerun.force || testsChanged,
  });
  const raw = await stryker.runMutationTest() as unknown as StrykerResult[];
  const results = await toResults(raw, report);
  await Deno.writeTextFile(digestFile, digest);
  if (sample) await keepOnly(incrementalFile, await readIds(`${plan}.sample`));
  const refused = await readIds(`${plan}.compile-errors`);
  const compileErrors = new Set(raw.filter((r) => refused.has(mutantKey(zeroBased(r)))).map((r) => r.id));
  return score(results, config.equivalent, compileErrors, sample && await readIds(`${plan}.sample`));
}

function describe(name: string, s: Score): string {
  const estimate = s.interval ? ` (95 % interval ${s.interval.join("-")} %, a sample)` : "";
  const head = `${name}: ${s.score ?? "-"} %${estimate} (${s.killed} killed, ${s.survived} survived, ` +
    `${s.equivalent} equivalent, ${s.compileErrors} not compiling` +
    `${s.unsampled === undefined ? "" : `, ${s.unsampled} not sampled`})`;
  const lines = s.survivors.map((r) =>
    `  ${r.file}:${r.line + 1} ${r.mutatorName} → ${r.replacement.split("\n")[0]}`
  );
  return [head, ...lines].join("\n");
}

if (import.meta.main) {
  const config = await readConfig();
  const rerun = { force: Deno.args.includes("--force"), survivors: Deno.args.includes("--survivors") };
  const sample = parseSample(Deno.args);
  // --only=a.ts,b.ts narrows the named areas to those of their files (a slow area measured in parts);
  // Stryker's line ranges work too (a.ts:10-40).
  const only = Deno.args.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
  const named = Deno.args.filter((a) => !a.startsWith("--"));
  for (const name of named) if (!(name in config.areas)) throw new Error(`No area "${name}" in ${CONFIG}`);
  const summaries: string[] = [];
  for (const name of named.length ? named : Object.keys(config.areas)) {
    const area = only ? { ...config.areas[name], mutate: only } : config.areas[name];
    // A part keeps its own incremental file and reports: the area's would lose the other files' results.
    const part = only
      ? `${name}-${
        only.map((f) =>
          f.slice(f.lastIndexOf("/") + 1).replace(/\.ts(?::(.*))?$/, (_, r) => r ? `@${r}` : "")
        ).join("+")
      }`
      : name;
    const key = sample ? `${part}-sample${sample.size}-seed${sample.seed}` : part;
    const s = await runArea(key, area, config, rerun, sample);
    await Deno.writeTextFile(
      join(ROOT, ".stryker/reports", `${key}.summary.json`),
      JSON.stringify(s, null, 2),
    );
    summaries.push(describe(key, s));
  }
  console.log(`\n${summaries.join("\n")}`);
}
