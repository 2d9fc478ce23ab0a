// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the filter's SHA-256 (filter/assembly/core/sha256.ts). Built by
// ../sha256_test.ts with the filter's flags; imports nothing, so any abort is a trap. Its calls
// collect as the filter's callbacks do (filter/assembly/abi/heap.ts).
import { enter, leave } from "../../abi/heap";
import { sameDigest, sha256, toHex } from "../sha256";

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

/** sameDigest of the aLen bytes at a and the bLen bytes at b, each copied into a buffer of its own: 1 or 0. */
export function same_digest(a: usize, aLen: i32, b: usize, bLen: i32): i32 {
  const x = new ArrayBuffer(aLen), y = new ArrayBuffer(bLen);
  memory.copy(changetype<usize>(x), a, <usize>aLen);
  memory.copy(changetype<usize>(y), b, <usize>bLen);
  return sameDigest(x, y) ? 1 : 0;
}
