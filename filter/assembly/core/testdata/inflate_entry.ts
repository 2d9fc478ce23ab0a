// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the filter's inflater (filter/assembly/core/inflate.ts). Built by
// ../inflate_test.ts with the filter's flags; imports nothing, so any abort is a trap. Its
// calls collect as the filter's callbacks do (filter/assembly/abi/heap.ts).
import { enter, leave } from "../../abi/heap";
import { inflate, inflateError } from "../inflate";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function alloc(size: usize): usize { return heap.alloc(size); }
export function free(ptr: usize): void { heap.free(ptr); }

/** The last output, kept so that it stays alive until the next call. */
let output: ArrayBuffer | null = null;

/** Inflates the len bytes at ptr into exactly outLen bytes: 1, or -1 when the stream is refused. */
export function run(ptr: usize, len: u32, outLen: u32): i32 {
  enter();
  const input = new ArrayBuffer(<i32>len);
  memory.copy(changetype<usize>(input), ptr, len);
  output = inflate(input, 0, outLen);
  leave();
  return output === null ? -1 : 1;
}

export function output_ptr(): usize { return output === null ? 0 : changetype<usize>(output); }
export function output_length(): i32 { return output === null ? -1 : output!.byteLength; }

/** Length of inflateError (UTF-16 units), then its text copied to ptr by error_text. */
export function error_length(): i32 { return inflateError.length; }
export function error_text(ptr: usize): void {
  memory.copy(ptr, changetype<usize>(inflateError), <usize>inflateError.length << 1);
}
