// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the filter's collection policy (filter/assembly/abi/heap.ts).
// Built by ../heap_test.ts with the filter's flags (minimal runtime, the managedBytes transform).
import { collect, enter, leave, managedBytes } from "../heap";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

/** What a global holds: it must survive every collection. */
let kept: Array<string> = [];

/** Bytes held by objects now. */
export function managed_bytes(): usize { return managedBytes(); }
/** A callback that makes `bytes` of garbage and keeps one string, `n` of them in all so far. */
export function callback(bytes: i32): void {
  enter();
  garbage(bytes);
  keepOne();
  leave();
}
/**
 * A callback during which the host calls `callback` (as it calls malloc, or sends a local reply);
 * whether an object only its local held came through the inner callback intact.
 */
export function nested(outer: i32, inner: i32): bool {
  enter();
  const local = "held by a local " + outer.toString();
  garbage(outer);
  callback(inner);
  garbage(outer); // would reuse the local's block had the inner callback freed it
  const intact = local == "held by a local " + outer.toString();
  leave();
  return intact;
}
/** Collects at once. */
export function collect_now(): void { collect(); }
/** Whether every string kept so far still reads as it was written. */
export function kept_intact(): bool {
  for (let i = 0; i < kept.length; i++) if (kept[i] != "kept " + i.toString()) return false;
  return true;
}
export function kept_count(): i32 { return kept.length; }

function garbage(bytes: i32): void {
  for (let made = 0; made < bytes; made += 1024) new ArrayBuffer(1024);
}
function keepOne(): void { kept.push("kept " + kept.length.toString()); }
