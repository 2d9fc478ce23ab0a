// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: traps on x-trap (unreachable) or x-oob (out-of-bounds load); otherwise
// adds x-ok. Built by ../_fixtures.ts.

@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const ret = memory.data(8);

function has(key: string): bool {
  const k = String.UTF8.encode(key);
  return proxy_get_header_map_value(0, changetype<usize>(k), k.byteLength, ret, ret + 4) == 0;
}

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  if (has("x-trap")) unreachable();
  if (has("x-oob")) return load<u32>(0xfffffff0);
  const k = String.UTF8.encode("x-ok"); const v = String.UTF8.encode("1");
  proxy_add_header_map_value(0, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
  return 0;
}
