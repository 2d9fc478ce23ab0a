/**
 * A proxytest-style emulator (after the Go SDK's `proxytest`) that runs the real compiled `.wasm`
 * through this host: options builder, `call*` drivers, `get*` inspectors.
 *
 * ```ts ignore
 * const host = newHostEmulator(emulatorOptions().withWasm("filter/build/filter.wasm").withPluginConfiguration(blob));
 * host.startPlugin();                                   // canary + thread-local VM, like Envoy
 * const id = host.initializeHttpContext();
 * host.callOnRequestHeaders(id, [[":path", "/"], ["version", "new"]], true);
 * host.getCurrentRequestHeaders(id);                    // after the filter's changes
 * host.completeHttpContext(id);                         // proxy_on_done, proxy_on_log, proxy_on_delete
 * ```
 *
 * Stream ids are the emulator's own (unique across VMs); the VM's context id is in
 * {@linkcode HttpStream.contextId} and in log entries.
 *
 * @module
 */

import type { HostContext } from "./host_context.ts";
import type { Metric } from "./host_state.ts";
import { type FailAction, ProxyWasmHost } from "./proxy_wasm_host.ts";
import {
  type DataStatus,
  type FailState,
  type FailStrategy,
  type Headers,
  type HeadersStatus,
  type HttpCallRecord,
  type LocalReply,
  type LogEntry,
  newStreamRecord,
  type StreamRecord,
} from "./types.ts";
import { asciiLower, bytesToString, stringToBytes } from "./_text.ts";
import { routeReselected } from "./route_reselected.ts";

/** Bytes, or text encoded as UTF-8. */
export type BytesLike = Uint8Array | string;

/** Emulator settings as a plain object; {@linkcode EmulatorOptions} builds one fluently. */
export interface EmulatorConfig {
  /** The module: bytes, or a path to read. */
  wasm: BytesLike;
  /** Plugin name of {@linkcode HostEmulator.startPlugin} (default "wasmroute"). */
  pluginName?: string;
  rootId?: string;
  pluginConfiguration?: BytesLike;
  vmConfiguration?: BytesLike;
  /** Properties by dotted path (the ABI's `\0` separators are dots). */
  properties?: Record<string, BytesLike>;
  failStrategy?: FailStrategy;
  vmId?: string;
}

/** Fluent builder of an {@linkcode EmulatorConfig} (proxytest's `EmulatorOption`). */
export class EmulatorOptions {
  readonly config: Partial<EmulatorConfig> & { properties: Record<string, BytesLike> } = { properties: {} };

  /** The module, as bytes or a file path. */
  withWasm(wasm: BytesLike): this {
    this.config.wasm = wasm;
    return this;
  }
  withPluginName(name: string): this {
    this.config.pluginName = name;
    return this;
  }
  withRootId(rootId: string): this {
    this.config.rootId = rootId;
    return this;
  }
  withPluginConfiguration(configuration: BytesLike): this {
    this.config.pluginConfiguration = configuration;
    return this;
  }
  withVmConfiguration(configuration: BytesLike): this {
    this.config.vmConfiguration = configuration;
    return this;
  }
  /** A property; `path` is dotted (`"node.metadata.NAME"`) or a list of segments. */
  withProperty(path: string | string[], value: BytesLike): this {
    this.config.properties[Array.isArray(path) ? path.join(".") : path] = value;
    return this;
  }
  withFailStrategy(strategy: FailStrategy): this {
    this.config.failStrategy = strategy;
    return this;
  }
  withVmId(vmId: string): this {
    this.config.vmId = vmId;
    return this;
  }
}

/** A new {@linkcode EmulatorOptions} builder. */
export function emulatorOptions(): EmulatorOptions {
  return new EmulatorOptions();
}

/** A local reply as proxytest shows it. */
export interface SentLocalResponse {
  statusCode: number;
  statusCodeDetail: string;
  body: string;
  headers: Headers;
  /** uint32 as the host receives it (4294967295 = none). */
  grpcStatus: number;
}

