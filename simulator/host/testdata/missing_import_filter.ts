// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: imports a host function no Proxy-Wasm host has, so loading must fail
// with an error naming it. Built by ../_fixtures.ts.

@external("env", "proxy_route_everything") declare function proxy_route_everything(context: u32): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  return proxy_route_everything(context);
}
