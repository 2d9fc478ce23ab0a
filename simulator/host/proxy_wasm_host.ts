/**
 * The host's lifecycle, as Envoy drives proxy-wasm-cpp-host (and as pwhost reproduces it):
 *
 * ```text
 * configure(plugin)
 *   base VM      load + _initialize, once (cpp-host createWasm)
 *   canary       fresh clone: proxy_on_context_create(root), proxy_on_vm_start, proxy_on_configure
 *                → false: configuration rejected, the active one keeps serving (verdict cached per key)
 *   thread-local one clone shared by all plugins: a root context per plugin key, configured again
 * openStream(plugin)
 *   FAIL_CLOSE/FAIL_OPEN after a runtime error: skipped (503 / pass) until a configuration is accepted
 *   FAIL_RELOAD: the failed VM was dropped from the caches, so a fresh clone serves the stream
 *   stream context (parent = root id): proxy_on_context_create … proxy_on_delete
 * ```
 *
 * A plugin update keeps the thread-local VM, adds a root context for the new configuration and
 * shuts the old one down (`proxy_on_done`, `proxy_on_delete`) once no stream holds it.
 *
 * @module
 */

import { HostContext } from "./host_context.ts";
import { type CallResponse, HostState, type PendingCall } from "./host_state.ts";
import { type CompiledCode, loadCode, PluginHandle, WasmVm } from "./wasm_vm.ts";
import {
  type AbiVersion,
  type FailStrategy,
  type Headers,
  newPlugin,
  newStreamRecord,
  type Plugin,
  type StreamRecord,
} from "./types.ts";
import { stringToBytes } from "./_text.ts";

/** How a host is set up. */
export interface HostOptions {
  /** The module's bytes. */
  code: Uint8Array;
  /** VM configuration (`VM_CONFIGURATION` buffer, `proxy_on_vm_start` size). */
  vmConfiguration?: Uint8Array | string;
  /** VM id (`plugin_vm_id`); pwhost uses "wasmroute-vm". */
  vmId?: string;
  /** What requests get after a runtime error (default FAIL_CLOSE, as a WasmPlugin). */
  failStrategy?: FailStrategy;
  /** Properties by dotted path. */
  properties?: Record<string, string | Uint8Array>;
}

/** A plugin configuration to apply. */
export interface PluginSpec {
  /** Default "wasmroute". */
  name?: string;
  /** Default "". */
  rootId?: string;
  configuration?: Uint8Array | string;
}

/** The outcome of {@linkcode ProxyWasmHost.configure} (pwhost's plugin report). */
export interface ConfigureResult {
  name: string;
  configBytes: number;
  accepted: boolean;
  configureMicros: number;
  /** Errors reported while configuring (load failures, traps, refusals). */
  errors: string[];
}

/** What Envoy does with a request whose filter VM failed. */
export type FailAction = "continue" | "local reply 503";

/** A plugin name and the handle currently serving it (pwhost's `active` and `failed` maps). */
export interface ActivePlugin {
  handle: PluginHandle;
  /** Its VM hit a runtime error; with FAIL_CLOSE/FAIL_OPEN requests skip the filter until reconfigured. */
  failed: boolean;
}

/** Result of {@linkcode ProxyWasmHost.openStream}. */
export type OpenStream =
  | { kind: "stream"; context: HostContext }
  | { kind: "skipped"; vmFailState: "RuntimeError"; failAction: FailAction }
  | { kind: "error"; error: string };

/** See the module doc. */
export class ProxyWasmHost {
  readonly state: HostState = new HostState();
  readonly failStrategy: FailStrategy;
  readonly vmId: string;
  readonly vmConfiguration: Uint8Array;
  /** Plugins by name. */
  readonly plugins: Map<string, ActivePlugin> = new Map();
  #code: Uint8Array;
  #compiled: CompiledCode | { error: string } | undefined;
  #base: WasmVm | null = null;
  #localWasm: WasmVm | null = null;
  #localPlugins = new Map<string, PluginHandle>();

  constructor(options: HostOptions) {
    this.#code = options.code;
    this.failStrategy = options.failStrategy ?? "FAIL_CLOSE";
    this.vmId = options.vmId ?? "wasmroute-vm";
    const vmConfiguration = options.vmConfiguration ?? "";
    this.vmConfiguration = typeof vmConfiguration === "string"
      ? stringToBytes(vmConfiguration)
      : vmConfiguration;
    for (const [path, value] of Object.entries(options.properties ?? {})) this.state.setProperty(path, value);
  }

