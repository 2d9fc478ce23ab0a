// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: rewrites headers. Request: adds x-wasm, replaces x-replace, removes
// x-remove, copies x-copy into x-copied. Response: adds x-response. Built by ../_fixtures.ts.

@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, size: usize): i32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): i32;
@external("env", "proxy_replace_header_map_value") declare function proxy_replace_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): i32;
@external("env", "proxy_remove_header_map_value") declare function proxy_remove_header_map_value(map: i32, keyPtr: usize, keySize: usize): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const REQUEST = 0;
const RESPONSE = 2;
const ret = memory.data(8);

function log(message: string): void {
  const b = String.UTF8.encode(message);
  proxy_log(2, changetype<usize>(b), b.byteLength);
}
function get(map: i32, key: string): string | null {
  const k = String.UTF8.encode(key);
  if (proxy_get_header_map_value(map, changetype<usize>(k), k.byteLength, ret, ret + 4) != 0) return null;
  const ptr = load<usize>(ret);
  const value = String.UTF8.decodeUnsafe(ptr, load<usize>(ret + 4));
  if (ptr) heap.free(ptr);
  return value;
}
function add(map: i32, key: string, value: string): i32 {
  const k = String.UTF8.encode(key); const v = String.UTF8.encode(value);
  return proxy_add_header_map_value(map, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
}
function replace(map: i32, key: string, value: string): i32 {
  const k = String.UTF8.encode(key); const v = String.UTF8.encode(value);
  return proxy_replace_header_map_value(map, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
}
function remove(map: i32, key: string): i32 {
  const k = String.UTF8.encode(key);
  return proxy_remove_header_map_value(map, changetype<usize>(k), k.byteLength);
}

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
