// Memory for what the host returns (header values, properties, bodies): the host writes each into
// a buffer it asks the module for with malloc, and the module frees it once read. Short buffers come
// from one small bump region: allocating is an add, and the region rewinds when its last buffer is
// freed. A routed request reads two or three headers, so the hot path never enters the general
// allocator; a buffer never freed only keeps the region from rewinding (later ones go to the heap).
// Long buffers (a plugin configuration, a fetched blob: megabytes at 100,000 rules) are ArrayBuffers
// held by the module until taken: the module keeps the buffer itself instead of a copy, so a large
// configuration is in linear memory once, not twice.

const REGION_BYTES: usize = 8192;
let start: usize = 0;
let top: usize = 0;
let live: i32 = 0;

/** From this size a host buffer is an ArrayBuffer the module may keep (takeHostBuffer). */
export const WHOLE_BYTES: usize = 64 * 1024;
/** The long buffers the host has, by address: held here so that no collection frees them. */
const whole = new Map<usize, ArrayBuffer>();

/** A buffer of `size` bytes for the host to fill; rounded to 16 bytes, as the heap's blocks are. */
export function allocHostBuffer(size: usize): usize {
  if (size >= WHOLE_BYTES) {
    const buffer = new ArrayBuffer(<i32>size);
    whole.set(changetype<usize>(buffer), buffer);
    return changetype<usize>(buffer);
  }
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

/** Whether `ptr` is a buffer of the region (a request's header values: checked before any map). */
function inRegion(ptr: usize): bool {
  return start != 0 && ptr - start < REGION_BYTES;
}

/** Frees a buffer the host filled (0: none). */
export function freeHostBuffer(ptr: usize): void {
  if (ptr == 0) return;
  if (inRegion(ptr)) {
    if (--live == 0) top = start;
  } else if (!whole.delete(ptr)) {
    heap.free(ptr);
  }
}

/**
 * The `size` bytes the host wrote at `ptr`, as an ArrayBuffer the caller keeps, and the host buffer
 * freed: a long buffer is handed over itself, a short one copied.
 */
export function takeHostBuffer(ptr: usize, size: usize): ArrayBuffer {
  const held = !inRegion(ptr) && whole.has(ptr);
  if (held) {
    const buffer = whole.get(ptr);
    whole.delete(ptr); // garbage from now on, unless it is the answer
    if (<usize>buffer.byteLength == size) return buffer;
  }
  const out = new ArrayBuffer(<i32>size);
  if (size > 0) memory.copy(changetype<usize>(out), ptr, size);
  if (!held) freeHostBuffer(ptr);
  return out;
}
