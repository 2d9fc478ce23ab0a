// Live stream contexts by id. Envoy creates and deletes a stream context for every request; a Map
// reallocates its tables as deleted entries pile up, which is garbage on every few requests. This
// is open addressing over flat arrays with backward-shift deletion: it allocates only to grow.

export class ContextTable<T> {
  private ids: StaticArray<u32> = new StaticArray<u32>(16);
  private used: StaticArray<bool> = new StaticArray<bool>(16);
  private items: StaticArray<T | null> = new StaticArray<T | null>(16);
  private count: i32 = 0;

  get(id: u32): T | null {
    const mask = this.ids.length - 1;
    let i = slotOf(id, mask);
    while (unchecked(this.used[i])) {
      if (unchecked(this.ids[i]) == id) return unchecked(this.items[i]);
      i = (i + 1) & mask;
    }
    return null;
  }

  set(id: u32, item: T): void {
    if ((this.count + 1) * 2 > this.ids.length) this.grow();
    const mask = this.ids.length - 1;
    let i = slotOf(id, mask);
    while (unchecked(this.used[i])) {
      if (unchecked(this.ids[i]) == id) {
        unchecked(this.items[i] = item);
        return;
      }
      i = (i + 1) & mask;
    }
    unchecked(this.used[i] = true);
    unchecked(this.ids[i] = id);
    unchecked(this.items[i] = item);
    this.count++;
  }

  delete(id: u32): void {
    const mask = this.ids.length - 1;
    let i = slotOf(id, mask);
    while (true) {
      if (!unchecked(this.used[i])) return;
      if (unchecked(this.ids[i]) == id) break;
      i = (i + 1) & mask;
    }
    // Move later entries of the probe run back into the hole, so lookups never need tombstones.
    let j = i;
    while (true) {
      j = (j + 1) & mask;
      if (!unchecked(this.used[j])) break;
      const home = slotOf(unchecked(this.ids[j]), mask);
      // Entry j may fill hole i only if its home slot is not in (i, j] (cyclically).
      const homeBetween = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (homeBetween) continue;
      unchecked(this.ids[i] = unchecked(this.ids[j]));
      unchecked(this.items[i] = unchecked(this.items[j]));
      i = j;
    }
    unchecked(this.used[i] = false);
    unchecked(this.items[i] = null);
    this.count--;
  }

  private grow(): void {
    const ids = this.ids, used = this.used, items = this.items;
    const size = ids.length * 2;
    this.ids = new StaticArray<u32>(size);
    this.used = new StaticArray<bool>(size);
    this.items = new StaticArray<T | null>(size);
    this.count = 0;
    for (let k = 0; k < ids.length; k++) {
      if (unchecked(used[k])) this.set(unchecked(ids[k]), unchecked(items[k])!);
    }
  }
}

// @ts-ignore: decorator
@inline function slotOf(id: u32, mask: i32): i32 {
  return <i32>((id * 0x9e3779b1) >>> 16) & mask;
}
