/**
 * A context in a VM — the VM context (id 0), a root context per plugin, or a stream context per
 * request — with what the host does for it: the callbacks into the module (cpp-host's
 * `ContextBase`, status conversions included) and the host side of each ABI call (pwhost's
 * `HostContext`, which behaves as Envoy's `Context`).
 *
 * @module
 */

import type { PluginHandle, WasmVm } from "./wasm_vm.ts";
import {
  BufferType,
  DATA_STATUS,
  type DataStatus,
  type Headers,
  HEADERS_STATUS,
  type HeadersStatus,
  type HttpCallRecord,
  type LocalReply,
  MapType,
  type Plugin,
  type StreamRecord,
  StreamType,
  WasmResult,
} from "./types.ts";
import { asciiLower, bytesToString, utf8Length } from "./_text.ts";

const CONTINUE: HeadersStatus = "Continue";
const WATERMARK: HeadersStatus = "StopAllIterationAndWatermark";

/** See the module doc. */
export class HostContext {
  /** The stream's record (stream contexts only): what the filter sees and does. */
  rec: StreamRecord | null = null;
  /** Request-header changes count as route-affecting mutations while this is set. */
  inRequestPhase = false;
  /** Plugin whose configuration `PLUGIN_CONFIGURATION` returns (only inside configure callbacks). */
  tempPlugin: Plugin | null = null;
  #created = false;
  #destroyed = false;
  #parent: HostContext;

  private constructor(
    readonly vm: WasmVm,
    readonly id: number,
    readonly parentId: number,
    /** Set for root and stream contexts. */
    readonly plugin: Plugin | null,
    /** Set for stream contexts: keeps the plugin (and its VM) alive while the stream runs. */
    readonly handle: PluginHandle | null,
  ) {
    vm.contexts.set(id, this);
    this.#parent = (parentId ? vm.contexts.get(parentId) : undefined) ?? this;
  }

  /** The VM context (id 0) that runs `_initialize` and `malloc`. */
  static vmContext(vm: WasmVm): HostContext {
    return new HostContext(vm, 0, 0, null, null);
  }

  /** A new root context for `plugin`. */
  static rootContext(vm: WasmVm, plugin: Plugin): HostContext {
    return new HostContext(vm, vm.allocContextId(), 0, plugin, null);
  }

  /** A new stream context under root context `parentId`; holds `handle` until destroyed. */
  static streamContext(vm: WasmVm, parentId: number, handle: PluginHandle, rec: StreamRecord): HostContext {
    const context = new HostContext(vm, vm.allocContextId(), parentId, handle.plugin, handle.retain());
    context.rec = rec;
    return context;
  }

  get isRoot(): boolean {
    return this.parentId === 0;
  }

  /** The root context above this one (itself for roots). */
  root(): HostContext {
    return this.#parent === this ? this : this.#parent.root();
  }

