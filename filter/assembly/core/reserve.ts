// Room for a table before it is built. AssemblyScript's allocator (TLSF) grows linear memory, when
// no free block fits, by the larger of the request and the memory's whole current size: a table of
// many arrays built in a full heap doubles memory at its first array that does not fit, and linear
// memory never shrinks. At 100,000 rules that took the heap from 29 MB to 58 MB for the last 3.6 MB
// of the hot table. Once the decoder knows what the table will take (its checking pass sizes every
// array), one block of that size is taken and given back at once: memory grows by the table's need
// in one step (when it is larger than the heap so far), and the arrays that follow fill that block.

/**
 * Makes sure a free block of `bytes` exists: one found, or memory grown once to make it. Nothing
 * stays allocated; the next allocations take the block.
 */
export function reserve(bytes: usize): void {
  if (bytes == 0) return;
  heap.free(heap.alloc(bytes));
}
