// When the collector runs. The module is built with AssemblyScript's minimal runtime: no shadow stack,
// so a function holding an object pays nothing around the calls it makes (the incremental runtime's
// stores around every call cost more than matching a request), and no collection of its own. The
// collector cannot see the wasm stack, so it may only run where no local holds an object: when the
// outermost callback from the host is about to return. It runs there once the bytes held by objects
// pass a budget over what was live after the last collection — half as much again, at least 1 MiB —
// so its work stays in proportion to the garbage made, as the incremental runtime's would.

const MIN_BUDGET: usize = 1 << 20;

/**
 * Bytes held by managed objects: the runtime's own running total. Its body is put in at compile
 * time by filter/managed_bytes_transform.ts (AssemblyScript cannot name the runtime's private
 * global); a build without that transform traps here at once instead of never collecting.
 */
export function managedBytes(): usize {
  unreachable();
  return 0;
}

let depth: i32 = 0;
let threshold: usize = MIN_BUDGET;

/** A callback from the host begins (callbacks nest: the host may call malloc, or another callback, during one). */
export function enter(): void {
  depth++;
}

/**
 * The callback `enter` began ends; the caller holds no object it still needs. A trap ends the VM for
 * good (Envoy never calls it again), so a callback that never gets here leaves nothing to balance.
 */
export function leave(): void {
  if (--depth == 0 && managedBytes() >= threshold) collect();
}

/** Collects now and sets the next budget; only where no local holds an object. */
export function collect(): void {
  __collect();
  const live = managedBytes();
  threshold = live + max(live >> 1, MIN_BUDGET);
}
