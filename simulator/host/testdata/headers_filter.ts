// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: rewrites headers. Request: adds x-wasm, replaces x-replace, removes
// x-remove, copies x-copy into x-copied. Response: adds x-response. Built by ../_fixtures.ts.

import { addHeader as add, headerValue, log, removeHeader as remove, replaceHeader as replace } from "./_host_calls";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const REQUEST = 0;
const RESPONSE = 2;
// The host's copy of a value is given back to the heap once read.
function get(map: i32, key: string): string | null { return headerValue(map, key, true); }

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  add(REQUEST, "X-Wasm", "added");
  replace(REQUEST, "x-replace", "replaced");
  remove(REQUEST, "x-remove");
  const copy = get(REQUEST, "X-Copy");
  if (copy !== null) add(REQUEST, "x-copied", copy);
  log("request " + context.toString() + " headers=" + headers.toString() + " eos=" + endOfStream.toString());
  return 0;
}

export function proxy_on_response_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  add(RESPONSE, "x-response", "done");
  return 0;
}
