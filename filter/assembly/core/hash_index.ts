// A read-only open-addressing table from a 32-bit hash (core/hash.ts) to a run of i32 values, built
// once per rule table. Lookups probe flat arrays: no hashing of the key again, no bucket chains, no
// allocation, and a missing key is an answer, not an error (Map.get would abort).

export class HashIndex {
  /** Slot → key, and where its values start in `items` (-1: empty slot) and how many there are. */
  private keys: StaticArray<u32>;
  private starts: StaticArray<i32>;
  private counts: StaticArray<i32>;
  private mask: u32;
  /** All values, grouped by key, each group in the order it was added. */
  readonly items: StaticArray<i32>;
  readonly size: i32;

  constructor(hashes: Array<u32>, values: Array<i32>) {
    // Group the values by hash, keeping their order: count, then place.
    const groups = new Map<u32, i32>();
    const distinct = new Array<u32>();
    const sizes = new Array<i32>();
    for (let i = 0; i < hashes.length; i++) {
      const h = unchecked(hashes[i]);
      if (groups.has(h)) {
        const g = groups.get(h);
        sizes[g] = sizes[g] + 1;
      } else {
        groups.set(h, distinct.length);
        distinct.push(h);
        sizes.push(1);
      }
    }
    let cap: u32 = 4;
    while (cap < <u32>distinct.length * 2) cap <<= 1;
    const mask = cap - 1;
    const keys = new StaticArray<u32>(cap), starts = new StaticArray<i32>(cap), counts = new StaticArray<i32>(cap);
    for (let s: u32 = 0; s < cap; s++) unchecked(starts[s] = -1);
    const next = new Array<i32>(distinct.length);
    let at = 0;
    for (let g = 0; g < distinct.length; g++) {
      next[g] = at;
      const h = distinct[g];
      let s = mix(h) & mask;
      while (unchecked(starts[s]) >= 0) s = (s + 1) & mask;
      unchecked(keys[s] = h);
      unchecked(starts[s] = at);
      unchecked(counts[s] = sizes[g]);
      at += sizes[g];
    }
    const items = new StaticArray<i32>(hashes.length);
    for (let i = 0; i < hashes.length; i++) {
      const g = groups.get(unchecked(hashes[i]));
      unchecked(items[next[g]] = unchecked(values[i]));
      next[g] = next[g] + 1;
    }
    this.keys = keys;
    this.starts = starts;
    this.counts = counts;
    this.mask = mask;
    this.items = items;
    this.size = distinct.length;
  }

  /** The slot of `h`, or -1 when nothing was filed under it. */
  find(h: u32): i32 {
    let s = mix(h) & this.mask;
    while (true) {
      const start = unchecked(this.starts[s]);
      if (start < 0) return -1;
      if (unchecked(this.keys[s]) == h) return <i32>s;
      s = (s + 1) & this.mask;
    }
    return -1;
  }
  /** Where the values of a found slot start in `items`, and how many there are. */
  start(slot: i32): i32 {
    return unchecked(this.starts[slot]);
  }
  count(slot: i32): i32 {
    return unchecked(this.counts[slot]);
  }
}

// FNV-1a's low bits are weak on short keys; spread them before masking.
// @ts-ignore: decorator
@inline function mix(h: u32): u32 {
  return (h * 0x9e3779b1) ^ (h >>> 15);
}
