// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: routes `version: new` to v2 by writing x-route, then asks Envoy to pick
// the route again (foreign function clear_route_cache) and records the decision as filter state.
// Built by ../_fixtures.ts.

import { headerValue, log, replaceHeader } from "./_host_calls";

@external("env", "proxy_call_foreign_function") declare function proxy_call_foreign_function(namePtr: usize, nameSize: usize, argsPtr: usize, argsSize: usize, resultsPtrPtr: usize, resultsSizePtr: usize): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const ret = memory.data(16);

function get(key: string): string {
  const value = headerValue(0, key);
  return value !== null ? value : "";
}
function foreign(name: string, args: string): i32 {
  const n = String.UTF8.encode(name); const a = String.UTF8.encode(args);
  return proxy_call_foreign_function(changetype<usize>(n), n.byteLength, changetype<usize>(a), a.byteLength, ret + 8, ret + 12);
}

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  if (get("version") != "new") return 0;
  replaceHeader(0, "x-route", "my-server-v2");
  const cleared = foreign("clear_route_cache", "");
  const state = foreign("set_envoy_filter_state", "wasmroute.backend=my-server-v2");
  const unknown = foreign("no_such_function", "");
  log("clear_route_cache " + cleared.toString() + " set_envoy_filter_state " + state.toString() + " unknown " + unknown.toString());
  return 0;
}