/** Everything about one emulated stream (returned by {@linkcode HostEmulator.completeHttpContext}). */
export interface HttpStream extends StreamRecord {
  id: number;
  plugin: string;
  /** The stream context id in the VM; null when the filter was skipped. */
  contextId: number | null;
  /** False when a failed VM made Envoy skip the filter (FAIL_CLOSE/FAIL_OPEN). */
  filterRan: boolean;
  /** What Envoy does with the request because the VM failed, if it did. */
  failAction?: FailAction;
  vmFailState: FailState;
  /** The last status a callback produced, or "Continue" once the filter resumed the stream. */
  action?: HeadersStatus | DataStatus;
}

interface Stream {
  id: number;
  plugin: string;
  context: HostContext | null;
  rec: StreamRecord;
  failAction?: FailAction;
  action?: HeadersStatus | DataStatus;
  continued: boolean;
}

const bytes = (v: BytesLike | undefined) => typeof v === "string" ? stringToBytes(v) : v ?? new Uint8Array(0);
const lower = (headers: Headers): Headers => headers.map(([k, v]) => [asciiLower(k), v]);

/**
 * Creates an emulator from a builder or a plain config.
 *
 * @example
 * ```ts ignore
 * const host = newHostEmulator({ wasm: "filter.wasm", pluginConfiguration: "{}" });
 * ```
 */
export function newHostEmulator(options: EmulatorOptions | EmulatorConfig): HostEmulator {
  return new HostEmulator(options);
}

/** See the module doc. */
export class HostEmulator {
  /** The underlying host (lifecycle, global state) for what the emulator API does not cover. */
  readonly host: ProxyWasmHost;
  readonly pluginName: string;
  readonly #config: EmulatorConfig;
  readonly #streams = new Map<number, Stream>();
  #nextId = 1;

  constructor(options: EmulatorOptions | EmulatorConfig) {
    const config = options instanceof EmulatorOptions ? options.config : options;
    if (!config.wasm) throw new TypeError("The emulator needs a module: use withWasm(bytes | path)");
    this.#config = config as EmulatorConfig;
    this.pluginName = config.pluginName ?? "wasmroute";
    this.host = new ProxyWasmHost({
      code: typeof config.wasm === "string" ? Deno.readFileSync(config.wasm) : config.wasm,
      vmConfiguration: bytes(config.vmConfiguration),
      vmId: config.vmId,
      failStrategy: config.failStrategy,
      properties: Object.fromEntries(Object.entries(config.properties ?? {}).map(([k, v]) => [k, bytes(v)])),
    });
  }

  // --- lifecycle ------------------------------------------------------------------------------

  /** Loads the module and runs `_initialize` in the base VM; false if that failed (see getErrors). */
  startVM(): boolean {
    return this.host.startVm();
  }