  /** Removes the context from its VM and lets go of its plugin (once). */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.vm.contexts.get(this.id) === this) this.vm.contexts.delete(this.id);
    this.handle?.release();
  }

  // --- callbacks into the module ------------------------------------------------------------

  /** Root start: `proxy_on_context_create(id, 0)` then `proxy_on_vm_start`. */
  onStart(plugin: Plugin): boolean {
    const { vm } = this;
    const f = vm.fns;
    let result = true;
    if (f.proxy_on_context_create) {
      this.tempPlugin = plugin;
      vm.call("proxy_on_context_create", f.proxy_on_context_create, this, this.id, 0);
      this.#created = true;
      this.tempPlugin = null;
    }
    if (f.proxy_on_vm_start) {
      result =
        vm.call("proxy_on_vm_start", f.proxy_on_vm_start, this, this.id, vm.vmConfiguration.length) !== 0;
    }
    vm.afterCall();
    return result;
  }

  /** `proxy_on_configure` with the plugin configuration; true when there is nothing to call. */
  onConfigure(plugin: Plugin): boolean {
    const { vm } = this;
    const f = vm.fns;
    if (vm.isFailed) return true;
    if (!this.#created && f.proxy_on_context_create) {
      vm.call("proxy_on_context_create", f.proxy_on_context_create, this, this.id, 0);
      vm.afterCall();
    }
    this.#created = true;
    if (!f.proxy_on_configure) return true;
    this.tempPlugin = plugin;
    const ok =
      vm.call("proxy_on_configure", f.proxy_on_configure, this, this.id, plugin.configuration.length) !== 0;
    this.tempPlugin = null;
    vm.afterCall();
    return ok;
  }

  /** Stream start: `proxy_on_context_create(id, root id)`. */
  onCreate(): void {
    const { vm } = this;
    const create = vm.fns.proxy_on_context_create;
    if (!vm.isFailed && !this.#created && create) {
      vm.call("proxy_on_context_create", create, this, this.id, this.#parent === this ? 0 : this.#parent.id);
      vm.afterCall();
    }
    this.#created = true;
  }

  /** `proxy_on_request_headers`, converted as cpp-host converts it. */
  onRequestHeaders(headers: number, endOfStream: boolean): HeadersStatus {
    return this.#headers("proxy_on_request_headers", headers, endOfStream);
  }

  /** `proxy_on_response_headers`, converted as cpp-host converts it. */
  onResponseHeaders(headers: number, endOfStream: boolean): HeadersStatus {
    return this.#headers("proxy_on_response_headers", headers, endOfStream);
  }

  #headers(name: string, headers: number, endOfStream: boolean): HeadersStatus {
    const { vm } = this;
    if (vm.isFailed) return this.plugin?.failOpen ? CONTINUE : WATERMARK;
    const f = vm.fns[name];
    if (!f) return CONTINUE;
    const result = vm.call(name, f, this, this.id, headers, endOfStream ? 1 : 0);
    let status: HeadersStatus;
    if (vm.isFailed) status = this.plugin?.failOpen ? CONTINUE : WATERMARK;
    // A local reply stops the stream whatever the filter returns; so do unknown values. ABI 0.2.x
    // StopIteration (pause headers, let the body through) becomes StopAllIterationAndWatermark.
    else if (vm.stopNextIteration || result > 4 || result === 1) status = WATERMARK;
    else status = HEADERS_STATUS[result];
    vm.afterCall();
    return status;
  }

  /** `proxy_on_request_body`, converted as cpp-host converts it. */
  onRequestBody(bodySize: number, endOfStream: boolean): DataStatus {
    return this.#data("proxy_on_request_body", bodySize, endOfStream);
  }

  /** `proxy_on_response_body`, converted as cpp-host converts it. */
  onResponseBody(bodySize: number, endOfStream: boolean): DataStatus {
    return this.#data("proxy_on_response_body", bodySize, endOfStream);
  }

  #data(name: string, size: number, endOfStream: boolean): DataStatus {
    const { vm } = this;
    const failed: DataStatus = this.plugin?.failOpen ? "Continue" : "StopIterationNoBuffer";
    if (vm.isFailed) return failed;
    const f = vm.fns[name];
    if (!f) return "Continue";
    const result = vm.call(name, f, this, this.id, size, endOfStream ? 1 : 0);
    let status: DataStatus;
    if (vm.isFailed) status = failed;
    else if (vm.stopNextIteration || result > 3) status = "StopIterationNoBuffer";
    else status = DATA_STATUS[result];
    vm.afterCall();
    return status;
  }

  /** `proxy_on_http_call_response` (on a root context). */
  onHttpCallResponse(token: number, headers: number, bodySize: number, trailers: number): void {
    const { vm } = this;
    const f = vm.fns.proxy_on_http_call_response;
    if (vm.isFailed || !f) return;
    vm.call("proxy_on_http_call_response", f, this, this.id, token, headers, bodySize, trailers);
    vm.afterCall();
  }

  /** `proxy_on_tick` (on a root context). */
  onTick(): void {
    const { vm } = this;
    const f = vm.fns.proxy_on_tick;
    if (vm.isFailed || !f) return;
    vm.call("proxy_on_tick", f, this, this.id);
    vm.afterCall();
  }

  /** `proxy_on_done`; true when the context may be deleted now. */
  onDone(): boolean {
    const { vm } = this;
    const f = vm.fns.proxy_on_done;
    if (vm.isFailed || !f) return true;
    const done = vm.call("proxy_on_done", f, this, this.id) !== 0;
    vm.afterCall();
    return done;
  }

  /** `proxy_on_log`. */
  onLog(): void {
    const { vm } = this;
    const f = vm.fns.proxy_on_log;
    if (vm.isFailed || !f) return;
    vm.call("proxy_on_log", f, this, this.id);
    vm.afterCall();
  }

  /** `proxy_on_delete` (only if the module saw the context created). */
  onDelete(): void {
    const { vm } = this;
    const f = vm.fns.proxy_on_delete;
    if (!this.#created || vm.isFailed || !f) return;
    vm.call("proxy_on_delete", f, this, this.id);
    vm.afterCall();
  }

  // --- host side of the ABI calls (pwhost's HostContext) --------------------------------------

  /** Records a log line against this context. */
  log(level: number, message: string): number {
    this.vm.host.logs.push({ level, context: this.id, message });
    return WasmResult.Ok;
  }

  /** Reports an ABI call the host (like pwhost) does not implement. */
  unimplemented(): number {
    this.vm.host.error("unimplemented proxy-wasm API");
    return WasmResult.Unimplemented;
  }

  /** A property by dotted path; `plugin_name`, `plugin_root_id` and `plugin_vm_id` are built in. */
  getProperty(path: string): Uint8Array | string | null {
    if (path === "plugin_root_id") return this.plugin?.rootId ?? "";
    if (path === "plugin_name" && this.plugin) return this.plugin.name;
    if (path === "plugin_vm_id") return this.vm.vmId;
    return this.vm.host.properties.get(path) ?? null;
  }

  /** The header map `type` refers to in this context, or null when there is none (BadArgument). */
  map(type: number): Headers | null {
    const response = this.vm.host.callResponse;
    if (type === MapType.HttpCallResponseHeaders) return response ? response.headers : null;
    if (type === MapType.HttpCallResponseTrailers) return response ? response.trailers : null;
    const rec = this.rec;
    if (!rec) return null;
    if (type === MapType.RequestHeaders) return rec.requestHeaders;
    if (type === MapType.ResponseHeaders) return rec.responseHeaders;
    return null;
  }

  #writable(type: number): Headers | null {
    if (type === MapType.HttpCallResponseHeaders || type === MapType.HttpCallResponseTrailers) return null;
    return this.map(type);
  }

  #mutated(type: number): void {
    if (type === MapType.RequestHeaders && this.rec && this.inRequestPhase) this.rec.requestHeaderMutations++;
  }

  // Header names here are lower case: the ABI lowers the module's once (WasmVm.getHeaderName), and
  // every map is stored lower-cased, as Envoy keeps LowerCaseStrings.

  getHeaderMapValue(type: number, key: string): string | number {
    const map = this.map(type);
    if (!map) return WasmResult.BadArgument;
    for (let i = 0; i < map.length; i++) if (map[i][0] === key) return map[i][1];
    return WasmResult.NotFound;
  }

  addHeaderMapValue(type: number, key: string, value: string): number {
    const map = this.#writable(type);
    if (!map) return WasmResult.BadArgument;
    map.push([key, value]);
    this.#mutated(type);
    return WasmResult.Ok;
  }

  /** Sets the first `key` to `value` and drops its duplicates; appends if absent. */
  replaceHeaderMapValue(type: number, key: string, value: string): number {
    const map = this.#writable(type);
    if (!map) return WasmResult.BadArgument;
    let found = false;
    for (let i = 0; i < map.length; i++) {
      if (map[i][0] !== key) continue;
      if (found) map.splice(i--, 1);
      else {
        map[i] = [key, value];
        found = true;
      }
    }
    if (!found) map.push([key, value]);
    this.#mutated(type);
    return WasmResult.Ok;
  }

  /** Removes every `key`; counts as a mutation even when there was none (as pwhost). */
  removeHeaderMapValue(type: number, key: string): number {
    const map = this.#writable(type);
    if (!map) return WasmResult.BadArgument;
    for (let i = map.length - 1; i >= 0; i--) if (map[i][0] === key) map.splice(i, 1);
    this.#mutated(type);
    return WasmResult.Ok;
  }

  /** All pairs; a missing map reads as empty (as pwhost). */
  getHeaderMapPairs(type: number): Headers {
    return this.map(type) ?? [];
  }

  setHeaderMapPairs(type: number, pairs: Headers): number {
    const map = this.#writable(type);
    if (!map) return WasmResult.BadArgument;
    map.length = 0;
    for (const [k, v] of pairs) map.push([asciiLower(k), v]);
    this.#mutated(type);
    return WasmResult.Ok;
  }

  /** pwhost's size: the sum of name and value lengths (not the serialized size). */
  getHeaderMapSize(type: number): number | { status: number } {
    const map = this.map(type);
    if (!map) return { status: WasmResult.BadArgument };
    let n = 0;
    for (const [k, v] of map) n += utf8Length(k) + utf8Length(v);
    return n;
  }

  /** The buffer `type` refers to, or null when unavailable here (NotFound). */
  getBuffer(type: number): Uint8Array | null {
    switch (type) {
      case BufferType.VmConfiguration:
        return this.vm.vmConfiguration;
      case BufferType.PluginConfiguration:
        return this.tempPlugin?.configuration ?? null;
      case BufferType.HttpCallResponseBody:
        return this.vm.host.callResponse?.body ?? null;
      case BufferType.HttpRequestBody:
        return this.rec?.requestBody ?? null;
      case BufferType.HttpResponseBody:
        return this.rec?.responseBody ?? null;
      default:
        return null;
    }
  }

  sendLocalResponse(
    status: number,
    body: Uint8Array,
    headers: Headers,
    grpcStatus: number,
    details: string,
  ): void {
    const reply: LocalReply = {
      status,
      body: bytesToString(body),
      headers: headers.map(([k, v]) => [asciiLower(k), v]),
      details,
      grpcStatus,
    };
    if (this.rec) this.rec.localReply = reply;
    else this.vm.host.logs.push({ localReplyOutsideStream: reply });
  }

  continueStream(type: number): number {
    const rec = this.rec;
    if (!rec) return WasmResult.BadArgument;
    if (type === StreamType.Request) rec.requestContinued = true;
    else if (type === StreamType.Response) rec.responseContinued = true;
    else return WasmResult.BadArgument;
    return WasmResult.Ok;
  }

  /** A clear_route_cache from ABI 0.1.0 (a foreign function in 0.2.x). */
  clearRouteCache(): void {
    if (this.rec) this.rec.routeCacheClears++;
  }

  /**
   * `proxy_http_call` on this (root) context. Envoy refuses a call without `:method`, `:path` and
   * `:authority` (or `host`); the answer comes back to this context later.
   */
  httpCall(
    upstream: string,
    headers: Headers,
    body: Uint8Array,
    timeoutMs: number,
  ): { status: number; token: number } {
    if (timeoutMs < 0) return { status: WasmResult.BadArgument, token: 0 };
    let path = false, method = false, authority = false;
    const lowered: Headers = [];
    for (const [k, v] of headers) {
      const lk = asciiLower(k);
      path ||= lk === ":path";
      method ||= lk === ":method";
      authority ||= lk === ":authority" || lk === "host";
      lowered.push([lk, v]);
    }
    if (!path || !method || !authority) return { status: WasmResult.BadArgument, token: 0 };
    const host = this.vm.host;
    const token = host.nextToken();
    const call: HttpCallRecord = {
      upstream,
      headers: lowered,
      body: bytesToString(body),
      timeoutMs,
      token,
      context: this.id,
    };
    const rec = this.rec ?? host.current;
    if (rec) rec.httpCalls.push(call);
    else host.logs.push({ httpCallOutsideStream: call });
    host.pendingCalls.push({ token, context: this, stream: host.current, call });
    return { status: WasmResult.Ok, token };
  }
}
