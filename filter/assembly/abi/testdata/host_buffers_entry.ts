// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the filter's host-buffer allocator (filter/assembly/abi/host_buffers.ts).
// Built by ../host_buffers_test.ts with the filter's flags; imports nothing, so any abort is a trap.
import { allocHostBuffer, freeHostBuffer, takeHostBuffer } from "../host_buffers";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function alloc_host(size: usize): usize { return allocHostBuffer(size); }
export function free_host(ptr: usize): void { freeHostBuffer(ptr); }
/** A heap allocation and free, as the rest of the module makes them: a trap here means a corrupted heap. */
export function heap_churn(size: usize): usize { const p = heap.alloc(size); heap.free(p); return p; }
/** What the module keeps of the host's buffer at `ptr` holding `size` bytes: its address (kept in `taken`). */
export function take_host(ptr: usize, size: usize): usize { const b = takeHostBuffer(ptr, size); taken.push(b); return changetype<usize>(b); }
const taken = new Array<ArrayBuffer>();
/** Collects now, as the module does at the end of a callback. */
export function collect_now(): void { __collect(); }
