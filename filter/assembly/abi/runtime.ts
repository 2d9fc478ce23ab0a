// The SDK layer: proxy-wasm enums, RootContext/Context base classes in the style of
// @solo-io/proxy-runtime, and host calls wrapped so that a non-Ok status becomes an empty value
// or a returned status — never a trap.
import { ContextTable } from "./context_table";
import { freeHostBuffer, takeHostBuffer } from "./host_buffers";
import * as imports from "./imports";

export enum LogLevel { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Critical = 5 }
export enum WasmResult { Ok = 0, NotFound = 1, BadArgument = 2 }
export enum HeaderMapType { RequestHeaders = 0, ResponseHeaders = 2, HttpCallResponseHeaders = 6 }
export enum BufferType { HttpCallResponseBody = 4, VmConfiguration = 6, PluginConfiguration = 7 }
export enum FilterHeadersStatus { Continue = 0, StopIteration = 1 }
export enum MetricType { Counter = 0, Gauge = 1, Histogram = 2 }

// Out-parameters of host calls live in one static scratch area: the VM is single-threaded.
const scratch = memory.data(16);

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

/** Decodes a host-returned UTF-8 buffer straight into a string, then frees it (no copy between). */
function takeReturnedString(): string {
  const ptr = load<usize>(scratch);
  const size = load<usize>(scratch, sizeof<usize>());
  const out = size > 0 ? String.UTF8.decodeUnsafe(ptr, size) : "";
  freeHostBuffer(ptr);
  return out;
}

/** A host-allocated buffer returned through the scratch area, taken over (takeHostBuffer). */
function takeReturned(): ArrayBuffer {
  return takeHostBuffer(load<usize>(scratch), load<usize>(scratch, sizeof<usize>()));
}

export function log(level: LogLevel, message: string): void {
  logBytes(level, utf8(message));
}

/** As log(), with the message already in UTF-8. */
export function logBytes(level: LogLevel, message: ArrayBuffer): void {
  imports.proxy_log(level, changetype<usize>(message), message.byteLength);
}

/** The host's current log level; messages below it are dropped by the host anyway. */
export function logLevel(): LogLevel {
  store<u32>(scratch, LogLevel.Info);
  imports.proxy_get_log_level(scratch);
  return <LogLevel>load<u32>(scratch);
}

let knownLevel: LogLevel = LogLevel.Info;
/**
 * Asks the host for its log level again. The answer is kept so that the request path does not pay
 * a host call per request to learn whether to build a debug line: refresh it on configure and tick.
 */
export function refreshLogLevel(): void {
  knownLevel = logLevel();
}
/** Whether a message at `level` would be logged, as of the last refreshLogLevel(). */
export function logEnabled(level: LogLevel): bool {
  return level >= knownLevel;
}

export function currentTimeNanos(): u64 {
  store<u64>(scratch, 0);
  imports.proxy_get_current_time_nanoseconds(scratch);
  return load<u64>(scratch);
}

/** The whole buffer of `type` up to `size` bytes; empty when the host has none. */
export function getBufferBytes(type: BufferType, size: u32): ArrayBuffer {
  store<usize>(scratch, 0);
  store<usize>(scratch, 0, sizeof<usize>());
  if (imports.proxy_get_buffer_bytes(type, 0, size, scratch, scratch + sizeof<usize>()) != WasmResult.Ok) {
    return new ArrayBuffer(0);
  }
  return takeReturned();
}

/**
 * UTF-8 of the string literals the module passes as names (header names, property paths), encoded
 * once: the request path asks for the same few names every time. Keyed by address with linear
 * probing, so two literals never evict each other; heap strings are encoded per call, since a freed
 * string's address can come back holding other text.
 */
const NAME_SLOTS = 256;
const namedAt = new StaticArray<usize>(NAME_SLOTS);
const nameUtf8 = new StaticArray<ArrayBuffer | null>(NAME_SLOTS);
function nameBytes(name: string): ArrayBuffer {
  const key = changetype<usize>(name);
  if (key >= __heap_base) return utf8(name);
  let slot = <i32>((<u32>key * 0x9e3779b1) >>> 24);
  for (let probes = 0; probes < NAME_SLOTS; probes++) {
    const cached = unchecked(nameUtf8[slot]);
    if (cached === null) {
      const bytes = utf8(name);
      unchecked(namedAt[slot] = key);
      unchecked(nameUtf8[slot] = bytes);
      return bytes;
    }
    if (unchecked(namedAt[slot]) == key) return cached;
    slot = (slot + 1) & (NAME_SLOTS - 1);
  }
  return utf8(name);
}

