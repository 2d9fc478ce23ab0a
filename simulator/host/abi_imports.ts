/**
 * The functions the host gives a module: every `env.proxy_*` function of Proxy-Wasm ABI 0.2.1
 * (plus the 0.1.0/0.2.0 variants) and the WASI calls, marshalled exactly as proxy-wasm-cpp-host's
 * `exports.cc`: the same argument checks in the same order, the same statuses, results copied into
 * memory the module allocates with its own `malloc`. A bad pointer is `InvalidMemoryAccess`, never
 * a JS exception.
 *
 * @module
 */

import type { FuncType, ValType } from "./parse_wasm_module.ts";
import type { WasmVm } from "./wasm_vm.ts";
import {
  AbiVersion,
  BUFFER_TYPE_MAX,
  LOG_LEVEL_MAX,
  MAP_TYPE_MAX,
  STREAM_TYPE_MAX,
  StreamType,
  WasmResult,
} from "./types.ts";
import { decodePairs, pairsSize, writePairs } from "./pairs.ts";
import { decodeUtf8Cached } from "./_text.ts";

// Signatures as "<params>><results>": i = i32, I = i64.
const PROXY: Record<string, string> = {
  proxy_log: "iii>i",
  proxy_get_status: "iii>i",
  proxy_set_property: "iiii>i",
  proxy_get_property: "iiii>i",
  proxy_send_local_response: "iiiiiiii>i",
  proxy_get_shared_data: "iiiii>i",
  proxy_set_shared_data: "iiiii>i",
  proxy_register_shared_queue: "iii>i",
  proxy_resolve_shared_queue: "iiiii>i",
  proxy_dequeue_shared_queue: "iii>i",
  proxy_enqueue_shared_queue: "iii>i",
  proxy_get_header_map_value: "iiiii>i",
  proxy_add_header_map_value: "iiiii>i",
  proxy_replace_header_map_value: "iiiii>i",
  proxy_remove_header_map_value: "iii>i",
  proxy_get_header_map_pairs: "iii>i",
  proxy_set_header_map_pairs: "iii>i",
  proxy_get_header_map_size: "ii>i",
  proxy_get_buffer_status: "iii>i",
  proxy_get_buffer_bytes: "iiiii>i",
  proxy_set_buffer_bytes: "iiiii>i",
  proxy_http_call: "iiiiiiiiii>i",
  proxy_grpc_call: "iiiiiiiiiiii>i",
  proxy_grpc_stream: "iiiiiiiii>i",
  proxy_grpc_close: "i>i",
  proxy_grpc_cancel: "i>i",
  proxy_grpc_send: "iiii>i",
  proxy_set_tick_period_milliseconds: "i>i",
  proxy_get_current_time_nanoseconds: "i>i",
  proxy_define_metric: "iiii>i",
  proxy_increment_metric: "iI>i",
  proxy_record_metric: "iI>i",
  proxy_get_metric: "ii>i",
  proxy_set_effective_context: "i>i",
  proxy_done: ">i",
  proxy_call_foreign_function: "iiiiii>i",
  pthread_equal: "ii>i",
  emscripten_notify_memory_growth: "i>",
};

const ABI_SPECIFIC: Record<number, Record<string, string>> = {
  [AbiVersion.V0_1_0]: {
    proxy_get_configuration: "ii>i",
    proxy_continue_request: ">i",
    proxy_continue_response: ">i",
    proxy_clear_route_cache: ">i",
  },
  [AbiVersion.V0_2_0]: { proxy_continue_stream: "i>i", proxy_close_stream: "i>i" },
  [AbiVersion.V0_2_1]: {
    proxy_continue_stream: "i>i",
    proxy_close_stream: "i>i",
    proxy_get_log_level: "i>i",
  },
};

