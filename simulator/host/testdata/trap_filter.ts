// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: traps on x-trap (unreachable) or x-oob (out-of-bounds load); otherwise
// adds x-ok. Built by ../_fixtures.ts.

import { addHeader, hasHeader } from "./_host_calls";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

function has(key: string): bool { return hasHeader(0, key); }

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  if (has("x-trap")) unreachable();
  if (has("x-oob")) return load<u32>(0xfffffff0);
  addHeader(0, "x-ok", "1");
  return 0;
}
