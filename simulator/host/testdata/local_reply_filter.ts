// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: answers 403 itself when the request has x-deny, and returns Continue
// anyway (the host must stop the stream). Built by ../_fixtures.ts.

import { headerValue, log, serializeHeaders as serialize } from "./_host_calls";

@external("env", "proxy_send_local_response") declare function proxy_send_local_response(status: u32, detailsPtr: usize, detailsSize: usize, bodyPtr: usize, bodySize: usize, headersPtr: usize, headersSize: usize, grpcStatus: i32): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

function get(key: string): string | null { return headerValue(0, key); }

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  const deny = get("x-deny");
  if (deny !== null) {
    const details = String.UTF8.encode("wasm_denied");
    const body = String.UTF8.encode("denied: " + deny);
    const extra = serialize([["X-Reason", "policy"], ["cache-control", "no-store"]]);
    const status = proxy_send_local_response(403, changetype<usize>(details), details.byteLength,
      changetype<usize>(body), body.byteLength, changetype<usize>(extra), extra.byteLength, -1);
    log("local reply status " + status.toString());
  }
  return 0;
}

export function proxy_on_response_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  log("response " + context.toString());
  return 0;
}