  /**
   * Configures the default plugin with the options' plugin configuration: canary VM, then the
   * thread-local VM (`proxy_on_context_create`, `proxy_on_vm_start`, `proxy_on_configure`).
   *
   * @returns Whether the configuration was accepted.
   */
  startPlugin(): boolean {
    return this.configure(this.pluginName, this.#config.pluginConfiguration ?? "", this.#config.rootId);
  }

  /**
   * Applies a configuration to plugin `name` (new, or an update like a WasmPlugin `pluginConfig`
   * change). A rejected configuration leaves the active one serving.
   */
  configure(name: string, configuration: BytesLike, rootId = ""): boolean {
    return this.host.configure({ name, rootId, configuration: bytes(configuration) }).accepted;
  }

  /** Calls `proxy_on_tick` on the root contexts that set a tick period. */
  tick(): void {
    this.host.tick();
  }

  // --- http streams ---------------------------------------------------------------------------

  /**
   * Starts a stream on `plugin` (default: the options' plugin) and runs `proxy_on_context_create`.
   * With FAIL_CLOSE/FAIL_OPEN after a runtime error the filter is skipped (see `getHttpStream`);
   * with FAIL_RELOAD a fresh VM serves it. `responseHeaders`/bodies preset the stream's maps, as
   * pwhost does (its response-header map exists from the start).
   *
   * @returns The stream id.
   */
  initializeHttpContext(
    init: { plugin?: string; responseHeaders?: Headers; requestBody?: BytesLike; responseBody?: BytesLike } =
      {},
  ): number {
    const plugin = init.plugin ?? this.pluginName;
    const rec = newStreamRecord();
    if (init.responseHeaders) rec.responseHeaders = lower(init.responseHeaders);
    if (init.requestBody !== undefined) rec.requestBody = bytes(init.requestBody);
    if (init.responseBody !== undefined) rec.responseBody = bytes(init.responseBody);
    const opened = this.host.openStream(plugin, rec);
    if (opened.kind === "error") throw new RangeError(`Cannot start a stream: ${opened.error}`);
    const stream: Stream = { id: this.#nextId++, plugin, context: null, rec, continued: false };
    this.#streams.set(stream.id, stream);
    if (opened.kind === "skipped") {
      stream.failAction = opened.failAction;
      return stream.id;
    }
    stream.context = opened.context;
    this.#run(stream, () => opened.context.onCreate());
    return stream.id;
  }

  /** `proxy_on_request_headers` with `headers` (names lower-cased). */
  callOnRequestHeaders(id: number, headers: Headers, endOfStream: boolean): HeadersStatus {
    const s = this.#stream(id);
    s.rec.requestHeaders = lower(headers);
    const context = s.context;
    if (!context) return this.#skippedStatus(s);
    context.inRequestPhase = true;
    return this.#record(
      s,
      this.#run(s, () => context.onRequestHeaders(s.rec.requestHeaders.length, endOfStream)),
    );
  }

  /** `proxy_on_request_body` with `body` as the whole buffered body. */
  callOnRequestBody(id: number, body: BytesLike, endOfStream: boolean): DataStatus {
    const s = this.#stream(id);
    s.rec.requestBody = bytes(body);
    const context = s.context;
    if (!context) return s.failAction === "continue" ? "Continue" : "StopIterationNoBuffer";
    return this.#record(s, this.#run(s, () => context.onRequestBody(s.rec.requestBody.length, endOfStream)));
  }

  /**
   * `proxy_on_response_headers`; ends the request phase. `headers` replace the response map, or
   * keep it (with what the filter already changed) when undefined.
   */
  callOnResponseHeaders(id: number, headers: Headers | undefined, endOfStream: boolean): HeadersStatus {
    const s = this.#stream(id);
    if (headers) s.rec.responseHeaders = lower(headers);
    const context = s.context;
    if (!context) return this.#skippedStatus(s);
    context.inRequestPhase = false;
    return this.#record(
      s,
      this.#run(s, () => context.onResponseHeaders(s.rec.responseHeaders.length, endOfStream)),
    );
  }

