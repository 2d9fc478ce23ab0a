// Fixed arrays the hot path fills without allocating: when one is full, it is replaced once by a
// copy with twice the room, which later requests keep.

/** A copy of `a` with twice the room. */
export function grown<T>(a: StaticArray<T>): StaticArray<T> {
  const out = new StaticArray<T>(a.length * 2);
  memory.copy(changetype<usize>(out), changetype<usize>(a), <usize>a.length * sizeof<T>());
  return out;
}
