/**
 * Timing and statistics for the benchmarks: calibrated, interleaved runs reported as medians.
 *
 * @module
 */

/** Something timed: runs `iterations` operations and returns the elapsed milliseconds. */
export type Timed = (iterations: number) => number;

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The iteration count that makes one run of `fn` take at least `minMs` (doubling from `start`); the
 * doubling runs double as warm-up, so V8 has tiered the code up by the time it returns.
 */
export function calibrate(fn: Timed, minMs: number, start = 64): number {
  let iterations = start;
  for (;;) {
    const ms = fn(iterations);
    if (ms >= minMs) return iterations;
    // Aim a little past the target so noise does not leave a run short.
    const factor = ms <= 0 ? 8 : Math.min(8, Math.max(2, (minMs * 1.2) / ms));
    iterations = Math.ceil(iterations * factor);
  }
}

/** Result of one benchmarked case. */
export interface CaseResult {
  name: string;
  /** Median nanoseconds per operation. */
  ns: number;
  /** Every run's nanoseconds per operation. */
  runs: number[];
  iterations: number;
}

/**
 * Times each case `runs` times with enough iterations for `minMs` per run, interleaving the cases
 * (case A, B, C, then A, B, C again, …) so that a slow patch of a busy machine hits them alike.
 */
export function runInterleaved(
  cases: { name: string; fn: Timed }[],
  options: { runs: number; minMs: number },
): CaseResult[] {
  const iterations = cases.map((c) => calibrate(c.fn, options.minMs));
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < options.runs; r++) {
    cases.forEach((c, i) => samples[i].push((c.fn(iterations[i]) * 1e6) / iterations[i]));
  }
  return cases.map((c, i) => ({
    name: c.name,
    ns: median(samples[i]),
    runs: samples[i],
    iterations: iterations[i],
  }));
}

/** Milliseconds of one call of an async function. */
export async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

// --- formatting -----------------------------------------------------------------------------------

/** `1234567` → `1,234,567`; fractions to `digits` places. */
/** A measure's value for docs/benchmarks.json: a count as it is, anything else to 4 significant digits. */
export function jsonValue(n: number): number {
  return Number.isInteger(n) ? n : Number(n.toPrecision(4));
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "–";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as `1.23×`. */
export function ratio(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}×` : "–";
}

/** Whether a measured ratio holds its target, in bold. */
export function verdict(value: number, limit: number): string {
  return value <= limit ? "**met**" : "**not met**";
}

/** Bytes as `12,345 B (12.1 KiB)`. */
export function bytes(n: number): string {
  if (n < 1024) return `${fmt(n)} B`;
  if (n < 1024 * 1024) return `${fmt(n)} B (${(n / 1024).toFixed(1)} KiB)`;
  return `${fmt(n)} B (${(n / 1024 / 1024).toFixed(2)} MiB)`;
}

/** A Markdown table. */
export function table(head: string[], rows: (string | number)[][], align?: ("l" | "r")[]): string {
  const sep = head.map((_, i) => ((align?.[i] ?? (i === 0 ? "l" : "r")) === "r" ? "---:" : "---"));
  const line = (cells: (string | number)[]) =>
    `| ${cells.map((c) => String(c).replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(head), `|${sep.join("|")}|`, ...rows.map(line)].join("\n");
}
