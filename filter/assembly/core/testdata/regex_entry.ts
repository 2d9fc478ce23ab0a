// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the filter's regex VM (filter/assembly/core/regex.ts). Built by
// ../regex_test.ts with the filter's flags; imports nothing, so any abort is a trap. Its
// calls collect as the filter's callbacks do (filter/assembly/abi/heap.ts).
import { enter, leave, managedBytes } from "../../abi/heap";
import { Program, programError } from "../regex";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function alloc(size: usize): usize { return heap.alloc(size); }
export function free(ptr: usize): void { heap.free(ptr); }

let current: Program | null = null;

/** Decodes the program at [ptr, ptr + len) and keeps it: 1, or -1 when it is invalid. */
export function load_program(ptr: usize, len: u32): i32 {
  enter();
  current = Program.decode(ptr, len);
  leave();
  return current === null ? -1 : 1;
}

/** Full match of the kept program against len UTF-16 code units at ptr: 1/0, or -1 without a program. */
export function match(ptr: usize, len: u32): i32 {
  const p = current;
  if (p === null) return -1;
  enter();
  const r = p.fullMatch(String.UTF16.decodeUnsafe(ptr, <usize>len << 1));
  leave();
  return r ? 1 : 0;
}

/**
 * Like match, but also checks that fullMatch allocates nothing: the bytes objects hold are the same
 * just after it as just before (nothing collects in between). -2 when something was allocated.
 */
export function match_no_alloc(ptr: usize, len: u32): i32 {
  const p = current;
  if (p === null) return -1;
  enter();
  const s = String.UTF16.decodeUnsafe(ptr, <usize>len << 1);
  const before = managedBytes();
  const r = p.fullMatch(s);
  const after = managedBytes();
  leave();
  return before != after ? -2 : r ? 1 : 0;
}

/** The probe above, with an allocation in the middle: must say -2. */
export function probe_self_test(): i32 {
  const before = managedBytes();
  const junk = new StaticArray<i32>(4);
  const after = managedBytes();
  return before != after ? -2 : junk.length;
}

/** Decode and match at once: 1/0, or -1 for an invalid program. */
export function run(progPtr: usize, progLen: u32, strPtr: usize, strLen: u32): i32 {
  const r = load_program(progPtr, progLen);
  return r < 0 ? r : match(strPtr, strLen);
}

/** Length of programError (UTF-16 units), then its text copied to ptr by error_text. */
export function error_length(): i32 { return programError.length; }
export function error_text(ptr: usize): void {
  memory.copy(ptr, changetype<usize>(programError), <usize>programError.length << 1);
}
