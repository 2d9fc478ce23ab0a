// Read-only open-addressing tables from a 32-bit hash (core/hash.ts) to a run of i32 values, built
// once per rule table. Lookups probe flat words: no hashing of the key again, no bucket chains, no
// allocation, and a missing key is an answer, not an error (Map.get would abort).
//
// A slot is two words: the key, and 0 (empty), a value + 1 (a run of one), or RUN | the offset in
// an items array of the run's length followed by its values in the order they were added. The
// route indexes of every virtual host are built with the same functions into a few arrays the
// whole table shares (core/blob.ts), so a table of 100,000 rules is not 20,000 small objects.

/** A slot's value: the run is in the items array at the offset in the low bits. */
export const RUN: u32 = 0x80000000;
/** While building: a key with one value, not placed yet. */
const SINGLE: u32 = 0x7fffffff;
export const SLOT_BYTES: usize = 8;

/** Slots for `n` keys: a power of two at least twice `n`, so that probing a missing key stops soon. */
export function slotCount(n: i32): u32 {
  let cap: u32 = 4;
  while (cap < <u32>n * 2) cap <<= 1;
  return cap;
}

/**
 * Building, first pass: counts one more value under `h` (the slots' second words are counts until
 * {@link placeRuns}). Returns true when `h` is new.
 */
export function countKey(slots: usize, mask: u32, h: u32): bool {
  const s = slotFor(slots, mask, h);
  const n = load<u32>(s, 4);
  if (n == 0) store<u32>(s, h);
  store<u32>(s, n + 1, 4);
  return n == 0;
}

/** Words the runs longer than one take in an items array (each its length and its values). */
export function runWords(slots: usize, cap: u32): u32 {
  let total: u32 = 0;
  for (let k: u32 = 0; k < cap; k++) {
    const n = load<u32>(slots + (<usize>k << 3), 4);
    if (n > 1) total += n + 1;
  }
  return total;
}

/** Building, second pass: gives each run longer than one its place in `items` from word `at`; returns the next free word. */
export function placeRuns(slots: usize, cap: u32, items: usize, at: u32): u32 {
  for (let k: u32 = 0; k < cap; k++) {
    const s = slots + (<usize>k << 3);
    const n = load<u32>(s, 4);
    if (n == 1) {
      store<u32>(s, SINGLE, 4);
    } else if (n > 1) {
      store<u32>(s, RUN | at, 4);
      store<u32>(items + (<usize>at << 2), 0);
      at += n + 1;
    }
  }
  return at;
}

/** Building, third pass: files `value` under `h` (counted and placed before), after the values filed before it. */
export function fileValue(slots: usize, mask: u32, items: usize, h: u32, value: i32): void {
  const s = slotFor(slots, mask, h);
  const v = load<u32>(s, 4);
  if (v == SINGLE) {
    store<u32>(s, <u32>value + 1, 4);
    return;
  }
  const run = items + (<usize>(v & ~RUN) << 2);
  const filled = load<u32>(run);
  store<i32>(run + (<usize>(filled + 1) << 2), value);
  store<u32>(run, filled + 1);
}

/** The slot of `h` in a table being built: its own, or the empty one where it goes. */
function slotFor(slots: usize, mask: u32, h: u32): usize {
  let s = h & mask;
  while (true) {
    const at = slots + (<usize>s << 3);
    if (load<u32>(at, 4) == 0 || load<u32>(at) == h) return at;
    s = (s + 1) & mask;
  }
  return 0;
}

/** A table of its own (hostnames, Service frontends): its slots and items in two arrays. */
export class HashIndex {
  private slots: StaticArray<u32>;
  private mask: u32;
  private items: StaticArray<u32>;
  /** How many distinct keys. */
  readonly size: i32;

  constructor(hashes: Array<u32>, values: Array<i32>) {
    const n = hashes.length;
    const cap = slotCount(n);
    const slots = new StaticArray<u32>(<i32>cap * 2);
    const at = changetype<usize>(slots), mask = cap - 1;
    let distinct = 0;
    for (let i = 0; i < n; i++) {
      if (countKey(at, mask, unchecked(hashes[i]))) distinct++;
    }
    const items = new StaticArray<u32>(<i32>runWords(at, cap));
    placeRuns(at, cap, changetype<usize>(items), 0);
    for (let i = 0; i < n; i++) fileValue(at, mask, changetype<usize>(items), unchecked(hashes[i]), unchecked(values[i]));
    this.slots = slots;
    this.mask = mask;
    this.items = items;
    this.size = distinct;
  }

  /** The slots' address, for {@link findSlot} (the index must stay alive while it is used). */
  get slotsAt(): usize {
    return changetype<usize>(this.slots);
  }
  get slotMask(): u32 {
    return this.mask;
  }
  /** The address of the runs longer than one, for {@link runLength} and {@link runItem}. */
  get itemsAt(): usize {
    return changetype<usize>(this.items);
  }
}

// Lookups over the raw addresses: the hot path (core/decide.ts) reads the slots as plain words and
// loads no HashIndex object (core/hot_table.ts).

/** The address of the slot of `h`, or 0 when nothing was filed under it. */
// @ts-ignore: decorator
@inline export function findSlot(slots: usize, mask: u32, h: u32): usize {
  let s = h & mask;
  while (true) {
    const at = slots + (<usize>s << 3);
    if (load<u32>(at, 4) == 0) return 0;
    if (load<u32>(at) == h) return at;
    s = (s + 1) & mask;
  }
  return 0;
}

/** How many values a found slot has. */
// @ts-ignore: decorator
@inline export function runLength(slot: usize, items: usize): i32 {
  const v = load<u32>(slot, 4);
  return (v & RUN) == 0 ? 1 : load<i32>(items + (<usize>(v & ~RUN) << 2));
}

/** The `k`th value of a found slot, in the order they were added. */
// @ts-ignore: decorator
@inline export function runItem(slot: usize, items: usize, k: i32): i32 {
  const v = load<u32>(slot, 4);
  return (v & RUN) == 0 ? <i32>v - 1 : load<i32>(items + (<usize>(v & ~RUN) << 2) + (<usize>(k + 1) << 2));
}