  /** ABI version of the module, once a configuration passed its canary (pwhost prints it then). */
  get abiVersion(): AbiVersion | undefined {
    return this.#base?.abiVersion;
  }

  /** What a request gets when the filter's VM failed. */
  get failAction(): FailAction {
    return this.failStrategy === "FAIL_OPEN" ? "continue" : "local reply 503";
  }

  /** The thread-local VM serving requests now, if any. */
  get localVm(): WasmVm | null {
    return this.#localWasm && !this.#localWasm.destroyed ? this.#localWasm : null;
  }

  /** Loads and initializes the base VM now (otherwise the first configuration does). */
  startVm(): boolean {
    this.#base ??= this.#createBase();
    return this.#base !== null;
  }

  /**
   * Applies a plugin configuration as a WasmPlugin update does: it replaces the plugin's active
   * configuration only if the canary and the thread-local VM accept it.
   */
  configure(spec: PluginSpec): ConfigureResult {
    const name = spec.name ?? "wasmroute";
    const raw = spec.configuration ?? "";
    const configuration = typeof raw === "string" ? stringToBytes(raw) : raw;
    const plugin = newPlugin(
      name,
      spec.rootId ?? "",
      this.vmId,
      configuration,
      this.failStrategy === "FAIL_OPEN",
    );
    const errorsBefore = this.state.errors.length;
    const t0 = performance.now();
    const base = this.#createWasm(plugin);
    const handle = base ? this.#getOrCreateThreadLocalPlugin(base, plugin) : null;
    const configureMicros = Math.floor((performance.now() - t0) * 1000);
    if (handle) {
      this.#setActive(name, handle);
      this.plugins.get(name)!.failed = false;
    }
    return {
      name,
      configBytes: configuration.length,
      accepted: handle !== null,
      configureMicros,
      errors: this.state.errors.slice(errorsBefore),
    };
  }

  /**
   * Starts a stream for plugin `name` (pwhost's step): honours the fail strategy, reloads a failed
   * VM when FAIL_RELOAD, and creates the stream context (its callbacks are the caller's to run).
   */
  openStream(name: string, rec: StreamRecord = newStreamRecord()): OpenStream {
    const entry = this.plugins.get(name);
    if (!entry) return { kind: "error", error: `no accepted plugin named ${name}` };
    if (entry.failed && this.failStrategy !== "FAIL_RELOAD") {
      return { kind: "skipped", vmFailState: "RuntimeError", failAction: this.failAction };
    }
    const handle = this.#getOrCreateThreadLocalPlugin(this.#base!, entry.handle.plugin);
    if (!handle) return { kind: "error", error: "thread-local plugin unavailable" };
    this.#setActive(name, handle);
    const root = handle.vm.rootContexts.get(handle.plugin.key);
    if (!root) return { kind: "error", error: "no root context" };
    return { kind: "stream", context: HostContext.streamContext(handle.vm, root.id, handle, rec) };
  }

  /**
   * Ends a stream: frees its context and, if its VM failed, applies the fail strategy to the plugin.
   *
   * @returns What Envoy does with requests now that the VM failed, or undefined if it did not.
   */
  closeStream(name: string, context: HostContext): FailAction | undefined {
    context.destroy();
    if (!context.vm.isFailed) return undefined;
    const entry = this.plugins.get(name);
    if (entry) entry.failed = true;
    return this.failAction;
  }

  /** Removes and returns a pending http call (the oldest, or the one with `token`). */
  takePendingCall(token?: number): PendingCall | undefined {
    const calls = this.state.pendingCalls;
    const i = token === undefined ? 0 : calls.findIndex((c) => c.token === token);
    return i < 0 || i >= calls.length ? undefined : calls.splice(i, 1)[0];
  }

  /** Answers an http call: `proxy_on_http_call_response` on the root context that made it. */
  deliverHttpCallResponse(call: PendingCall, response: CallResponse): void {
    this.state.callResponse = response;
    try {
      call.context.onHttpCallResponse(
        call.token,
        response.headers.length,
        response.body.length,
        response.trailers?.length ?? 0,
      );
    } finally {
      this.state.callResponse = null;
    }
  }

  /** Calls `proxy_on_tick` on every root context of the serving VM that set a tick period. */
  tick(): void {
    const vm = this.localVm;
    if (!vm) return;
    for (const root of [...vm.rootContexts.values()]) {
      if ((vm.timerPeriods.get(root.id) ?? 0) > 0) root.onTick();
    }
  }