const WASI: Record<string, string> = {
  fd_write: "iiii>i",
  fd_read: "iiii>i",
  fd_seek: "iIii>i",
  fd_close: "i>i",
  fd_fdstat_get: "ii>i",
  fd_fdstat_set_flags: "ii>i",
  fd_prestat_get: "ii>i",
  fd_prestat_dir_name: "iii>i",
  path_open: "iiiiiIIii>i",
  environ_get: "ii>i",
  environ_sizes_get: "ii>i",
  args_get: "ii>i",
  args_sizes_get: "ii>i",
  proc_exit: "i>",
  clock_time_get: "iIi>i",
  clock_res_get: "ii>i",
  random_get: "ii>i",
  poll_oneoff: "iiii>i",
  sched_yield: ">i",
};
const WASI_MODULES = ["wasi_unstable", "wasi_snapshot_preview1"];

function toFuncType(spec: string): FuncType {
  const [params, results] = spec.split(">");
  const t = (c: string): ValType => (c === "I" ? "i64" : "i32");
  return { params: [...params].map(t), results: [...results].map(t) };
}

/**
 * The host functions offered to a module of `abiVersion`, by `module.name`, with their signatures
 * (what cpp-host registers; anything else is a missing import).
 */
export function hostFunctionTypes(abiVersion: AbiVersion): Map<string, FuncType> {
  const out = new Map<string, FuncType>();
  for (const [name, spec] of Object.entries({ ...PROXY, ...ABI_SPECIFIC[abiVersion] })) {
    out.set(`env.${name}`, toFuncType(spec));
  }
  for (const mod of WASI_MODULES) {
    for (const [name, spec] of Object.entries(WASI)) out.set(`${mod}.${name}`, toFuncType(spec));
  }
  return out;
}

const { Ok, NotFound, BadArgument, InvalidMemoryAccess, Empty, CasMismatch } = WasmResult;
// WASI errno values cpp-host returns.
const ESUCCESS = 0, EBADF = 8, EFAULT = 21, EINVAL = 28, ENOENT = 44, ENOSYS = 52, ENOTSUP = 58;

/** Shared queues: a simple in-process registry (pwhost has none; it aborts on registration). */
interface SharedQueue {
  vmId: string;
  name: string;
  items: Uint8Array[];
}
const queuesByHost = new WeakMap<
  object,
  { byName: Map<string, number>; byToken: Map<number, SharedQueue> }
>();

const dotted = new Map<string, string>();
/** The ABI separates property path segments with NUL; properties are keyed with dots. */
function propertyPath(raw: string): string {
  let path = dotted.get(raw);
  if (path === undefined) {
    if (dotted.size >= 1024) dotted.clear();
    dotted.set(raw, path = raw.replaceAll("\0", "."));
  }
  return path;
}

