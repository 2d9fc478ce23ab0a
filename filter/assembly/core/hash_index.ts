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
    // Group the values by hash, keeping their order.
    const groups = new Map<u32, i32>();
    const distinct = new Array<u32>();
    const members = new Array<Array<i32>>();
    for (let i = 0; i < hashes.length; i++) {
      const h = unchecked(hashes[i]);
      if (!groups.has(h)) {
        groups.set(h, distinct.length);
        distinct.push(h);
        members.push(new Array<i32>());
      }
      members[groups.get(h)].push(unchecked(values[i]));
    }
    let cap: u32 = 4;
    while (cap < <u32>distinct.length * 2) cap <<= 1;
    const mask = cap - 1;
    const slots = new StaticArray<u32>(<i32>cap * 4);
    const items = new Array<i32>();
    for (let g = 0; g < distinct.length; g++) {
      const h = distinct[g], run = members[g];
      let s = h & mask;
      while (unchecked(slots[s * 4 + 1]) != 0) s = (s + 1) & mask;
      unchecked(slots[s * 4] = h);
      unchecked(slots[s * 4 + 2] = run.length);
      if (run.length == 1) {
        unchecked(slots[s * 4 + 1] = <u32>run[0] + 1);
      } else {
        unchecked(slots[s * 4 + 1] = <u32>items.length + 1);
        for (let k = 0; k < run.length; k++) items.push(run[k]);
      }
    }
    this.slots = slots;
    this.mask = mask;
    this.items = StaticArray.fromArray(items);
    this.size = distinct.length;
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
