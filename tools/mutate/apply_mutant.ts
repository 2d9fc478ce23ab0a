/**
 * The first step of the AssemblyScript area's command, run by Stryker in its sandbox for each mutant:
 * puts back the sources earlier mutants changed, writes the active mutant (`__STRYKER_ACTIVE_MUTANT__`,
 * looked up in the plan that mutant_plan_reporter.ts wrote) into the real source, then builds the
 * filter. A mutant the compiler
 * refuses is recorded beside the plan (by its place and replacement, config.ts mutantKey, which a
 * later incremental run gives the same mutant whatever its id), so the score leaves it out as
 * Stryker leaves out its CompileErrors, and exits 1. Without an active mutant (Stryker's dry run) it only builds.
 *
 * The build is the release build without Binaryen's optimizer (build_filter.ts `unoptimized`), in
 * this process: about 1 s of compiling instead of 6, and no second Deno. What kills a mutant does not
 * change with it: the optimizer keeps the module's behaviour (it may only drop what cannot run), the
 * dry run gives the whole test subset a green baseline on this build, and Stryker's timeout is
 * scaled from that same dry run. The unit tests beside the sources compile their own entries as
 * before (compile_assemblyscript.ts).
 *
 * @module
 */
import { buildFilter } from "../build_filter.ts";
import { mirroredPath } from "./as_mirror.ts";
import { mutantKey, type PlannedMutant } from "./config.ts";

/** `text` with `mutant`'s replacement in place of its 0-based [start, end) line and column range. */
export function applyMutant(text: string, mutant: Pick<PlannedMutant, "location" | "replacement">): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const offset = (p: { line: number; column: number }) => {
    if (p.line >= lineStarts.length) throw new RangeError(`Line ${p.line + 1} is past the end of the file`);
    return lineStarts[p.line] + p.column;
  };
  const { start, end } = mutant.location;
  return text.slice(0, offset(start)) + mutant.replacement + text.slice(offset(end));
}

/** Where the sandbox keeps each source as it was before the first mutant written into it. */
const PRISTINE = ".stryker-pristine";

/** Puts back every source a mutant changed; the text of `path` as it was. */
async function restore(path: string): Promise<string> {
  try {
    for await (const e of Deno.readDir(PRISTINE)) {
      const original = decodeURIComponent(e.name);
      await Deno.writeTextFile(original, await Deno.readTextFile(`${PRISTINE}/${e.name}`));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  // A source is saved the first time a mutant is written into it, so it is unchanged then.
  const saved = `${PRISTINE}/${encodeURIComponent(path)}`;
  const text = await Deno.readTextFile(path);
  await Deno.mkdir(PRISTINE, { recursive: true });
  await Deno.writeTextFile(saved, text, { createNew: true }).catch((error) => {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  });
  return text;
}

async function build(): Promise<{ ok: boolean; output: string }> {
  try {
    await buildFilter({ unoptimized: true });
    return { ok: true, output: "" };
  } catch (error) {
    return { ok: false, output: error instanceof Error ? error.message : String(error) };
  }
}

function plan(path: string): PlannedMutant[] {
  return JSON.parse(Deno.readTextFileSync(path));
}

async function main(): Promise<number> {
  const id = Deno.env.get("__STRYKER_ACTIVE_MUTANT__");
  const planPath = Deno.env.get("WASMROUTE_MUTANT_PLAN");
  if (id && planPath) {
    const mutant = plan(planPath).find((m) => m.id === id);
    const path = mutant && mirroredPath(mutant.fileName);
    if (!mutant || !path) throw new Error(`Mutant "${id}" is not an AssemblyScript mutant of ${planPath}`);
    await Deno.writeTextFile(path, applyMutant(await restore(path), mutant));
  }
  const { ok, output } = await build();
  if (ok) return 0;
  if (!id || !planPath) {
    console.error(output);
    return 1;
  }
  const mutant = plan(planPath).find((m) => m.id === id);
  if (mutant) {
    await Deno.writeTextFile(`${planPath}.compile-errors`, `${mutantKey(mutant)}\n`, { append: true });
  }
  return 1;
}

if (import.meta.main) Deno.exit(await main());
