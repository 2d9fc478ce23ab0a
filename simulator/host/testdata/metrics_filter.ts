// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: a counter of requests, a gauge of open streams and a histogram of header
// counts, defined at configure time; a counter of timer ticks. Built by ../_fixtures.ts.

import { log } from "./_host_calls";

@external("env", "proxy_define_metric") declare function proxy_define_metric(type: i32, namePtr: usize, nameSize: usize, idPtr: usize): i32;
@external("env", "proxy_increment_metric") declare function proxy_increment_metric(id: u32, delta: i64): i32;
@external("env", "proxy_record_metric") declare function proxy_record_metric(id: u32, value: u64): i32;
@external("env", "proxy_get_metric") declare function proxy_get_metric(id: u32, valuePtr: usize): i32;
@external("env", "proxy_set_tick_period_milliseconds") declare function proxy_set_tick_period_milliseconds(period: u32): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const ret = memory.data(8);
let requests: u32 = 0;
let open: u32 = 0;
let headerCounts: u32 = 0;
let ticks: u32 = 0;

function define(type: i32, name: string): u32 {
  const n = String.UTF8.encode(name);
  proxy_define_metric(type, changetype<usize>(n), n.byteLength, ret);
  return load<u32>(ret);
}

export function proxy_on_configure(root: u32, size: u32): u32 {
  requests = define(0, "wasmroute_requests_total");
  open = define(1, "wasmroute_open_streams");
  headerCounts = define(2, "wasmroute_request_headers");
  ticks = define(0, "wasmroute_ticks_total");
  proxy_set_tick_period_milliseconds(5000);
  return 1;
}
export function proxy_on_tick(root: u32): void {
  proxy_increment_metric(ticks, 1);
}
export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  proxy_increment_metric(requests, 1);
  proxy_increment_metric(open, 1);
  proxy_record_metric(headerCounts, headers);
  const status = proxy_get_metric(requests, ret);
  log("requests " + load<u64>(ret).toString() + " status " + status.toString() + " unknown " + proxy_increment_metric(12345, 1).toString());
  return 0;
}
export function proxy_on_done(context: u32): u32 {
  proxy_increment_metric(open, -1);
  return 1;
}
