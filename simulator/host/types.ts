/**
 * Proxy-Wasm ABI constants (spec v0.2.1) and the plain records shared by the host modules.
 *
 * Numeric values are the ABI's; names follow proxy-wasm-cpp-host (`WasmResult`, `FilterHeadersStatus`,
 * `FailState`) because reports print them.
 *
 * @module
 */

/** A header as the ABI sees it: lower-case name, value. */
export type Header = [name: string, value: string];
/** An ordered header map; duplicates are allowed, as in Envoy. */
export type Headers = Header[];

/** `proxy_status_t`: the status every host function returns. */
export const WasmResult = {
  Ok: 0,
  NotFound: 1,
  BadArgument: 2,
  SerializationFailure: 3,
  ParseFailure: 4,
  BadExpression: 5,
  InvalidMemoryAccess: 6,
  Empty: 7,
  CasMismatch: 8,
  ResultMismatch: 9,
  InternalFailure: 10,
  BrokenConnection: 11,
  Unimplemented: 12,
} as const;
/** One of the {@linkcode WasmResult} numbers. */
export type WasmResult = typeof WasmResult[keyof typeof WasmResult];

/** `proxy_map_type_t`. */
export const MapType = {
  RequestHeaders: 0,
  RequestTrailers: 1,
  ResponseHeaders: 2,
  ResponseTrailers: 3,
  GrpcReceiveInitialMetadata: 4,
  GrpcReceiveTrailingMetadata: 5,
  HttpCallResponseHeaders: 6,
  HttpCallResponseTrailers: 7,
} as const;
/** Highest valid map type; larger ids are `BadArgument`. */
export const MAP_TYPE_MAX = 7;

/** `proxy_buffer_type_t`. */
export const BufferType = {
  HttpRequestBody: 0,
  HttpResponseBody: 1,
  DownstreamData: 2,
  UpstreamData: 3,
  HttpCallResponseBody: 4,
  GrpcReceiveBuffer: 5,
  VmConfiguration: 6,
  PluginConfiguration: 7,
  CallData: 8,
} as const;
/** Highest valid buffer type. */
export const BUFFER_TYPE_MAX = 8;

/** `proxy_stream_type_t`. */
export const StreamType = { Request: 0, Response: 1, Downstream: 2, Upstream: 3 } as const;
/** Highest valid stream type. */
export const STREAM_TYPE_MAX = 3;

/** `proxy_log_level_t`. */
export const LogLevel = { Trace: 0, Debug: 1, Info: 2, Warn: 3, Error: 4, Critical: 5 } as const;
/** One of the {@linkcode LogLevel} numbers. */
export type LogLevel = typeof LogLevel[keyof typeof LogLevel];
/** Highest valid log level. */
export const LOG_LEVEL_MAX = 5;

/** `proxy_metric_type_t`. */
export const MetricType = { Counter: 0, Gauge: 1, Histogram: 2 } as const;
/** One of the {@linkcode MetricType} numbers (the host accepts any number, as pwhost does). */
export type MetricType = number;

/** What Envoy does with the stream after a headers callback, by cpp-host's `FilterHeadersStatus` value. */
export const HEADERS_STATUS = [
  "Continue",
  "StopIteration",
  "ContinueAndEndStream",
  "StopAllIterationAndBuffer",
  "StopAllIterationAndWatermark",
] as const;
/** A `FilterHeadersStatus` name. */
export type HeadersStatus = typeof HEADERS_STATUS[number];

/** What Envoy does with the stream after a body callback, by cpp-host's `FilterDataStatus` value. */
export const DATA_STATUS = [
  "Continue",
  "StopIterationAndBuffer",
  "StopIterationAndWatermark",
  "StopIterationNoBuffer",
] as const;
/** A `FilterDataStatus` name. */
export type DataStatus = typeof DATA_STATUS[number];