/**
 * A header's value left in the host-allocated buffer: its address (0 when empty), with its size in
 * `returnedSize`; -1 when the header is absent or the host refuses. The caller frees it
 * (freeHostBuffer). The name is given in UTF-8, encoded once by the caller.
 */
export let returnedSize: i32 = 0;
export { freeHostBuffer };
export function getHeaderBuffer(map: HeaderMapType, k: ArrayBuffer): isize {
  store<usize>(scratch, 0);
  store<usize>(scratch, 0, sizeof<usize>());
  const status = imports.proxy_get_header_map_value(
    map, changetype<usize>(k), k.byteLength, scratch, scratch + sizeof<usize>());
  if (status != WasmResult.Ok) return -1;
  returnedSize = <i32>load<usize>(scratch, sizeof<usize>());
  return <isize>load<usize>(scratch);
}

/** A header's value, or null when it is absent or the host refuses. */
export function getHeader(map: HeaderMapType, name: string): string | null {
  return getHeaderBuffer(map, nameBytes(name)) < 0 ? null : takeReturnedString();
}

export function addHeader(map: HeaderMapType, name: string, value: string): u32 {
  const k = utf8(name), v = utf8(value);
  return imports.proxy_add_header_map_value(map, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
}

export function replaceHeader(map: HeaderMapType, name: string, value: string): u32 {
  // The collector runs only between callbacks (./heap), so the buffer outlives the call.
  const v = utf8(value);
  return replaceHeaderBytes(map, name, changetype<usize>(v), v.byteLength);
}

/**
 * As replaceHeader, the value already UTF-8: `length` bytes at `value`, which the caller keeps alive
 * (a table's cluster name, encoded once).
 */
export function replaceHeaderBytes(map: HeaderMapType, name: string, value: usize, length: i32): u32 {
  const k = nameBytes(name);
  return imports.proxy_replace_header_map_value(map, changetype<usize>(k), k.byteLength, value, length);
}

export function removeHeader(map: HeaderMapType, name: string): u32 {
  const k = nameBytes(name);
  return imports.proxy_remove_header_map_value(map, changetype<usize>(k), k.byteLength);
}

/** A property as bytes, or null. Path segments are separated by the ABI's NUL, e.g. "destination\0port". */
export function getProperty(path: string): ArrayBuffer | null {
  const p = nameBytes(path);
  store<usize>(scratch, 0);
  store<usize>(scratch, 0, sizeof<usize>());
  if (imports.proxy_get_property(changetype<usize>(p), p.byteLength, scratch, scratch + sizeof<usize>()) != WasmResult.Ok) {
    return null;
  }
  return takeReturned();
}

/** Header pairs in the ABI's serialized map form: count, (key size, value size)*, key\0 value\0 ... */
function serializePairs(pairs: string[][]): ArrayBuffer {
  let size = 4;
  const encoded = new Array<ArrayBuffer>();
  for (let i = 0; i < pairs.length; i++) {
    const k = utf8(pairs[i][0]), v = utf8(pairs[i][1]);
    encoded.push(k);
    encoded.push(v);
    size += 8 + k.byteLength + v.byteLength + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, pairs.length);
  let at = base + 4 + 8 * pairs.length;
  for (let i = 0; i < encoded.length; i++) {
    const b = encoded[i];
    store<u32>(base + 4 + 4 * i, b.byteLength);
    memory.copy(at, changetype<usize>(b), b.byteLength);
    at += b.byteLength;
    store<u8>(at++, 0);
  }
  return out;
}

/** All headers of a map as [name, value] pairs; empty when the host refuses. */
export function getHeaderPairs(map: HeaderMapType): string[][] {
  const out = new Array<string[]>();
  store<usize>(scratch, 0);
  store<usize>(scratch, 0, sizeof<usize>());
  if (imports.proxy_get_header_map_pairs(map, scratch, scratch + sizeof<usize>()) != WasmResult.Ok) return out;
  const buf = takeReturned();
  // count, (key size, value size)*, then key\0 value\0 ...; every size is checked against the buffer.
  const base = changetype<usize>(buf), len = <u32>buf.byteLength;
  if (len < 4) return out;
  const n = load<u32>(base);
  if (<u64>4 + <u64>n * 8 > <u64>len) return out;
  let at: u64 = 4 + <u64>n * 8;
  for (let i: u32 = 0; i < n; i++) {
    const ks = <u64>load<u32>(base + 4 + 8 * i), vs = <u64>load<u32>(base + 8 + 8 * i);
    if (at + ks + vs + 2 > <u64>len) break;
    const k = String.UTF8.decodeUnsafe(base + <usize>at, <usize>ks);
    at += ks + 1;
    const v = String.UTF8.decodeUnsafe(base + <usize>at, <usize>vs);
    at += vs + 1;
    out.push([k, v]);
  }
  return out;
}

/** Dispatches an HTTP call to an Envoy cluster; the answer goes to the root context. Returns its
 *  token, or 0 when the host refuses the call. */
export function httpCall(cluster: string, headers: string[][], body: string, timeoutMs: u32): u32 {
  const u = utf8(cluster), h = serializePairs(headers), b = utf8(body), t = serializePairs([]);
  store<u32>(scratch, 0);
  const status = imports.proxy_http_call(changetype<usize>(u), u.byteLength, changetype<usize>(h), h.byteLength,
    changetype<usize>(b), b.byteLength, changetype<usize>(t), t.byteLength, timeoutMs, scratch);
  return status == WasmResult.Ok ? load<u32>(scratch) : 0;
}

export function setTickPeriod(periodMs: u32): void {
  imports.proxy_set_tick_period_milliseconds(periodMs);
}

export function sendLocalResponse(status: u32, details: string, body: string, headers: string[][]): u32 {
  const d = utf8(details), b = utf8(body), h = serializePairs(headers);
  return imports.proxy_send_local_response(
    status, changetype<usize>(d), d.byteLength, changetype<usize>(b), b.byteLength,
    changetype<usize>(h), h.byteLength, -1);
}

/**
 * A metric handle; every operation on an undefined metric is a no-op. Counters counted on the
 * request path are kept here (`count`) and handed to the host by `flush` on tick, one call per
 * metric instead of one per request (Envoy's own stats reach Prometheus on a flush interval too).
 */
export class Metric {
  private id: u32 = 0;
  private defined: bool = false;
  private pending: i64 = 0;
  constructor(type: MetricType, name: string) {
    const n = utf8(name);
    store<u32>(scratch, 0);
    this.defined = imports.proxy_define_metric(type, changetype<usize>(n), n.byteLength, scratch) == WasmResult.Ok;
    this.id = load<u32>(scratch);
  }
  increment(by: i64 = 1): void {
    if (this.defined) imports.proxy_increment_metric(this.id, by);
  }
  /** Counts without a host call; the host sees it at the next flush(). */
  count(): void {
    this.pending++;
  }
  flush(): void {
    const n = this.pending;
    if (n == 0) return;
    this.pending = 0;
    this.increment(n);
  }
  record(value: u64): void {
    if (this.defined) imports.proxy_record_metric(this.id, value);
  }
}

/** A plugin's root context: lives as long as its configuration; creates the stream contexts. */
export class RootContext {
  constructor(public readonly id: u32) {}
  onVmStart(vmConfigurationSize: u32): bool { return true; }
  onConfigure(configurationSize: u32): bool { return true; }
  onTick(): void {}
  onHttpCallResponse(token: u32, headerCount: u32, bodySize: u32): void {}
  createContext(contextId: u32): Context { return new Context(contextId, this); }
  /** A stream of this root is gone (after its onDelete): a root may keep the object for reuse. */
  contextDeleted(context: Context): void {}
  onDone(): bool { return true; }
  onDelete(): void {}
}

/** One HTTP stream. Hooks default to letting the request through untouched. */
export class Context {
  /** `id` changes only when a root reuses the object for a new stream. */
  constructor(public id: u32, public readonly root: RootContext) {}
  onRequestHeaders(headerCount: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }
  onResponseHeaders(headerCount: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }
  onDone(): bool { return true; }
  onDelete(): void {}
}

type RootFactory = (id: u32) => RootContext;
let rootFactory: RootFactory = (id: u32): RootContext => new RootContext(id);

/** Sets the factory of root contexts: one per plugin configuration in this VM. */
export function registerRootContext(factory: RootFactory): void {
  rootFactory = factory;
}

export const roots = new Map<u32, RootContext>();
export const streams = new ContextTable<Context>();

export function createContext(contextId: u32, parentId: u32): void {
  if (parentId == 0) {
    roots.set(contextId, rootFactory(contextId));
  } else if (roots.has(parentId)) {
    streams.set(contextId, roots.get(parentId).createContext(contextId));
  }
}

/**
 * Used through `--use abort=`: the module then imports no `env.abort`, which Envoy lacks. Reaching
 * it is a bug in the filter; the core is written never to get here.
 */
export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  log(LogLevel.Critical, "wasmroute: abort: " + (message !== null ? message : "") + " at " +
    (fileName !== null ? fileName : "") + ":" + line.toString() + ":" + column.toString());
  unreachable();
}
