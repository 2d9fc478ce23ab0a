// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: calls the ABI's host functions with good and bad arguments and logs the
// statuses (never addresses, which depend on the engine's memory layout), so two hosts can be
// compared call by call. The request header x-probe picks the group. Built by ../_fixtures.ts.

import { log } from "./_host_calls";

@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, size: usize): i32;
@external("env", "proxy_get_log_level") declare function proxy_get_log_level(levelPtr: usize): i32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): i32;
@external("env", "proxy_remove_header_map_value") declare function proxy_remove_header_map_value(map: i32, keyPtr: usize, keySize: usize): i32;
@external("env", "proxy_get_header_map_pairs") declare function proxy_get_header_map_pairs(map: i32, ptrPtr: usize, sizePtr: usize): i32;
@external("env", "proxy_set_header_map_pairs") declare function proxy_set_header_map_pairs(map: i32, ptr: usize, size: usize): i32;
@external("env", "proxy_get_header_map_size") declare function proxy_get_header_map_size(map: i32, sizePtr: usize): i32;
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(buffer: i32, start: usize, maxSize: usize, ptrPtr: usize, sizePtr: usize): i32;
@external("env", "proxy_get_buffer_status") declare function proxy_get_buffer_status(buffer: i32, sizePtr: usize, flagsPtr: usize): i32;
@external("env", "proxy_set_buffer_bytes") declare function proxy_set_buffer_bytes(buffer: i32, start: usize, size: usize, dataPtr: usize, dataSize: usize): i32;
@external("env", "proxy_get_property") declare function proxy_get_property(pathPtr: usize, pathSize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;
@external("env", "proxy_set_property") declare function proxy_set_property(pathPtr: usize, pathSize: usize, valuePtr: usize, valueSize: usize): i32;
@external("env", "proxy_continue_stream") declare function proxy_continue_stream(stream: i32): i32;
@external("env", "proxy_close_stream") declare function proxy_close_stream(stream: i32): i32;
@external("env", "proxy_set_effective_context") declare function proxy_set_effective_context(context: u32): i32;
@external("env", "proxy_done") declare function proxy_done(): i32;
@external("env", "proxy_define_metric") declare function proxy_define_metric(type: i32, namePtr: usize, nameSize: usize, idPtr: usize): i32;
@external("env", "proxy_record_metric") declare function proxy_record_metric(id: u32, value: u64): i32;
@external("env", "proxy_get_metric") declare function proxy_get_metric(id: u32, valuePtr: usize): i32;
@external("env", "proxy_set_shared_data") declare function proxy_set_shared_data(keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize, cas: u32): i32;
@external("env", "proxy_get_shared_data") declare function proxy_get_shared_data(keyPtr: usize, keySize: usize, valuePtrPtr: usize, valueSizePtr: usize, casPtr: usize): i32;
@external("env", "proxy_http_call") declare function proxy_http_call(upstreamPtr: usize, upstreamSize: usize, headersPtr: usize, headersSize: usize, bodyPtr: usize, bodySize: usize, trailersPtr: usize, trailersSize: usize, timeout: u32, tokenPtr: usize): i32;
@external("env", "proxy_get_status") declare function proxy_get_status(codePtr: usize, messagePtrPtr: usize, messageSizePtr: usize): i32;
@external("env", "proxy_grpc_call") declare function proxy_grpc_call(a: usize, b: usize, c: usize, d: usize, e: usize, f: usize, g: usize, h: usize, i: usize, j: usize, timeout: u32, tokenPtr: usize): i32;
@external("env", "proxy_set_tick_period_milliseconds") declare function proxy_set_tick_period_milliseconds(period: u32): i32;
@external("env", "proxy_get_current_time_nanoseconds") declare function proxy_get_current_time_nanoseconds(timePtr: usize): i32;
@external("env", "proxy_send_local_response") declare function proxy_send_local_response(status: u32, detailsPtr: usize, detailsSize: usize, bodyPtr: usize, bodySize: usize, headersPtr: usize, headersSize: usize, grpcStatus: i32): i32;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: i32, iovs: usize, count: usize, writtenPtr: usize): i32;
@external("wasi_snapshot_preview1", "clock_time_get") declare function clock_time_get(clock: i32, precision: i64, timePtr: usize): i32;
@external("wasi_snapshot_preview1", "random_get") declare function random_get(ptr: usize, size: usize): i32;
@external("wasi_snapshot_preview1", "environ_sizes_get") declare function environ_sizes_get(countPtr: usize, sizePtr: usize): i32;
@external("wasi_snapshot_preview1", "fd_seek") declare function fd_seek(fd: i32, offset: i64, whence: i32, resultPtr: usize): i32;
@external("wasi_snapshot_preview1", "proc_exit") declare function proc_exit(code: i32): void;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const BAD: usize = 0xfffffff0; // beyond any memory the probe will have
const r = memory.data(64);
let root: u32 = 0;

