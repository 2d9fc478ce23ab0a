// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the filter's host-buffer allocator (filter/assembly/abi/host_buffers.ts).
// Built by ../host_buffers_test.ts with the filter's flags; imports nothing, so any abort is a trap.
import { allocHostBuffer, freeHostBuffer } from "../host_buffers";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function alloc_host(size: usize): usize { return allocHostBuffer(size); }
export function free_host(ptr: usize): void { freeHostBuffer(ptr); }
/** A heap allocation and free, as the rest of the module makes them: a trap here means a corrupted heap. */
export function heap_churn(size: usize): usize { const p = heap.alloc(size); heap.free(p); return p; }
