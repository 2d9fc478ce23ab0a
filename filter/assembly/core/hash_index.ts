// A read-only open-addressing table from a 32-bit hash (core/hash.ts) to a run of i32 values, built
// once per rule table. Lookups probe flat arrays: no hashing of the key again, no bucket chains, no
// allocation, and a missing key is an answer, not an error (Map.get would abort).

export class HashIndex {
  /**
   * Four words per slot, so one probe reads one cache line: the key, the run's start in `items`
   * plus one (0: empty slot) — or, for a run of one value, that value itself — the run's length, and
   * a spare word. A table of 10,000 rules is megabytes: what a lookup touches is what it costs.
   */
  private slots: StaticArray<u32>;
  private mask: u32;
  /** Values of runs longer than one, grouped by key, each group in the order it was added. */
  private items: StaticArray<i32>;
  readonly size: i32;

  constructor(hashes: Array<u32>, values: Array<i32>) {
    // Built without a Map or a list per key: one pass counts each key's run in the slots, one
    // places the runs in `items`, one fills them in the order the values came (configure time at
    // 100,000 rules, and what it allocates, is linear memory the table keeps as its high-water mark).
    const n = hashes.length;
    let cap: u32 = 4;
    while (cap < <u32>n * 2) cap <<= 1;
    const mask = cap - 1;
    const slots = new StaticArray<u32>(<i32>cap * 4);
    const at = changetype<usize>(slots);
    let distinct = 0;
    for (let i = 0; i < n; i++) {
      const s = slotFor(at, mask, unchecked(hashes[i]));
      if (load<u32>(s, 4) == 0) {
        store<u32>(s, unchecked(hashes[i]));
        store<u32>(s, 1, 4);
        distinct++;
      }
      store<u32>(s, load<u32>(s, 8) + 1, 8);
    }
    let total: u32 = 0;
    for (let k: u32 = 0; k < cap; k++) {
      const s = at + (<usize>k << 4);
      const run = load<u32>(s, 8);
      if (run > 1) {
        store<u32>(s, total + 1, 4);
        total += run;
      }
    }
    const items = new StaticArray<i32>(<i32>total);
    for (let i = 0; i < n; i++) {
      const s = slotFor(at, mask, unchecked(hashes[i]));
      const v = unchecked(values[i]);
      if (load<u32>(s, 8) == 1) {
        store<u32>(s, <u32>v + 1, 4);
      } else {
        const filled = load<u32>(s, 12);
        unchecked(items[<i32>(load<u32>(s, 4) - 1 + filled)] = v);
        store<u32>(s, filled + 1, 12);
      }
    }
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
  /** The address of the values of runs longer than one, for {@link runItem}. */
  get itemsAt(): usize {
    return changetype<usize>(this.items);
  }
}

/** The slot of `h` in a table being built: its own, or the empty one where it goes. */
function slotFor(slots: usize, mask: u32, h: u32): usize {
  let s = h & mask;
  while (true) {
    const at = slots + (<usize>s << 4);
    if (load<u32>(at, 4) == 0 || load<u32>(at) == h) return at;
    s = (s + 1) & mask;
  }
  return 0;
}

// Lookups over the raw addresses: the hot path (core/decide.ts) reads the slots as plain words and
// loads no HashIndex object (core/hot_table.ts).

/** The address of the slot of `h`, or 0 when nothing was filed under it. */
// @ts-ignore: decorator
@inline export function findSlot(slots: usize, mask: u32, h: u32): usize {
  let s = h & mask;
  while (true) {
    const at = slots + (<usize>s << 4);
    if (load<u32>(at, 4) == 0) return 0;
    if (load<u32>(at) == h) return at;
    s = (s + 1) & mask;
  }
  return 0;
}

/** How many values a found slot has. */
// @ts-ignore: decorator
@inline export function runLength(slot: usize): i32 {
  return load<i32>(slot, 8);
}

/** The `k`th value of a found slot, in the order they were added. */
// @ts-ignore: decorator
@inline export function runItem(slot: usize, items: usize, k: i32): i32 {
  const v = load<i32>(slot, 4) - 1;
  return load<u32>(slot, 8) == 1 ? v : load<i32>(items + (<usize>(v + k) << 2));
}