function nowNanos(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

/** The module's memory and current context as every group of imports reads them. */
interface AbiKit {
  vm: WasmVm;
  host: WasmVm["host"];
  ctx: () => ReturnType<WasmVm["context"]>;
  str: (ptr: number, size: number) => string | null;
  headerName: (ptr: number, size: number) => ReturnType<WasmVm["getHeaderName"]>;
  bytes: (ptr: number, size: number) => Uint8Array | null;
  u32: (ptr: number, value: number) => boolean;
  out: (value: Uint8Array | string, ptrPtr: number, sizePtr: number) => boolean;
}

type HostFunctions = Record<string, (...args: never[]) => number | void>;

function abiKit(vm: WasmVm): AbiKit {
  return {
    vm,
    host: vm.host,
    ctx: () => vm.context(),
    str: (ptr, size) => vm.getString(ptr >>> 0, size >>> 0),
    headerName: (ptr, size) => vm.getHeaderName(ptr >>> 0, size >>> 0),
    bytes: (ptr, size) => vm.getBytes(ptr >>> 0, size >>> 0),
    u32: (ptr, value) => vm.setU32(ptr >>> 0, value >>> 0),
    out: (value, ptrPtr, sizePtr) => vm.copyToPointerSize(value, ptrPtr >>> 0, sizePtr >>> 0),
  };
}

/**
 * Builds the import object for one VM: each function acts on the VM's current (or effective)
 * context, like cpp-host's `exports.cc`.
 */
export function createAbiImports(vm: WasmVm): Record<string, Record<string, WebAssembly.ImportValue>> {
  const k = abiKit(vm);
  const env: HostFunctions = {
    ...loggingImports(k),
    ...propertyImports(k),
    ...streamImports(k),
    ...contextImports(k),
    ...sharedDataImports(k),
    ...sharedQueueImports(k),
    ...headerMapImports(k),
    ...bufferImports(k),
    ...httpCallImports(k),
    ...grpcImports(k),
    ...timerImports(k),
    ...metricImports(k),
    ...runtimeImports(),
  };
  const wasi: HostFunctions = { ...wasiFileImports(k), ...wasiProcessImports(k), ...wasiClockImports(k) };

  const provided = hostFunctionTypes(vm.abiVersion);
  const pick = (mod: string, fns: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(fns).filter(([name]) => provided.has(`${mod}.${name}`))) as Record<
      string,
      WebAssembly.ImportValue
    >;
  return {
    env: pick("env", env),
    wasi_unstable: pick("wasi_unstable", wasi),
    wasi_snapshot_preview1: pick("wasi_snapshot_preview1", wasi),
  };
}

/** `proxy_log` and `proxy_get_log_level`. */
function loggingImports({ ctx, str, u32 }: AbiKit): HostFunctions {
  return {
    proxy_log(level: number, ptr: number, size: number) {
      if (level >>> 0 > LOG_LEVEL_MAX) return BadArgument;
      const c = ctx();
      const message = str(ptr, size);
      if (message === null) return InvalidMemoryAccess;
      return c.log(level, message);
    },
    proxy_get_log_level(ptr: number) {
      return u32(ptr, 0) ? Ok : InvalidMemoryAccess; // pwhost reports trace (0)
    },
  };
}

/** Properties and the (unimplemented) status of a gRPC call. */
function propertyImports({ ctx, bytes, u32, out }: AbiKit): HostFunctions {
  return {
    proxy_get_property(pathPtr: number, pathSize: number, valuePtr: number, sizePtr: number) {
      const c = ctx();
      const raw = bytes(pathPtr, pathSize);
      if (raw === null) return InvalidMemoryAccess;
      // The ABI separates path segments with NUL; properties are keyed with dots.
      const path = propertyPath(decodeUtf8Cached(raw, 0, raw.length));
      const value = c.getProperty(path);
      if (value === null) return NotFound;
      return out(value, valuePtr, sizePtr) ? Ok : InvalidMemoryAccess;
    },
    proxy_set_property(keyPtr: number, keySize: number, valuePtr: number, valueSize: number) {
      const c = ctx();
      if (bytes(keyPtr, keySize) === null || bytes(valuePtr, valueSize) === null) return InvalidMemoryAccess;
      return c.unimplemented();
    },
    proxy_get_status(codePtr: number, messagePtr: number, messageSize: number) {
      // Envoy answers this for gRPC calls; pwhost (like cpp-host's base) reports it unimplemented.
      const c = ctx().root();
      c.unimplemented();
      if (!u32(codePtr, 1)) return InvalidMemoryAccess;
      // (sic) cpp-host's literal message
      return out("unimplmemented", messagePtr, messageSize) ? Ok : InvalidMemoryAccess;
    },
  };
}

/** Stream control (each ABI version's spelling), the 0.1.0 configuration call and local replies. */
function streamImports({ vm, ctx, str, bytes, out }: AbiKit): HostFunctions {
  return {
    proxy_continue_stream(type: number) {
      const c = ctx();
      if (type >>> 0 > STREAM_TYPE_MAX) return BadArgument;
      return c.continueStream(type >>> 0);
    },
    proxy_close_stream(type: number) {
      return type >>> 0 > STREAM_TYPE_MAX ? BadArgument : Ok;
    },
    proxy_continue_request() {
      return ctx().continueStream(StreamType.Request);
    },
    proxy_continue_response() {
      return ctx().continueStream(StreamType.Response);
    },
    proxy_clear_route_cache() {
      ctx().clearRouteCache();
      return Ok;
    },
    proxy_get_configuration(ptrPtr: number, sizePtr: number) {
      const c = ctx();
      c.unimplemented();
      return out("", ptrPtr, sizePtr) ? Ok : InvalidMemoryAccess;
    },
    proxy_send_local_response(
      status: number,
      detailsPtr: number,
      detailsSize: number,
      bodyPtr: number,
      bodySize: number,
      headersPtr: number,
      headersSize: number,
      grpcStatus: number,
    ) {
      const c = ctx();
      const details = str(detailsPtr, detailsSize);
      const body = bytes(bodyPtr, bodySize);
      const headers = bytes(headersPtr, headersSize);
      if (details === null || body === null || headers === null) return InvalidMemoryAccess;
      c.sendLocalResponse(status >>> 0, body, decodePairs(headers), grpcStatus >>> 0, details);
      vm.stopNextIteration = true;
      return Ok;
    },
  };
}

/** The effective context, `proxy_done` and foreign functions. */
function contextImports({ vm, host, ctx, str, bytes, u32 }: AbiKit): HostFunctions {
  return {
    proxy_set_effective_context(id: number) {
      if (!vm.contexts.has(id >>> 0)) return BadArgument;
      vm.effectiveId = id >>> 0;
      return Ok;
    },
    proxy_done() {
      return vm.done(ctx());
    },
    proxy_call_foreign_function(
      namePtr: number,
      nameSize: number,
      argsPtr: number,
      argsSize: number,
      resultsPtr: number,
      resultsSizePtr: number,
    ) {
      const c = ctx();
      const name = str(namePtr, nameSize);
      if (name === null) return InvalidMemoryAccess;
      const args = bytes(argsPtr, argsSize);
      if (args === null) return InvalidMemoryAccess;
      const f = host.foreignFunctions.get(name);
      if (!f) return NotFound;
      const { status, result } = f(host, c, args);
      let address = 0;
      const size = result?.length ?? 0;
      if (result && resultsPtr >>> 0) {
        address = vm.allocMemory(size);
        if (address) vm.setBytes(address, result);
      }
      if (resultsPtr >>> 0 && !u32(resultsPtr, address)) return InvalidMemoryAccess;
      if (resultsSizePtr >>> 0 && !u32(resultsSizePtr, size)) return InvalidMemoryAccess;
      return status;
    },
  };
}

/** Shared data, per VM id, with compare-and-swap. */
function sharedDataImports({ host, ctx, str, bytes, u32, out }: AbiKit): HostFunctions {
  return {
    proxy_get_shared_data(
      keyPtr: number,
      keySize: number,
      valuePtr: number,
      sizePtr: number,
      casPtr: number,
    ) {
      const c = ctx();
      const key = str(keyPtr, keySize);
      if (key === null) return InvalidMemoryAccess;
      const entry = host.sharedData.get(c.vm.vmId)?.get(key);
      if (!entry) return NotFound;
      if (!out(entry.value, valuePtr, sizePtr)) return InvalidMemoryAccess;
      return u32(casPtr, entry.cas) ? Ok : InvalidMemoryAccess;
    },
    proxy_set_shared_data(keyPtr: number, keySize: number, valuePtr: number, valueSize: number, cas: number) {
      const c = ctx();
      const key = str(keyPtr, keySize);
      const value = bytes(valuePtr, valueSize);
      if (key === null || value === null) return InvalidMemoryAccess;
      let data = host.sharedData.get(c.vm.vmId);
      if (!data) host.sharedData.set(c.vm.vmId, data = new Map());
      const entry = data.get(key);
      if (entry && cas >>> 0 && cas >>> 0 !== entry.cas) return CasMismatch;
      data.set(key, { value: value.slice(), cas: host.nextCas() });
      return Ok;
    },
  };
}

/** Shared queues, registered per host in `queuesByHost`. */
function sharedQueueImports({ host, ctx, str, bytes, u32, out }: AbiKit): HostFunctions {
  const queues = () => {
    let q = queuesByHost.get(host);
    if (!q) queuesByHost.set(host, q = { byName: new Map(), byToken: new Map() });
    return q;
  };
  return {
    proxy_register_shared_queue(namePtr: number, nameSize: number, tokenPtr: number) {
      const c = ctx();
      const name = str(namePtr, nameSize);
      if (name === null) return InvalidMemoryAccess;
      const q = queues();
      const id = `${c.vm.vmId}\u0000${name}`;
      let token = q.byName.get(id);
      if (token === undefined) {
        token = q.byToken.size + 1;
        q.byName.set(id, token);
        q.byToken.set(token, { vmId: c.vm.vmId, name, items: [] });
      }
      return u32(tokenPtr, token) ? Ok : InvalidMemoryAccess;
    },
    proxy_resolve_shared_queue(
      vmIdPtr: number,
      vmIdSize: number,
      namePtr: number,
      nameSize: number,
      tokenPtr: number,
    ) {
      const c = ctx();
      const vmId = str(vmIdPtr, vmIdSize);
      const name = str(namePtr, nameSize);
      if (vmId === null || name === null) return InvalidMemoryAccess;
      const token = queues().byName.get(`${vmId || c.vm.vmId}\u0000${name}`);
      if (c.vm.isFailed || token === undefined) return NotFound;
      return u32(tokenPtr, token) ? Ok : InvalidMemoryAccess;
    },
    proxy_enqueue_shared_queue(token: number, valuePtr: number, valueSize: number) {
      const value = bytes(valuePtr, valueSize);
      if (value === null) return InvalidMemoryAccess;
      const queue = queues().byToken.get(token >>> 0);
      if (!queue) return NotFound;
      queue.items.push(value.slice());
      return Ok;
    },
    proxy_dequeue_shared_queue(token: number, valuePtr: number, sizePtr: number) {
      const queue = queues().byToken.get(token >>> 0);
      if (!queue) return NotFound;
      const item = queue.items.shift();
      if (!item) return Empty;
      return out(item, valuePtr, sizePtr) ? Ok : InvalidMemoryAccess;
    },
  };
}

/** Header maps: single values by name, and whole maps as serialised pairs. */
function headerMapImports(k: AbiKit): HostFunctions {
  return { ...headerValueImports(k), ...headerPairsImports(k) };
}

function headerValueImports({ ctx, str, headerName, out }: AbiKit): HostFunctions {
  return {
    proxy_get_header_map_value(
      type: number,
      keyPtr: number,
      keySize: number,
      valuePtr: number,
      sizePtr: number,
    ) {
      if (type >>> 0 > MAP_TYPE_MAX) return BadArgument;
      const c = ctx();
      const key = headerName(keyPtr, keySize);
      if (key === null) return InvalidMemoryAccess;
      const value = c.getHeaderMapValue(type, key);
      if (typeof value === "number") return value;
      return out(value, valuePtr, sizePtr) ? Ok : InvalidMemoryAccess;
    },
    proxy_add_header_map_value(
      type: number,
      keyPtr: number,
      keySize: number,
      valuePtr: number,
      valueSize: number,
    ) {
      if (type >>> 0 > MAP_TYPE_MAX) return BadArgument;
      const c = ctx();
      const key = headerName(keyPtr, keySize);
      const value = str(valuePtr, valueSize);
      if (key === null || value === null) return InvalidMemoryAccess;
      return c.addHeaderMapValue(type, key, value);
    },
    proxy_replace_header_map_value(
      type: number,
      keyPtr: number,
      keySize: number,
      valuePtr: number,
      valueSize: number,
    ) {
      if (type >>> 0 > MAP_TYPE_MAX) return BadArgument;
      const c = ctx();
      const key = headerName(keyPtr, keySize);
      const value = str(valuePtr, valueSize);
      if (key === null || value === null) return InvalidMemoryAccess;
      return c.replaceHeaderMapValue(type, key, value);
    },
    proxy_remove_header_map_value(type: number, keyPtr: number, keySize: number) {
      if (type >>> 0 > MAP_TYPE_MAX) return BadArgument;
      const c = ctx();
      const key = headerName(keyPtr, keySize);
      if (key === null) return InvalidMemoryAccess;
      return c.removeHeaderMapValue(type, key);
    },
  };
}

function headerPairsImports({ vm, ctx, bytes, u32, out }: AbiKit): HostFunctions {
  return {
    proxy_get_header_map_pairs(type: number, ptrPtr: number, sizePtr: number) {
      if (type >>> 0 > MAP_TYPE_MAX) return BadArgument;
      const pairs = ctx().getHeaderMapPairs(type);
      if (pairs.length === 0) return out("", ptrPtr, sizePtr) ? Ok : InvalidMemoryAccess;
      const size = pairsSize(pairs);
      const ptr = vm.allocMemory(size);
      if (ptr === 0) return InvalidMemoryAccess;
      writePairs(vm.u8, ptr, pairs);
      return u32(ptrPtr, ptr) && u32(sizePtr, size) ? Ok : InvalidMemoryAccess;
    },
    proxy_set_header_map_pairs(type: number, ptr: number, size: number) {
      if (type >>> 0 > MAP_TYPE_MAX) return BadArgument;
      const c = ctx();
      const data = bytes(ptr, size);
      if (data === null) return InvalidMemoryAccess;
      return c.setHeaderMapPairs(type, decodePairs(data));
    },
    proxy_get_header_map_size(type: number, resultPtr: number) {
      if (type >>> 0 > MAP_TYPE_MAX) return BadArgument;
      const size = ctx().getHeaderMapSize(type);
      if (typeof size !== "number") return size.status;
      return u32(resultPtr, size) ? Ok : InvalidMemoryAccess;
    },
  };
}

/** Buffers (bodies, configurations, call responses): read with clamping, never written. */
function bufferImports({ ctx, bytes, u32, out }: AbiKit): HostFunctions {
  return {
    proxy_get_buffer_bytes(type: number, start: number, length: number, ptrPtr: number, sizePtr: number) {
      if (type >>> 0 > BUFFER_TYPE_MAX) return BadArgument;
      const buffer = ctx().getBuffer(type);
      if (!buffer) return NotFound;
      start >>>= 0;
      length >>>= 0;
      if (start > buffer.length) length = 0;
      else if (start + length > buffer.length) length = buffer.length - start;
      if (length === 0) return u32(ptrPtr, 0) && u32(sizePtr, 0) ? Ok : InvalidMemoryAccess;
      return out(buffer.subarray(start, start + length), ptrPtr, sizePtr) ? Ok : InvalidMemoryAccess;
    },
    proxy_get_buffer_status(type: number, lengthPtr: number, flagsPtr: number) {
      if (type >>> 0 > BUFFER_TYPE_MAX) return BadArgument;
      const buffer = ctx().getBuffer(type);
      if (!buffer) return NotFound;
      return u32(lengthPtr, buffer.length) && u32(flagsPtr, 0) ? Ok : InvalidMemoryAccess;
    },
    proxy_set_buffer_bytes(type: number, _start: number, _length: number, dataPtr: number, dataSize: number) {
      if (type >>> 0 > BUFFER_TYPE_MAX) return BadArgument;
      const buffer = ctx().getBuffer(type);
      if (!buffer) return NotFound;
      if (bytes(dataPtr, dataSize) === null) return InvalidMemoryAccess;
      return BadArgument; // pwhost's buffers are read-only (cpp-host BufferBase::copyFrom)
    },
  };
}

/** `proxy_http_call`, made on (and answered to) the root context. */
function httpCallImports({ ctx, str, bytes, u32 }: AbiKit): HostFunctions {
  return {
    proxy_http_call(
      upstreamPtr: number,
      upstreamSize: number,
      headersPtr: number,
      headersSize: number,
      bodyPtr: number,
      bodySize: number,
      trailersPtr: number,
      trailersSize: number,
      timeoutMs: number,
      tokenPtr: number,
    ) {
      const root = ctx().root(); // calls are made on (and answered to) the root context
      const upstream = str(upstreamPtr, upstreamSize);
      const body = bytes(bodyPtr, bodySize);
      const headers = bytes(headersPtr, headersSize);
      const trailers = bytes(trailersPtr, trailersSize);
      if (upstream === null || body === null || headers === null || trailers === null) {
        return InvalidMemoryAccess;
      }
      // Write the token slot first, so a bad pointer fails before the call is made.
      if (!u32(tokenPtr, 0)) return InvalidMemoryAccess;
      const { status, token } = root.httpCall(upstream, decodePairs(headers), body, timeoutMs | 0);
      u32(tokenPtr, token);
      return status;
    },
  };
}

/** gRPC calls and streams: arguments checked, then unimplemented (as in pwhost). */
function grpcImports({ ctx, bytes }: AbiKit): HostFunctions {
  return {
    proxy_grpc_call(
      servicePtr: number,
      serviceSize: number,
      serviceNamePtr: number,
      serviceNameSize: number,
      methodPtr: number,
      methodSize: number,
      metadataPtr: number,
      metadataSize: number,
      requestPtr: number,
      requestSize: number,
    ) {
      const root = ctx().root();
      if (
        bytes(servicePtr, serviceSize) === null || bytes(serviceNamePtr, serviceNameSize) === null ||
        bytes(methodPtr, methodSize) === null || bytes(metadataPtr, metadataSize) === null ||
        bytes(requestPtr, requestSize) === null
      ) return InvalidMemoryAccess;
      return root.unimplemented();
    },
    proxy_grpc_stream(
      servicePtr: number,
      serviceSize: number,
      serviceNamePtr: number,
      serviceNameSize: number,
      methodPtr: number,
      methodSize: number,
      metadataPtr: number,
      metadataSize: number,
    ) {
      const root = ctx().root();
      if (
        bytes(servicePtr, serviceSize) === null || bytes(serviceNamePtr, serviceNameSize) === null ||
        bytes(methodPtr, methodSize) === null || bytes(metadataPtr, metadataSize) === null
      ) return InvalidMemoryAccess;
      return root.unimplemented();
    },
    proxy_grpc_close() {
      return ctx().root().unimplemented();
    },
    proxy_grpc_cancel() {
      return ctx().root().unimplemented();
    },
    proxy_grpc_send(_token: number, messagePtr: number, messageSize: number) {
      const root = ctx().root();
      if (bytes(messagePtr, messageSize) === null) return InvalidMemoryAccess;
      return root.unimplemented();
    },
  };
}

/** The root context's tick period and the wall clock. */
function timerImports({ vm, ctx }: AbiKit): HostFunctions {
  return {
    proxy_set_tick_period_milliseconds(period: number) {
      vm.setTimerPeriod(ctx().root().id, period >>> 0);
      return Ok;
    },
    proxy_get_current_time_nanoseconds(ptr: number) {
      return vm.setU64(ptr >>> 0, nowNanos()) ? Ok : InvalidMemoryAccess;
    },
  };
}

/** Metrics, held by the host; values wrap as signed 64-bit integers. */
function metricImports({ vm, host, str, u32 }: AbiKit): HostFunctions {
  return {
    proxy_define_metric(type: number, namePtr: number, nameSize: number, idPtr: number) {
      const name = str(namePtr, nameSize);
      if (name === null) return InvalidMemoryAccess;
      return u32(idPtr, host.defineMetric(type >>> 0, name)) ? Ok : InvalidMemoryAccess;
    },
    proxy_increment_metric(id: number, offset: bigint) {
      const metric = host.metrics[id >>> 0];
      if (!metric) return NotFound;
      metric.value = BigInt.asIntN(64, metric.value + offset);
      return Ok;
    },
    proxy_record_metric(id: number, value: bigint) {
      const metric = host.metrics[id >>> 0];
      if (!metric) return NotFound;
      metric.value = BigInt.asIntN(64, value);
      return Ok;
    },
    proxy_get_metric(id: number, ptr: number) {
      const metric = host.metrics[id >>> 0];
      if (!metric) return NotFound;
      return vm.setU64(ptr >>> 0, metric.value) ? Ok : InvalidMemoryAccess;
    },
  };
}

/** What Emscripten-built modules import besides the ABI. */
function runtimeImports(): HostFunctions {
  return {
    pthread_equal(a: number, b: number) {
      return a === b ? 1 : 0;
    },
    emscripten_notify_memory_growth() {},
  };
}

/** WASI files: stdout and stderr only, written as log lines. */
function wasiFileImports({ vm, host, ctx, str, bytes, u32 }: AbiKit): HostFunctions {
  return {
    fd_write(fd: number, iovs: number, iovsLen: number, writtenPtr: number) {
      // stdout and stderr become log lines (info and error), as in Envoy.
      const level = fd === 1 ? 2 : fd === 2 ? 4 : -1;
      if (level < 0) return EBADF;
      const c = ctx();
      let text = "";
      let written = 0;
      for (let i = 0; i < iovsLen >>> 0; i++) {
        const iov = bytes((iovs >>> 0) + i * 8, 8);
        if (iov === null) return EFAULT;
        const view = new DataView(iov.buffer, iov.byteOffset, 8);
        const len = view.getUint32(4, true);
        if (len === 0) continue;
        const chunk = str(view.getUint32(0, true), len);
        if (chunk === null) return EFAULT;
        text += chunk;
        written += len;
      }
      if (written) c.log(level, text.endsWith("\n") ? text.slice(0, -1) : text);
      return u32(writtenPtr, written) ? ESUCCESS : EFAULT;
    },
    fd_read: () => ENOSYS,
    fd_seek() {
      host.error("wasi_unstable fd_seek");
      return ESUCCESS;
    },
    fd_close() {
      host.error("wasi_unstable fd_close");
      return ESUCCESS;
    },
    fd_fdstat_get(fd: number, statPtr: number) {
      if (fd !== 1 && fd !== 2) return EBADF;
      const stat = new Uint8Array(24);
      stat[8] = 64; // fs_rights_base: FD_WRITE
      vm.setBytes(statPtr >>> 0, stat);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: () => ENOSYS,
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => ENOSYS,
    path_open: () => ENOENT,
  };
}

/** WASI environment, arguments and exit: empty, and an exit is an error. */
function wasiProcessImports({ host, u32 }: AbiKit): HostFunctions {
  return {
    environ_get: () => ESUCCESS,
    environ_sizes_get(countPtr: number, sizePtr: number) {
      return u32(countPtr, 0) && u32(sizePtr, 0) ? ESUCCESS : EFAULT;
    },
    args_get: () => ESUCCESS,
    args_sizes_get(argcPtr: number, sizePtr: number) {
      return u32(argcPtr, 0) && u32(sizePtr, 0) ? ESUCCESS : EFAULT;
    },
    proc_exit() {
      host.error("wasi_unstable proc_exit");
    },
  };
}

/** WASI clocks, randomness and scheduling. */
function wasiClockImports({ vm, u32 }: AbiKit): HostFunctions {
  return {
    clock_time_get(id: number, _precision: bigint, ptr: number) {
      let time: bigint;
      if (id === 0) time = nowNanos();
      else if (id === 1) time = BigInt(Math.round(performance.now() * 1e6));
      else return ENOTSUP;
      return vm.setU64(ptr >>> 0, time) ? ESUCCESS : EFAULT;
    },
    clock_res_get(id: number, ptr: number) {
      if (id !== 0 && id !== 1) return ENOTSUP;
      return vm.setU64(ptr >>> 0, 1n) ? ESUCCESS : EFAULT;
    },
    random_get(ptr: number, length: number) {
      length >>>= 0;
      if (length > 65536) return EINVAL;
      if (length === 0) return ESUCCESS;
      return vm.setBytes(ptr >>> 0, crypto.getRandomValues(new Uint8Array(length))) ? ESUCCESS : EFAULT;
    },
    poll_oneoff(_in: number, _out: number, _subscriptions: number, eventsPtr: number) {
      return u32(eventsPtr, 0) ? ESUCCESS : EFAULT;
    },
    sched_yield: () => ESUCCESS,
  };
}