  /** `proxy_on_response_body`. */
  callOnResponseBody(id: number, body: BytesLike, endOfStream: boolean): DataStatus {
    const s = this.#stream(id);
    s.rec.responseBody = bytes(body);
    const context = s.context;
    if (!context) return s.failAction === "continue" ? "Continue" : "StopIterationNoBuffer";
    context.inRequestPhase = false;
    return this.#record(
      s,
      this.#run(s, () => context.onResponseBody(s.rec.responseBody.length, endOfStream)),
    );
  }

  /**
   * Answers the http call `token`: `proxy_on_http_call_response` on the root context that made it.
   * Calls it makes, and what it does through `proxy_set_effective_context`, land on the stream that
   * made the original call.
   */
  callOnHttpCallResponse(token: number, headers: Headers, body: BytesLike = "", trailers?: Headers): void {
    const call = this.host.takePendingCall(token);
    if (!call) throw new RangeError(`No pending http call with token ${token}`);
    const state = this.host.state;
    const previous = state.current;
    state.current = call.stream;
    try {
      this.host.deliverHttpCallResponse(call, {
        headers: lower(headers),
        body: bytes(body),
        trailers: trailers ? lower(trailers) : null,
      });
    } finally {
      state.current = previous;
    }
    for (const s of this.#streams.values()) if (s.context?.vm === call.context.vm) this.#noteFailure(s);
  }

  /**
   * Ends the stream: `proxy_on_done`, `proxy_on_log`, `proxy_on_delete`; frees the context.
   *
   * @returns The stream's final state (the id is no longer valid afterwards).
   */
  completeHttpContext(id: number): HttpStream {
    const s = this.#stream(id);
    const context = s.context;
    if (context) {
      this.#run(s, () => {
        context.onDone();
        context.onLog();
        context.onDelete();
      });
      s.failAction = this.host.closeStream(s.plugin, context) ?? s.failAction;
    }
    const result = this.getHttpStream(id);
    this.#streams.delete(id);
    return result;
  }

  // --- inspectors -----------------------------------------------------------------------------

  /** A snapshot of stream `id`. */
  getHttpStream(id: number): HttpStream {
    const s = this.#stream(id);
    const rec = s.rec;
    const out: HttpStream = {
      ...rec,
      requestHeaders: rec.requestHeaders.map(([k, v]) => [k, v]),
      responseHeaders: rec.responseHeaders.map(([k, v]) => [k, v]),
      httpCalls: [...rec.httpCalls],
      filterState: [...rec.filterState],
      id: s.id,
      plugin: s.plugin,
      contextId: s.context?.id ?? null,
      filterRan: s.context !== null,
      vmFailState: s.context ? s.context.vm.failState : "RuntimeError",
      action: this.getCurrentHttpStreamAction(id),
    };
    if (s.failAction) out.failAction = s.failAction;
    return out;
  }

  /** Request headers after the filter's changes. */
  getCurrentRequestHeaders(id: number): Headers {
    return this.#stream(id).rec.requestHeaders.map(([k, v]) => [k, v]);
  }

  /** Response headers after the filter's changes. */
  getCurrentResponseHeaders(id: number): Headers {
    return this.#stream(id).rec.responseHeaders.map(([k, v]) => [k, v]);
  }

  /** The local reply the filter sent on this stream, if any. */
  getSentLocalResponse(id: number): SentLocalResponse | undefined {
    const reply: LocalReply | null = this.#stream(id).rec.localReply;
    if (!reply) return undefined;
    return {
      statusCode: reply.status,
      statusCodeDetail: reply.details,
      body: reply.body,
      headers: reply.headers,
      grpcStatus: reply.grpcStatus,
    };
  }

  /** The last status a callback returned to Envoy, or "Continue" after the filter resumed the stream. */
  getCurrentHttpStreamAction(id: number): HeadersStatus | DataStatus | undefined {
    const s = this.#stream(id);
    if (s.action && s.action !== "Continue" && !s.continued && s.rec.requestContinued) return "Continue";
    return s.action;
  }

  /** What Envoy does with the request because the VM failed, if it did. */
  getFailAction(id: number): FailAction | undefined {
    return this.#stream(id).failAction;
  }

  /** `clear_route_cache` calls made on the stream. */
  getRouteCacheClears(id: number): number {
    return this.#stream(id).rec.routeCacheClears;
  }

  /** Whether Envoy would pick the stream's route again after the filter (see {@linkcode routeReselected}). */
  getRouteReselected(id: number): boolean {
    return routeReselected(this.#stream(id).rec, this.host.abiVersion);
  }

  /** Request-header changes during the request phase (each makes Envoy re-pick the route). */
  getRequestHeaderMutations(id: number): number {
    return this.#stream(id).rec.requestHeaderMutations;
  }

  /** Http calls made while the stream was being processed. */
  getHttpCalls(id: number): HttpCallRecord[] {
    return [...this.#stream(id).rec.httpCalls];
  }

  /** `set_envoy_filter_state` arguments passed on the stream. */
  getFilterStateCalls(id: number): Uint8Array[] {
    return [...this.#stream(id).rec.filterState];
  }

  /**
   * Http calls waiting for {@linkcode callOnHttpCallResponse}, oldest first, with what was called
   * (proxytest's callout attributes) — also calls a root context made outside any stream, on a tick.
   */
  getPendingHttpCalls(): (HttpCallRecord & { contextId: number })[] {
    return this.host.state.pendingCalls.map((c) => ({ ...c.call, contextId: c.context.id }));
  }

  /** Log lines, optionally only those of one level (see `LogLevel`). */
  getLogs(level?: number): LogEntry[] {
    return this.host.state.logs.filter((l): l is LogEntry =>
      "message" in l && (level === undefined || l.level === level)
    );
  }

  /** Messages of the log lines, optionally of one level. */
  getLogMessages(level?: number): string[] {
    return this.getLogs(level).map((l) => l.message);
  }

  /** Host and VM errors so far (traps, refused configurations, unimplemented calls). */
  getErrors(): string[] {
    return [...this.host.state.errors];
  }

  /** A metric's value (any metric type; proxytest's name), undefined if never defined. */
  getCounterMetric(name: string): number | undefined {
    const m = this.host.state.metric(name);
    return m === undefined ? undefined : Number(m.value);
  }

  /** A metric with its type. */
  getMetric(name: string): Metric | undefined {
    const m = this.host.state.metric(name);
    return m && { ...m };
  }

  /** Fail state of the VM serving `plugin` (default: the options' plugin). */
  getVmFailState(plugin: string = this.pluginName): FailState | undefined {
    return this.host.plugins.get(plugin)?.handle.vm.failState;
  }

  /** The size of the linear memory of the plugin's VM, in bytes (for growth checks). */
  getMemorySize(plugin: string = this.pluginName): number {
    return this.host.plugins.get(plugin)?.handle.vm.memory?.buffer.byteLength ?? 0;
  }

  /** Sets a property (dotted path or segments). */
  setProperty(path: string | string[], value: BytesLike): void {
    this.host.state.setProperty(path, bytes(value));
  }

  /** A property's value as text, undefined when unset. */
  getProperty(path: string | string[]): string | undefined {
    const v = this.host.state.properties.get(Array.isArray(path) ? path.join(".") : path);
    return v && bytesToString(v);
  }

  // --- internals ------------------------------------------------------------------------------

  #stream(id: number): Stream {
    const s = this.#streams.get(id);
    if (!s) throw new RangeError(`Unknown http context id ${id}`);
    return s;
  }

  #skippedStatus(s: Stream): HeadersStatus {
    return s.failAction === "continue" ? "Continue" : "StopAllIterationAndWatermark";
  }

  // Runs a callback with the stream as the host's current one (http calls are recorded on it).
  #run<T>(s: Stream, f: () => T): T {
    const state = this.host.state;
    const previous = state.current;
    state.current = s.rec;
    try {
      return f();
    } finally {
      state.current = previous;
      this.#noteFailure(s);
    }
  }

  #record<T extends HeadersStatus | DataStatus>(s: Stream, status: T): T {
    s.action = status;
    s.continued = s.rec.requestContinued;
    return status;
  }

  // A runtime error applies the fail strategy to the plugin at once (pwhost does it at stream end).
  #noteFailure(s: Stream): void {
    if (!s.context?.vm.isFailed) return;
    s.failAction = this.host.failAction;
    const entry = this.host.plugins.get(s.plugin);
    if (entry && entry.handle.vm === s.context.vm) entry.failed = true;
  }
}
