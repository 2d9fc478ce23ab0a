// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript: the benchmark's baseline filter. The least a routing filter must do per request:
// read `:authority` and `:path` through the ABI into strings, then return Continue. Built with the
// filter's flags by ../filter_hot_path.ts (filter/compile_assemblyscript.ts), and collecting as the
// filter does (filter/assembly/abi/heap.ts): the strings it reads are garbage.
import { enter, leave } from "../../../filter/assembly/abi/heap";

@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const REQUEST_HEADERS = 0;
const ret = memory.data(8);
const AUTHORITY = String.UTF8.encode(":authority");
const PATH = String.UTF8.encode(":path");

/** What was read, kept so the reads cannot be optimised away. */
let seen: i32 = 0;

function get(key: ArrayBuffer): string | null {
  if (proxy_get_header_map_value(REQUEST_HEADERS, changetype<usize>(key), key.byteLength, ret, ret + 4) != 0) return null;
  const ptr = load<usize>(ret);
  const value = String.UTF8.decodeUnsafe(ptr, load<usize>(ret + 4));
  if (ptr) heap.free(ptr);
  return value;
}

export function proxy_on_context_create(context: u32, parent: u32): void {}
export function proxy_on_vm_start(context: u32, size: u32): u32 { return 1; }
export function proxy_on_configure(context: u32, size: u32): u32 { return 1; }

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  enter();
  const authority = get(AUTHORITY);
  const path = get(PATH);
  if (authority !== null) seen += authority.length;
  if (path !== null) seen += path.length;
  leave();
  return 0; // Continue
}

export function proxy_on_done(context: u32): u32 { return 1; }
export function proxy_on_delete(context: u32): void {}
