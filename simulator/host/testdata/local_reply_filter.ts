// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: answers 403 itself when the request has x-deny, and returns Continue
// anyway (the host must stop the stream). Built by ../_fixtures.ts.

@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, size: usize): i32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;
@external("env", "proxy_send_local_response") declare function proxy_send_local_response(status: u32, detailsPtr: usize, detailsSize: usize, bodyPtr: usize, bodySize: usize, headersPtr: usize, headersSize: usize, grpcStatus: i32): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const ret = memory.data(8);

function log(message: string): void {
  const b = String.UTF8.encode(message);
  proxy_log(2, changetype<usize>(b), b.byteLength);
}
function get(key: string): string | null {
  const k = String.UTF8.encode(key);
  if (proxy_get_header_map_value(0, changetype<usize>(k), k.byteLength, ret, ret + 4) != 0) return null;
  return String.UTF8.decodeUnsafe(load<usize>(ret), load<usize>(ret + 4));
}
// The ABI's header map: count, (name length, value length)*, (name \0 value \0)*.
function serialize(headers: string[][]): ArrayBuffer {
  let size = 4 + headers.length * 8;
  const parts = new Array<ArrayBuffer>();
  for (let i = 0; i < headers.length; i++) {
    const k = String.UTF8.encode(headers[i][0]); const v = String.UTF8.encode(headers[i][1]);
    parts.push(k); parts.push(v);
    size += k.byteLength + v.byteLength + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, headers.length);
  let data = base + 4 + headers.length * 8;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    store<u32>(base + 4 + i * 4, part.byteLength);
    memory.copy(data, changetype<usize>(part), part.byteLength);
    data += part.byteLength;
    store<u8>(data++, 0);
  }
  return out;
}

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
