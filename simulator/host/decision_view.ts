/**
 * Strips a report down to what the filter decided, so reports of two hosts (this one and pwhost)
 * can be compared with deep equality. Only measurements differ legitimately between hosts:
 *
 * - `steps[].nanos`, `plugins[].configureMicros`, `timing.nanosPerRequest`: wall-clock times
 *   (pwhost runs an interpreter, this host V8's JIT).
 *
 * Everything else — statuses, headers, local replies, http calls, context ids in logs, metrics, and
 * error texts (trap messages are reported in WAMR's words by both) — must agree.
 *
 * @module
 */

import type { Report } from "./run_scenario.ts";

/** A report without its timing fields; see the module doc. */
export type DecisionView = Record<string, unknown>;

/**
 * Returns a copy of `report` without the fields that legitimately differ between hosts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decisionView } from "./decision_view.ts";
 * const view = decisionView({ plugins: [], steps: [{ error: "x" }], metrics: {}, errors: [], timing: { iterations: 5, nanosPerRequest: 100 } });
 * assert.deepEqual(view.timing, { iterations: 5 });
 * ```
 */
export function decisionView(report: Report | Record<string, unknown>): DecisionView {
  const view = structuredClone(report) as Record<string, unknown>;
  for (const plugin of (view.plugins ?? []) as Record<string, unknown>[]) delete plugin.configureMicros;
  for (const step of (view.steps ?? []) as Record<string, unknown>[]) delete step.nanos;
  if (view.timing) delete (view.timing as Record<string, unknown>).nanosPerRequest;
  return view;
}
