/**
 * `--sample=N --seed=S`: a seeded uniform random sample of an area's mutants, for an area too slow to
 * run whole (the filter's: each mutant is a build and a test run). The sample is a simple random
 * sample without replacement: each mutant gets a rank, the SHA-256 of the seed and the mutant's
 * place, mutator and replacement, and the N lowest ranks are taken. A rank depends on the mutant
 * alone, so the same sources and seed give the same sample in any run, and a change elsewhere in a
 * file leaves the other mutants' ranks as they were.
 *
 * Stryker still visits every mutant: the area's command starts with {@linkcode sampleGuard}, which
 * ends at once, with success, for a mutant outside the sample. Stryker therefore calls those
 * "Survived" in its own report; the score leaves them out by id (score.ts), and a sampled run keeps
 * its own incremental file and reports, so these verdicts never reach a full run.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { relative } from "node:path";
import type { PlannedMutant } from "./config.ts";

/** How many mutants to sample, and the seed that picks them. */
export interface SampleSpec {
  size: number;
  seed: number;
}

/** `--sample=N [--seed=S]` (seed 1 by default), or undefined without `--sample`; throws on a bad value. */
export function parseSample(args: string[]): SampleSpec | undefined {
  const value = (flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  const size = value("--sample");
  const seed = value("--seed");
  if (size === undefined) {
    if (seed !== undefined) throw new RangeError("--seed needs --sample");
    return undefined;
  }
  const spec = { size: Number(size), seed: seed === undefined ? 1 : Number(seed) };
  if (!Number.isSafeInteger(spec.size) || spec.size < 1) {
    throw new RangeError(`--sample="${size}" is not a count`);
  }
  if (!Number.isSafeInteger(spec.seed) || spec.seed < 0) {
    throw new RangeError(`--seed="${seed}" is not a seed`);
  }
  return spec;
}

/** A mutant's rank in the sample of `seed`: hex SHA-256 over the seed and what identifies the mutant. */
function rank(m: PlannedMutant, seed: number, root: string): string {
  const { start, end } = m.location;
  const place = `${relative(root, m.fileName)}:${start.line}:${start.column}-${end.line}:${end.column}`;
  return createHash("sha256").update(`${seed}\n${place}\n${m.mutatorName}\n${m.replacement}`).digest("hex");
}

/** The ids of the sampled mutants: the `size` lowest ranks (every mutant when there are fewer). */
export function sampleIds(mutants: PlannedMutant[], spec: SampleSpec, root: string): Set<string> {
  const ranked = mutants.map((m) => ({ id: m.id, rank: rank(m, spec.seed, root) }));
  ranked.sort((a, b) => a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0);
  return new Set(ranked.slice(0, spec.size).map((r) => r.id));
}

/**
 * The shell that goes before an area's command in a sampled run: a mutant whose id is not a line of
 * `sampleFile` ends with success (Stryker's dry run, with no active mutant, goes on).
 */
export function sampleGuard(sampleFile: string): string {
  return `[ -z "$__STRYKER_ACTIVE_MUTANT__" ] || grep -qxF "$__STRYKER_ACTIVE_MUTANT__" '${sampleFile}' || exit 0; `;
}

/**
 * The Wilson score interval (95 %, z = 1.96) of a proportion seen as `k` of `n`, in percent with one
 * decimal: where the whole area's score lies, given the sample's. Null when n is 0.
 */
export function wilsonInterval(k: number, n: number, z = 1.96): [number, number] | null {
  if (n === 0) return null;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  const pct = (x: number) => Math.round(1000 * Math.min(1, Math.max(0, x))) / 10;
  return [pct(centre - half), pct(centre + half)];
}