function s(n: i32): string { return n.toString(); }
function bytes(text: string): ArrayBuffer { return String.UTF8.encode(text); }
function p(b: ArrayBuffer): usize { return changetype<usize>(b); }
// Text returned at r/r+4, or the status when the call failed.
function text(status: i32): string {
  if (status != 0) return "status " + s(status);
  const size = load<u32>(r + 4);
  return size ? "'" + String.UTF8.decodeUnsafe(load<u32>(r), size) + "'" : "''";
}
function get(map: i32, key: string): string { const k = bytes(key); return text(proxy_get_header_map_value(map, p(k), k.byteLength, r, r + 4)); }
function prop(path: string): string { const k = bytes(path); return text(proxy_get_property(p(k), k.byteLength, r, r + 4)); }
function buffer(type: i32, start: usize, max: usize): string { return text(proxy_get_buffer_bytes(type, start, max, r, r + 4)); }
function pairs(map: i32): string {
  const st = proxy_get_header_map_pairs(map, r, r + 4);
  if (st != 0) return "status " + s(st);
  const base = load<u32>(r); const size = load<u32>(r + 4);
  if (size == 0) return "empty";
  const n = load<u32>(base);
  let out = s(n) + ":";
  let data = base + 4 + n * 8;
  for (let i: u32 = 0; i < n; i++) {
    const kl = load<u32>(base + 4 + i * 8); const vl = load<u32>(base + 8 + i * 8);
    out += " " + String.UTF8.decodeUnsafe(data, kl) + "=" + String.UTF8.decodeUnsafe(data + kl + 1, vl);
    data += kl + vl + 2;
  }
  return out + " (" + s(size) + " bytes)";
}