/** cpp-host's `FailState`: why a VM stopped serving. */
export type FailState =
  | "Ok"
  | "UnableToCreateVm"
  | "UnableToCloneVm"
  | "MissingFunction"
  | "UnableToInitializeCode"
  | "StartFailed"
  | "ConfigureFailed"
  | "RuntimeError";

/** A WasmPlugin's `failStrategy`: what requests get after the VM hit a runtime error. */
export type FailStrategy = "FAIL_CLOSE" | "FAIL_OPEN" | "FAIL_RELOAD";

/** cpp-host's `AbiVersion` numbering: reports print the number (2 = 0.2.1). */
export const AbiVersion = { V0_1_0: 0, V0_2_0: 1, V0_2_1: 2, Unknown: 4 } as const;
/** One of the {@linkcode AbiVersion} numbers. */
export type AbiVersion = typeof AbiVersion[keyof typeof AbiVersion];

/** A reply the filter sent with `proxy_send_local_response`. */
export interface LocalReply {
  status: number;
  body: string;
  /** Extra response headers, names lower-cased. */
  headers: Headers;
  details: string;
  /** As the host receives it: uint32, so "no gRPC status" (-1) is 4294967295. */
  grpcStatus: number;
}

/** An outgoing `proxy_http_call`, as Envoy would send it. */
export interface HttpCallRecord {
  upstream: string;
  /** Request headers, names lower-cased. */
  headers: Headers;
  body: string;
  timeoutMs: number;
  token: number;
  /** Id of the root context that made (and will be answered) the call. */
  context: number;
}

/** A `proxy_log` line (or stdout/stderr via WASI `fd_write`). */
export interface LogEntry {
  level: number;
  /** Effective context id when the line was logged. */
  context: number;
  message: string;
}

/** A host log record: a log line, or an action the filter took outside any stream (kept like pwhost). */
export type LogRecord =
  | LogEntry
  | { localReplyOutsideStream: LocalReply }
  | { httpCallOutsideStream: HttpCallRecord };

/** Everything one HTTP stream saw: the maps the filter reads and writes, and what it did. */
export interface StreamRecord {
  requestHeaders: Headers;
  responseHeaders: Headers;
  requestBody: Uint8Array;
  responseBody: Uint8Array;
  localReply: LocalReply | null;
  /** `clear_route_cache` foreign-function calls. */
  routeCacheClears: number;
  /** Request-header changes made during the request phase (each makes Envoy re-pick the route). */
  requestHeaderMutations: number;
  requestContinued: boolean;
  responseContinued: boolean;
  httpCalls: HttpCallRecord[];
  /** Arguments of each `set_envoy_filter_state` foreign-function call. */
  filterState: Uint8Array[];
}

/** A fresh, empty {@linkcode StreamRecord}. */
export function newStreamRecord(): StreamRecord {
  return {
    requestHeaders: [],
    responseHeaders: [],
    requestBody: EMPTY_BYTES,
    responseBody: EMPTY_BYTES,
    localReply: null,
    routeCacheClears: 0,
    requestHeaderMutations: 0,
    requestContinued: false,
    responseContinued: false,
    httpCalls: [],
    filterState: [],
  };
}

/** Shared empty byte array (never written). */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** One plugin configuration (a WasmPlugin's `pluginConfig`), as cpp-host's `PluginBase`. */
export interface Plugin {
  name: string;
  rootId: string;
  vmId: string;
  configuration: Uint8Array;
  failOpen: boolean;
  /**
   * Identity of the plugin in a VM: root id and configuration, not the name (cpp-host hashes
   * exactly these). Two names with the same root id and configuration share one root context.
   */
  key: string;
}

/** Builds a {@linkcode Plugin} and its key. */
export function newPlugin(
  name: string,
  rootId: string,
  vmId: string,
  configuration: Uint8Array,
  failOpen: boolean,
): Plugin {
  let key = rootId + "\u0000";
  for (let i = 0; i < configuration.length; i += 4096) {
    key += String.fromCharCode(...configuration.subarray(i, i + 4096));
  }
  return { name, rootId, vmId, configuration, failOpen, key };
}
