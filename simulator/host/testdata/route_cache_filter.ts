// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: routes `version: new` to v2 by writing x-route, then asks Envoy to pick
// the route again (foreign function clear_route_cache) and records the decision as filter state.
// Built by ../_fixtures.ts.

@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, size: usize): i32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;
@external("env", "proxy_replace_header_map_value") declare function proxy_replace_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): i32;
@external("env", "proxy_call_foreign_function") declare function proxy_call_foreign_function(namePtr: usize, nameSize: usize, argsPtr: usize, argsSize: usize, resultsPtrPtr: usize, resultsSizePtr: usize): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const ret = memory.data(16);

function log(message: string): void {
  const b = String.UTF8.encode(message);
  proxy_log(2, changetype<usize>(b), b.byteLength);
}
function get(key: string): string {
  const k = String.UTF8.encode(key);
  if (proxy_get_header_map_value(0, changetype<usize>(k), k.byteLength, ret, ret + 4) != 0) return "";
  return String.UTF8.decodeUnsafe(load<usize>(ret), load<usize>(ret + 4));
}
function foreign(name: string, args: string): i32 {
  const n = String.UTF8.encode(name); const a = String.UTF8.encode(args);
  return proxy_call_foreign_function(changetype<usize>(n), n.byteLength, changetype<usize>(a), a.byteLength, ret + 8, ret + 12);
}

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  if (get("version") != "new") return 0;
  const k = String.UTF8.encode("x-route"); const v = String.UTF8.encode("my-server-v2");
  proxy_replace_header_map_value(0, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
  const cleared = foreign("clear_route_cache", "");
  const state = foreign("set_envoy_filter_state", "wasmroute.backend=my-server-v2");
  const unknown = foreign("no_such_function", "");
  log("clear_route_cache " + cleared.toString() + " set_envoy_filter_state " + state.toString() + " unknown " + unknown.toString());
  return 0;
}