  /**
   * Replays request headers through fresh stream contexts on the plugin's current VM, as pwhost's
   * timing loop does (no fail-strategy handling, no `proxy_on_log`).
   *
   * @returns Nanoseconds per request, or undefined when the plugin is unknown.
   */
  timeRequests(name: string, headers: Headers, iterations: number): number | undefined {
    const entry = this.plugins.get(name);
    if (!entry) return undefined;
    const { handle } = entry;
    const root = handle.vm.rootContexts.get(handle.plugin.key);
    if (!root) return undefined;
    this.state.current = null;
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) {
      const rec = newStreamRecord();
      rec.requestHeaders = headers.map(([k, v]) => [k, v]);
      const context = HostContext.streamContext(handle.vm, root.id, handle, rec);
      context.onCreate();
      context.onRequestHeaders(headers.length, true);
      context.onDone();
      context.onDelete();
      context.destroy();
    }
    return Math.floor((performance.now() - t0) * 1e6 / Math.max(iterations, 1));
  }

  #setActive(name: string, handle: PluginHandle): void {
    handle.retain();
    const entry = this.plugins.get(name);
    if (!entry) {
      this.plugins.set(name, { handle, failed: false });
      return;
    }
    const old = entry.handle;
    entry.handle = handle;
    old.release();
  }

  #createBase(): WasmVm | null {
    this.#compiled ??= loadCode(this.#code);
    if ("error" in this.#compiled) {
      this.state.error(this.#compiled.error);
      this.state.error("Failed to load Wasm code");
      return null;
    }
    const vm = new WasmVm(this.state, this.#compiled, this.vmId, this.vmConfiguration);
    if (!vm.initialize()) {
      vm.fail("UnableToInitializeCode", "Failed to initialize Wasm code");
      return null;
    }
    return vm;
  }

  // cpp-host's createWasm: the base VM (kept once a configuration passed), then the canary.
  #createWasm(plugin: Plugin): WasmVm | null {
    const base = this.#base ?? this.#createBase();
    if (!base) return null;
    if (!this.#canary(base, plugin)) return null;
    this.#base = base;
    return base;
  }

  #canary(base: WasmVm, plugin: Plugin): boolean {
    const cached = base.canaryCache.get(plugin.key);
    if (cached !== undefined) return cached;
    const vm = base.clone();
    if (!vm.initialize()) {
      vm.fail("UnableToInitializeCode", "Failed to initialize Wasm code");
      return false;
    }
    const root = vm.start(plugin);
    if (!root) {
      vm.fail("StartFailed", "Failed to start base Wasm");
      return false;
    }
    if (!vm.configure(root, plugin)) {
      vm.fail("ConfigureFailed", "Failed to configure base Wasm plugin");
      base.canaryCache.set(plugin.key, false);
      return false;
    }
    // The canary is dropped without shutting its contexts down (cpp-host kills the handle).
    base.canaryCache.set(plugin.key, true);
    return true;
  }

  #getOrCreateThreadLocalPlugin(base: WasmVm, plugin: Plugin): PluginHandle | null {
    const existing = this.#localPlugins.get(plugin.key);
    if (existing?.alive) return existing;
    this.#localPlugins.delete(plugin.key);
    let vm = this.localVm;
    if (!vm) {
      vm = base.clone();
      if (!vm.initialize()) {
        base.fail("UnableToInitializeCode", "Failed to initialize Wasm code");
        vm.releaseIfUnused();
        return null;
      }
      this.#localWasm = vm;
      // A runtime error drops the VM from the cache, so the next stream (FAIL_RELOAD) gets a new one.
      vm.onFail((state) => {
        if (state === "RuntimeError") this.#localWasm = null;
      });
    }
    const root = vm.start(plugin);
    if (!root) {
      base.fail("StartFailed", "Failed to start thread-local Wasm");
      vm.releaseIfUnused();
      return null;
    }
    if (!vm.configure(root, plugin)) {
      base.fail("ConfigureFailed", "Failed to configure thread-local Wasm plugin");
      vm.releaseIfUnused();
      return null;
    }
    const handle = new PluginHandle(vm, plugin);
    this.#localPlugins.set(plugin.key, handle);
    vm.onFail((state) => {
      if (state === "RuntimeError") this.#localPlugins.delete(plugin.key);
    });
    return handle;
  }
}
