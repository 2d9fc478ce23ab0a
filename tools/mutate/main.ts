/**
 * `deno task mutate [area ...] [--force] [--survivors] [--only=file,...]`: StrykerJS over the areas of tools/mutate/stryker.config.json,
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
 * @module
 */
import { Stryker } from "@stryker-mutator/core";
import { join, relative } from "node:path";
import { mirroredPath, mirrorPath, mirrorSource } from "./as_mirror.ts";
import { type Area, commandPaths, CONFIG, type MutateConfig, readConfig } from "./config.ts";
import { dropSurvivors } from "./retest_survivors.ts";
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

interface StrykerResult {
  id: string;
  fileName: string;
  mutatorName: string;
  replacement: string;
  status: string;
  location: { start: { line: number } };
}

async function toResults(results: StrykerResult[]): Promise<Result[]> {
  const lines = new Map<string, string[]>();
  const out: Result[] = [];
  for (const r of results) {
    const rel = relative(ROOT, r.fileName);
    const file = mirroredPath(rel) ?? rel;
    if (!lines.has(file)) lines.set(file, (await Deno.readTextFile(join(ROOT, file))).split("\n"));
    // Stryker reports results with 1-based lines (mutation-testing-report-schema); Result is 0-based.
    const line = r.location.start.line - 1;
    out.push({ ...r, file, line, sourceLine: lines.get(file)![line] ?? "" });
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
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** How an area's run treats the verdicts of its last run. */
interface Rerun {
  /** Retest every mutant. */
  force: boolean;
  /** When the tests have changed, retest only the last run's survivors (tests were added). */
  survivors: boolean;
}

async function runArea(name: string, area: Area, config: MutateConfig, rerun: Rerun): Promise<Score> {
  const state = join(ROOT, ".stryker");
  await Deno.mkdir(join(state, "reports"), { recursive: true });
  const plan = join(state, `${name}.plan.json`);
  await Deno.remove(`${plan}.compile-errors`).catch(() => {});
  Deno.env.set("WASMROUTE_MUTANT_PLAN", plan);
  const mutate = area.assemblyScript ? await writeMirror(area) : area.mutate;
  // The command runner reports one test for the whole command, so Stryker cannot see a test change:
  // when the tests an area runs have changed since its last run, every mutant is tested again.
  const incrementalFile = join(state, "incremental", `${name}.json`);
  const digest = await testsDigest(area);
  const digestFile = `${incrementalFile}.tests`;
  let testsChanged = await Deno.readTextFile(digestFile).then((d) => d !== digest, () => true);
  if (testsChanged && rerun.survivors && !rerun.force && await dropSurvivors(incrementalFile)) {
    testsChanged = false;
  }
  const stryker = new Stryker({
    ...config.stryker,
    mutate,
    commandRunner: { command: area.command },
    plugins: [join(ROOT, "tools/mutate/mutant_plan_reporter.ts")],
    incrementalFile,
    jsonReporter: { fileName: join(state, "reports", `${name}.json`) },
    tempDirName: `.stryker/tmp-${name}`,
    force: rerun.force || testsChanged,
  });
  const results = await toResults(await stryker.runMutationTest() as unknown as StrykerResult[]);
  await Deno.writeTextFile(digestFile, digest);
  return score(results, config.equivalent, await readIds(`${plan}.compile-errors`));
}

function describe(name: string, s: Score): string {
  const head = `${name}: ${s.score ?? "-"} % (${s.killed} killed, ${s.survived} survived, ` +
    `${s.equivalent} equivalent, ${s.compileErrors} not compiling)`;
  const lines = s.survivors.map((r) =>
    `  ${r.file}:${r.line + 1} ${r.mutatorName} → ${r.replacement.split("\n")[0]}`
  );
  return [head, ...lines].join("\n");
}

if (import.meta.main) {
  const config = await readConfig();
  const rerun = { force: Deno.args.includes("--force"), survivors: Deno.args.includes("--survivors") };
  // --only=a.ts,b.ts narrows the named areas to those of their files (a slow area measured in parts).
  const only = Deno.args.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
  const named = Deno.args.filter((a) => !a.startsWith("--"));
  for (const name of named) if (!(name in config.areas)) throw new Error(`No area "${name}" in ${CONFIG}`);
  const summaries: string[] = [];
  for (const name of named.length ? named : Object.keys(config.areas)) {
    const area = only ? { ...config.areas[name], mutate: only } : config.areas[name];
    // A part keeps its own incremental file and reports: the area's would lose the other files' results.
    const key = only
      ? `${name}-${only.map((f) => f.slice(f.lastIndexOf("/") + 1, -".ts".length)).join("+")}`
      : name;
    const s = await runArea(key, area, config, rerun);
    await Deno.writeTextFile(
      join(ROOT, ".stryker/reports", `${key}.summary.json`),
      JSON.stringify(s, null, 2),
    );
    summaries.push(describe(key, s));
  }
  console.log(`\n${summaries.join("\n")}`);
}
