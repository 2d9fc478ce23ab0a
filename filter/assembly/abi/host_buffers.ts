// Memory for what the host returns (header values, properties, bodies): the host writes each into
// a buffer it asks the module for with malloc, and the module frees it once read. Short buffers come
// from one small bump region: allocating is an add, and the region rewinds when its last buffer is
// freed. A routed request reads two or three headers, so the hot path never enters the general
// allocator; a buffer never freed only keeps the region from rewinding (later ones go to the heap).

const REGION_BYTES: usize = 8192;
let start: usize = 0;
let top: usize = 0;
let live: i32 = 0;

/** A buffer of `size` bytes for the host to fill; rounded to 16 bytes, as the heap's blocks are. */
export function allocHostBuffer(size: usize): usize {
  if (start == 0) {
    start = heap.alloc(REGION_BYTES);
    top = start;
  }
  const rounded = (size + 15) & ~(<usize>15);
  if (size == 0 || rounded > start + REGION_BYTES - top) return heap.alloc(size);
  const ptr = top;
  top += rounded;
  live++;
  return ptr;
}

/** Frees a buffer the host filled (0: none). */
export function freeHostBuffer(ptr: usize): void {
  if (ptr == 0) return;
  if (start != 0 && ptr - start < REGION_BYTES) {
    if (--live == 0) top = start;
  } else {
    heap.free(ptr);
  }
}