export function proxy_on_context_create(context: u32, parent: u32): void { if (!parent) root = context; }

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  const group = get(0, "x-probe");
  if (group == "'headers'") {
    log("get X-PROBE " + get(0, "X-PROBE") + " missing " + get(0, "nope") + " map 9 " + get(9, "a") + " trailers " + get(1, "a") + " call " + get(6, "a"));
    const k = bytes("a");
    log("bad key ptr " + s(proxy_get_header_map_value(0, BAD, 4, r, r + 4)) + " bad result ptr " + s(proxy_get_header_map_value(0, p(bytes("x-probe")), 7, BAD, r)));
    log("add " + s(proxy_add_header_map_value(0, p(k), 1, p(k), 1)) + " add call map " + s(proxy_add_header_map_value(6, p(k), 1, p(k), 1)) + " remove absent " + s(proxy_remove_header_map_value(0, p(bytes("zz")), 2)));
    log("pairs " + pairs(0) + " | response " + pairs(2) + " | trailers " + pairs(1) + " | map 8 " + pairs(8));
    log("size " + s(proxy_get_header_map_size(0, r)) + " = " + s(load<u32>(r)) + " trailers size " + s(proxy_get_header_map_size(1, r)));
    const broken = memory.data(8); store<u32>(broken, 3);
    log("set broken pairs " + s(proxy_set_header_map_pairs(2, broken, 8)) + " → response " + pairs(2));
  } else if (group == "'buffers'") {
    log("vm config " + buffer(6, 0, 100) + " from 2 " + buffer(6, 2, 2) + " past end " + buffer(6, 50, 5) + " plugin config " + buffer(7, 0, 10) + " type 9 " + buffer(9, 0, 1));
    log("body " + buffer(0, 0, 100) + " call body " + buffer(4, 0, 1) + " status " + s(proxy_get_buffer_status(6, r, r + 4)) + " size " + s(load<u32>(r)));
    log("set body " + s(proxy_set_buffer_bytes(0, 0, 0, p(bytes("x")), 1)) + " bad ptr " + s(proxy_get_buffer_bytes(6, 0, 4, BAD, r)));
  } else if (group == "'properties'") {
    log("plugin_name " + prop("plugin_name") + " plugin_root_id " + prop("plugin_root_id") + " plugin_vm_id " + prop("plugin_vm_id") + " missing " + prop("node\0metadata\0NAME"));
    log("set " + s(proxy_set_property(p(bytes("a")), 1, p(bytes("b")), 1)) + " bad path " + s(proxy_get_property(BAD, 9, r, r + 4)));
  } else if (group == "'streams'") {
    log("continue request " + s(proxy_continue_stream(0)) + " response " + s(proxy_continue_stream(1)) + " downstream " + s(proxy_continue_stream(2)) + " 7 " + s(proxy_continue_stream(7)));
    log("close " + s(proxy_close_stream(0)) + " close 7 " + s(proxy_close_stream(7)) + " done " + s(proxy_done()));
    log("effective bad " + s(proxy_set_effective_context(999)) + " root " + s(proxy_set_effective_context(root)));
    log("now logging as the root; continue from root " + s(proxy_continue_stream(0)) + " request header from root " + get(0, "x-probe"));
  } else if (group == "'misc'") {
    const m = bytes("probe_gauge");
    log("define " + s(proxy_define_metric(1, p(m), m.byteLength, r)) + " record " + s(proxy_record_metric(load<u32>(r), 42)) + " get " + s(proxy_get_metric(load<u32>(r), r + 8)) + " = " + load<u64>(r + 8).toString() + " unknown " + s(proxy_get_metric(999, r)));
    const k = bytes("probe-key"); const v = bytes("v1");
    log("shared set " + s(proxy_set_shared_data(p(k), k.byteLength, p(v), v.byteLength, 0)) + " get " + s(proxy_get_shared_data(p(k), k.byteLength, r, r + 4, r + 8)) + " cas mismatch " + s(proxy_set_shared_data(p(k), k.byteLength, p(v), v.byteLength, load<u32>(r + 8) + 1000)) + " missing " + s(proxy_get_shared_data(p(v), v.byteLength, r, r + 4, r + 8)));
    log("log level " + s(proxy_get_log_level(r)) + " = " + s(load<u32>(r)) + " bad level " + s(proxy_log(9, p(k), 1)) + " bad message " + s(proxy_log(2, BAD, 100)));
    log("tick " + s(proxy_set_tick_period_milliseconds(1000)) + " time " + s(proxy_get_current_time_nanoseconds(r)) + " time bad ptr " + s(proxy_get_current_time_nanoseconds(BAD)));
    log("status " + s(proxy_get_status(r, r + 4, r + 8)) + " code " + s(load<u32>(r)) + " grpc " + s(proxy_grpc_call(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, r)));
    const up = bytes("cluster");
    log("http call no headers " + s(proxy_http_call(p(up), up.byteLength, 0, 0, 0, 0, 0, 0, 100, r)) + " bad token ptr " + s(proxy_http_call(p(up), up.byteLength, 0, 0, 0, 0, 0, 0, 100, BAD)));
    log("local reply bad body " + s(proxy_send_local_response(500, 0, 0, BAD, 32, 0, 0, 0)));
  } else if (group == "'wasi'") {
    const msg = bytes("from stdout\n");
    store<u32>(r, p(msg)); store<u32>(r + 4, msg.byteLength);
    log("fd_write 1 " + s(fd_write(1, r, 1, r + 8)) + " wrote " + s(load<u32>(r + 8)) + " fd 2 " + s(fd_write(2, r, 1, r + 8)) + " fd 5 " + s(fd_write(5, r, 1, r + 8)) + " bad iovs " + s(fd_write(1, BAD, 1, r + 8)));
    log("clock 0 " + s(clock_time_get(0, 0, r)) + " clock 1 " + s(clock_time_get(1, 0, r)) + " clock 3 " + s(clock_time_get(3, 0, r)) + " random " + s(random_get(r, 16)) + " random too big " + s(random_get(r, 70000)));
    log("environ " + s(environ_sizes_get(r, r + 4)) + " = " + s(load<u32>(r)) + " seek " + s(fd_seek(1, 0, 0, r)));
    proc_exit(3);
    log("still running after proc_exit");
  }
  return 0;
}
