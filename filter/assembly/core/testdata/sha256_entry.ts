// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the filter's SHA-256 (filter/assembly/core/sha256.ts). Built by
// ../sha256_test.ts with the filter's flags; imports nothing, so any abort is a trap. Its calls
// collect as the filter's callbacks do (filter/assembly/abi/heap.ts).
import { enter, leave } from "../../abi/heap";
import { sha256, toHex } from "../sha256";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function alloc(size: usize): usize { return heap.alloc(size); }
export function free(ptr: usize): void { heap.free(ptr); }

/** The last answer, kept so that it stays alive until the next call. */
let text: string = "";

/** Hashes the len bytes at ptr; the hex digest is then read through text_length/text_copy. */
export function digest(ptr: usize, len: i32): void {
  enter();
  text = toHex(sha256(ptr, len));
  leave();
}

export function text_length(): i32 { return text.length; }
export function text_copy(ptr: usize): void { memory.copy(ptr, changetype<usize>(text), <usize>text.length << 1); }
