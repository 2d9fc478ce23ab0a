// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: asks an auth service before letting a request through. The call is made
// (and answered) on the root context; the answer resumes the stream (200) or denies it (401).
// Path /no-authority makes a call without :authority, which the host must refuse.
// Built by ../_fixtures.ts.

import { addHeader, bufferBytes, headerValue, log, serializeHeaders as serialize } from "./_host_calls";

@external("env", "proxy_http_call") declare function proxy_http_call(upstreamPtr: usize, upstreamSize: usize, headersPtr: usize, headersSize: usize, bodyPtr: usize, bodySize: usize, trailersPtr: usize, trailersSize: usize, timeout: u32, tokenPtr: usize): i32;
@external("env", "proxy_set_effective_context") declare function proxy_set_effective_context(context: u32): i32;
@external("env", "proxy_continue_stream") declare function proxy_continue_stream(stream: i32): i32;
@external("env", "proxy_send_local_response") declare function proxy_send_local_response(status: u32, detailsPtr: usize, detailsSize: usize, bodyPtr: usize, bodySize: usize, headersPtr: usize, headersSize: usize, grpcStatus: i32): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const ret = memory.data(16);
const tokens = new Array<u32>();
const streams = new Array<u32>();

function get(map: i32, key: string): string {
  const value = headerValue(map, key);
  return value !== null ? value : "";
}

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  const path = get(0, ":path");
  const upstream = String.UTF8.encode("outbound|80||auth.svc.cluster.local");
  const callHeaders = path == "/no-authority"
    ? serialize([[":method", "GET"], [":path", "/check"]])
    : serialize([[":method", "GET"], [":path", "/check"], [":authority", "auth"], ["X-Original-Path", path]]);
  const body = String.UTF8.encode("check " + path);
  const status = proxy_http_call(changetype<usize>(upstream), upstream.byteLength,
    changetype<usize>(callHeaders), callHeaders.byteLength, changetype<usize>(body), body.byteLength, 0, 0, 1000, ret + 8);
  const token = load<u32>(ret + 8);
  log("http call status " + status.toString() + " token " + token.toString());
  if (status != 0) return 0;
  tokens.push(token);
  streams.push(context);
  return 1; // StopIteration until the answer comes
}

export function proxy_on_http_call_response(root: u32, token: u32, headers: u32, bodySize: u32, trailers: u32): void {
  const i = tokens.indexOf(token);
  if (i < 0) return;
  const stream = streams[i];
  const status = get(6, ":status");
  const answer = bufferBytes(4, 0, bodySize);
  const body = answer !== null ? answer : "";
  log("answer to " + stream.toString() + " on root " + root.toString() + ": " + status + " " + body);
  proxy_set_effective_context(stream);
  if (status == "200") {
    addHeader(0, "x-auth", body);
    proxy_continue_stream(0);
  } else {
    const details = String.UTF8.encode("auth_denied"); const text = String.UTF8.encode("denied by auth");
    const none = serialize([]);
    proxy_send_local_response(401, changetype<usize>(details), details.byteLength, changetype<usize>(text), text.byteLength,
      changetype<usize>(none), none.byteLength, -1);
  }
}
