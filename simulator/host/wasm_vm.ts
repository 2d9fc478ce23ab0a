/**
 * One VM: an instance of the compiled module with its memory, its contexts and its failure state,
 * doing what proxy-wasm-cpp-host's `WasmBase` + `WasmVm` do. A base VM, each canary and each
 * thread-local clone is its own `WasmVm` over the same compiled module.
 *
 * @module
 */

import { createAbiImports, hostFunctionTypes } from "./abi_imports.ts";
import { HostContext } from "./host_context.ts";
import type { HostState } from "./host_state.ts";
import { formatFuncType, type FuncType, parseWasmModule, sameFuncType } from "./parse_wasm_module.ts";
import type { ImportInfo, WasmModuleInfo } from "./parse_wasm_module.ts";
import { AbiVersion, type FailState, type Plugin } from "./types.ts";
import { decodeUtf8Cached, encodeUtf8Cached, headerNameCached } from "./_text.ts";

/** A compiled module and what the host read from it; shared by all VMs of one host. */
export interface CompiledCode {
  module: WebAssembly.Module;
  info: WasmModuleInfo;
  abiVersion: AbiVersion;
}

/**
 * Parses and compiles `code` as cpp-host's `WasmBase::load` does.
 *
 * @returns The compiled code, or the error cpp-host reports.
 */
export function loadCode(code: Uint8Array): CompiledCode | { error: string } {
  const info = parseWasmModule(code);
  if (!info) return { error: "Failed to parse corrupted Wasm module" };
  if (info.abiVersion === AbiVersion.Unknown) return { error: "Missing or unknown Proxy-Wasm ABI version" };
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(code as BufferSource);
  } catch {
    return { error: "Failed to load Wasm bytecode" };
  }
  return { module, info, abiVersion: info.abiVersion };
}

// deno-lint-ignore no-explicit-any
type WasmFn = (...args: any[]) => any;

const word = (n: number): FuncType => ({ params: Array(n).fill("i32"), results: ["i32"] });
const voidFn = (n: number): FuncType => ({ params: Array(n).fill("i32"), results: [] });

// The module functions cpp-host looks up, in its `getFunctions` order (the order of its errors).
const MODULE_FUNCTIONS: [string, FuncType][] = [
  ["proxy_validate_configuration", word(2)],
  ["proxy_on_vm_start", word(2)],
  ["proxy_on_configure", word(2)],
  ["proxy_on_tick", voidFn(1)],
  ["proxy_on_context_create", voidFn(2)],
  ["proxy_on_new_connection", word(1)],
  ["proxy_on_downstream_data", word(3)],
  ["proxy_on_upstream_data", word(3)],
  ["proxy_on_downstream_connection_close", voidFn(2)],
  ["proxy_on_upstream_connection_close", voidFn(2)],
  ["proxy_on_request_body", word(3)],
  ["proxy_on_request_trailers", word(2)],
  ["proxy_on_request_metadata", word(2)],
  ["proxy_on_response_body", word(3)],
  ["proxy_on_response_trailers", word(2)],
  ["proxy_on_response_metadata", word(2)],
  ["proxy_on_http_call_response", voidFn(5)],
  ["proxy_on_grpc_receive", voidFn(3)],
  ["proxy_on_grpc_close", voidFn(3)],
  ["proxy_on_grpc_receive_initial_metadata", voidFn(3)],
  ["proxy_on_grpc_receive_trailing_metadata", voidFn(3)],
  ["proxy_on_queue_ready", voidFn(2)],
  ["proxy_on_done", word(1)],
  ["proxy_on_log", voidFn(1)],
  ["proxy_on_delete", voidFn(1)],
];

/** Module functions the host calls, looked up by name. */
export type ModuleFunctions = Partial<Record<string, WasmFn>>;

// V8 trap messages → the text WAMR (pwhost's engine) gives, so both hosts report the same error.
const TRAP_MESSAGES: [string, string][] = [
  ["unreachable", "unreachable"],
  ["memory access out of bounds", "out of bounds memory access"],
  ["divide by zero", "integer divide by zero"],
  ["remainder by zero", "integer divide by zero"],
  ["divide result unrepresentable", "integer overflow"],
  // V8 does not tell NaN (WAMR: "invalid conversion to integer") from overflow; NaN is the likelier bug.
  ["float unrepresentable in integer range", "invalid conversion to integer"],
  ["null function or function signature mismatch", "indirect call type mismatch"],
  ["null function", "uninitialized element"],
  ["function signature mismatch", "indirect call type mismatch"],
  ["table index is out of bounds", "undefined element"],
  ["operation does not support unaligned accesses", "unaligned atomic"],
  ["Maximum call stack size exceeded", "wasm operand stack overflow"],
];

/** The engine-independent text of a trap (WAMR's wording), or the exception a host function threw. */
export function trapMessage(err: unknown): string {
  if (err instanceof WebAssembly.RuntimeError || err instanceof RangeError) {
    for (const [v8, wamr] of TRAP_MESSAGES) if (err.message === v8) return `Exception: ${wamr}`;
    return `Exception: ${err.message}`;
  }
  const e = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `Exception: host function threw ${e}`;
}

/** A plugin's hold on a VM: its root context lives as long as someone holds the handle. */
export class PluginHandle {
  #refs = 0;

  constructor(readonly vm: WasmVm, readonly plugin: Plugin) {
    vm.retain();
  }

  /** Whether anyone still holds the handle (cpp-host's weak pointer would still lock). */
  get alive(): boolean {
    return this.#refs > 0;
  }

  /** Takes a reference. */
  retain(): this {
    this.#refs++;
    return this;
  }

  /** Drops a reference; the last one shuts the plugin's root context down, as Envoy does. */
  release(): void {
    if (--this.#refs > 0) return;
    this.vm.startShutdown(this.plugin.key);
    this.vm.release();
  }
}

/** See the module doc. */
export class WasmVm {
  readonly contexts: Map<number, HostContext> = new Map();
  /** Root contexts by plugin key. */
  readonly rootContexts: Map<string, HostContext> = new Map();
  /** Root contexts whose `proxy_on_done` returned false at shutdown. */
  readonly pendingDone: Map<string, HostContext> = new Map();
  /** Tick period (ms) by root context id. */
  readonly timerPeriods: Map<number, number> = new Map();
  /** Canary verdicts by plugin key (used on a base VM). */
  readonly canaryCache: Map<string, boolean> = new Map();
  readonly fns: ModuleFunctions = {};
  failState: FailState = "Ok";
  /** Context running in the VM, and the one `proxy_set_effective_context` chose (0: none). */
  current: HostContext | null = null;
  effectiveId = 0;
  /** Set by `proxy_send_local_response`: the running callback's stream stops, whatever it returns. */
  stopNextIteration = false;
  /** True once nothing holds the VM any more (a cpp-host weak pointer would be expired). */
  destroyed = false;
  vmContext!: HostContext;
  memory: WebAssembly.Memory | null = null;
  #instance: WebAssembly.Instance | null = null;
  #nextContextId = 1;
  #refs = 0;
  #afterCall: (() => void)[] = [];
  #failListeners: ((state: FailState) => void)[] = [];
  #buffer: ArrayBufferLike | null = null;
  #u8: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(new ArrayBuffer(0));

  constructor(
    readonly host: HostState,
    readonly code: CompiledCode,
    readonly vmId: string,
    readonly vmConfiguration: Uint8Array,
  ) {}

  /** A new VM over the same compiled module, configuration and id (cpp-host's clone). */
  clone(): WasmVm {
    return new WasmVm(this.host, this.code, this.vmId, this.vmConfiguration);
  }

  get isFailed(): boolean {
    return this.failState !== "Ok";
  }

  get abiVersion(): AbiVersion {
    return this.code.abiVersion;
  }

  /** Marks the VM failed and reports why; cpp-host's `fail`. */
  fail(state: FailState, message: string): void {
    this.host.error(message);
    this.failState = state;
    for (const listener of this.#failListeners) listener(state);
  }

  /** Calls `listener` whenever the VM fails. */
  onFail(listener: (state: FailState) => void): void {
    this.#failListeners.push(listener);
  }

  /** Links, instantiates and starts the VM (`WasmBase::initialize`). */
  initialize(): boolean {
    if (!this.#link()) return false;
    this.vmContext = HostContext.vmContext(this);
    this.#getFunctions();
    this.#startVm();
    return !this.isFailed;
  }

  #link(): boolean {
    const { module, info } = this.code;
    const imports: ImportInfo[] = info.imports ??
      WebAssembly.Module.imports(module).map((i) => ({ ...i, kind: i.kind as ImportInfo["kind"] }));
    const provided = hostFunctionTypes(this.abiVersion);
    const missing: string[] = [];
    const mismatched: string[] = [];
    const extra: Record<string, Record<string, WebAssembly.ImportValue>> = {};
    for (const imp of imports) {
      const name = `${imp.module}.${imp.name}`;
      if (imp.kind === "function") {
        const host = provided.get(name);
        if (!host) missing.push(name);
        else if (imp.type && !sameFuncType(imp.type, host)) {
          mismatched.push(
            `import type mismatch for function ${name}, want: ${
              formatFuncType(imp.type)
            }, but host exports: ${formatFuncType(host)}`,
          );
        }
      } else if (imp.kind === "memory" && imp.limits) {
        (extra[imp.module] ??= {})[imp.name] = new WebAssembly.Memory(imp.limits);
      } else if (imp.kind === "table" && imp.limits) {
        const element = (imp.element === "externref" ? "externref" : "anyfunc") as WebAssembly.TableKind;
        (extra[imp.module] ??= {})[imp.name] = new WebAssembly.Table({ element, ...imp.limits });
      } else {
        missing.push(name);
      }
    }
    const problems = missing.length + mismatched.length;
    if (problems === 1) {
      this.fail(
        "UnableToInitializeCode",
        missing.length
          ? `Failed to load Wasm module due to a missing import: ${missing[0]}`
          : `Failed to load Wasm module due to an ${mismatched[0]}`,
      );
      return false;
    }
    if (problems > 1) {
      // pwhost stops at the first problem; listing all of them saves a rebuild per missing import.
      const parts = missing.length ? [`missing imports: ${missing.join(", ")}`] : [];
      this.fail(
        "UnableToInitializeCode",
        `Failed to load Wasm module due to ${[...parts, ...mismatched].join("; ")}`,
      );
      return false;
    }
    const importObject = createAbiImports(this);
    for (const [mod, values] of Object.entries(extra)) Object.assign(importObject[mod] ??= {}, values);
    try {
      this.#instance = new WebAssembly.Instance(module, importObject);
    } catch {
      this.fail("UnableToInitializeCode", "Failed to create new Wasm instance");
      return false;
    }
    const exported = Object.values(this.#instance.exports).find((e) => e instanceof WebAssembly.Memory);
    const imported = Object.values(extra).flatMap(Object.values).find((e) => e instanceof WebAssembly.Memory);
    this.memory = (exported ?? imported ?? null) as WebAssembly.Memory | null;
    return true;
  }

  #getFunction(name: string, want: FuncType): WasmFn | undefined {
    const fn = this.#instance!.exports[name];
    if (typeof fn !== "function") return undefined;
    const actual = this.code.info.exportTypes?.get(name);
    if (actual && !sameFuncType(actual, want)) {
      this.fail(
        "UnableToInitializeCode",
        `Bad function signature for: ${name}, want: ${formatFuncType(want)}, but the module exports: ${
          formatFuncType(actual)
        }`,
      );
      return undefined;
    }
    return fn as WasmFn;
  }

  #getFunctions(): void {
    const f = this.fns;
    f._initialize = this.#getFunction("_initialize", voidFn(0));
    if (f._initialize) f.main = this.#getFunction("main", word(2));
    else f._start = this.#getFunction("_start", voidFn(0));
    f.malloc = this.#getFunction("malloc", word(1)) ?? this.#getFunction("proxy_on_memory_allocate", word(1));
    if (!f.malloc) this.fail("MissingFunction", "Wasm module is missing malloc function.");
    for (const [name, type] of MODULE_FUNCTIONS) f[name] = this.#getFunction(name, type);
    const headerArgs = this.abiVersion === AbiVersion.V0_1_0 ? 2 : 3;
    f.proxy_on_request_headers = this.#getFunction("proxy_on_request_headers", word(headerArgs));
    f.proxy_on_response_headers = this.#getFunction("proxy_on_response_headers", word(headerArgs));
    if (headerArgs === 3) {
      f.proxy_on_foreign_function = this.#getFunction("proxy_on_foreign_function", voidFn(3));
    }
  }

  #startVm(): void {
    const f = this.fns;
    if (f._initialize) {
      this.call("_initialize", f._initialize, this.vmContext);
      if (f.main) this.call("main", f.main, this.vmContext, 0, 0);
    } else if (f._start) {
      this.call("_start", f._start, this.vmContext);
    }
  }

  /**
   * Calls a module function with `context` current and no effective context, as cpp-host's
   * `SaveRestoreContext`; a trap fails the VM and returns 0.
   *
   * @returns The result as uint32 (0 for void functions).
   */
  call(name: string, fn: WasmFn, context: HostContext, a = 0, b = 0, c = 0, d = 0, e = 0): number {
    const current = this.current;
    const effective = this.effectiveId;
    this.current = context;
    this.effectiveId = 0;
    try {
      return fn(a, b, c, d, e) >>> 0;
    } catch (err) {
      this.fail("RuntimeError", `Function: ${name} failed: ${trapMessage(err)}`);
      return 0;
    } finally {
      this.current = current;
      this.effectiveId = effective;
    }
  }

  /** The context host functions act on: the effective one if set and alive, else the current one. */
  context(): HostContext {
    if (this.effectiveId !== 0) {
      const effective = this.contexts.get(this.effectiveId);
      if (effective) return effective;
    }
    return this.current ?? this.vmContext;
  }

  /** Next free context id; ids are never reused. */
  allocContextId(): number {
    while (this.contexts.has(this.#nextContextId)) this.#nextContextId++;
    return this.#nextContextId++;
  }

  // --- memory -------------------------------------------------------------------------------

  /** The module memory (views re-created only after it grew, when V8 detaches the old buffer). */
  get u8(): Uint8Array {
    this.#sync();
    return this.#u8;
  }

  #sync(): void {
    // Growing memory detaches the old buffer (length 0): reading `memory.buffer` on every access
    // would cost more than most host calls.
    if (this.#u8.length !== 0) return;
    const buffer = this.memory?.buffer;
    if (!buffer || buffer === this.#buffer) return;
    this.#buffer = buffer;
    this.#u8 = new Uint8Array(buffer);
    this.#view = new DataView(buffer);
  }

  /** A view of `size` bytes at `ptr`, or null when out of range (`InvalidMemoryAccess`). */
  getBytes(ptr: number, size: number): Uint8Array | null {
    const u8 = this.u8;
    return ptr + size > u8.length ? null : u8.subarray(ptr, ptr + size);
  }

  /** UTF-8 text of `size` bytes at `ptr`, or null when out of range. */
  getString(ptr: number, size: number): string | null {
    const u8 = this.u8;
    return ptr + size > u8.length ? null : decodeUtf8Cached(u8, ptr, ptr + size);
  }

  /** A header name in module memory, lower-cased (as Envoy's `LowerCaseString`); null when out of range. */
  getHeaderName(ptr: number, size: number): string | null {
    const u8 = this.u8;
    return ptr + size > u8.length ? null : headerNameCached(u8, ptr, ptr + size);
  }

  /** Writes a little-endian uint32; false when out of range. */
  setU32(ptr: number, value: number): boolean {
    this.#sync();
    const dv = this.#view;
    if (ptr + 4 > dv.byteLength) return false;
    dv.setUint32(ptr, value, true);
    return true;
  }

  /** Writes a little-endian uint64; false when out of range. */
  setU64(ptr: number, value: bigint): boolean {
    this.#sync();
    const dv = this.#view;
    if (ptr + 8 > dv.byteLength) return false;
    dv.setBigUint64(ptr, BigInt.asUintN(64, value), true);
    return true;
  }

  /** Writes bytes; false when out of range. */
  setBytes(ptr: number, bytes: Uint8Array): boolean {
    const u8 = this.u8;
    if (ptr + bytes.length > u8.length) return false;
    u8.set(bytes, ptr);
    return true;
  }

  /** Allocates `size` bytes with the module's allocator; 0 on failure (cpp-host's `allocMemory`). */
  allocMemory(size: number): number {
    const malloc = this.fns.malloc;
    if (!malloc) return 0;
    const ptr = this.call("malloc", malloc, this.vmContext, size);
    if (ptr === 0 || ptr + size > this.u8.length) return 0;
    return ptr;
  }

  /** Copies `value` into module memory and writes its pointer and size; false on any failure. */
  copyToPointerSize(value: Uint8Array | string, ptrPtr: number, sizePtr: number): boolean {
    let ptr = 0;
    const bytes = typeof value === "string" ? encodeUtf8Cached(value) : value;
    const size = bytes.length;
    if (size > 0) {
      ptr = this.allocMemory(size);
      if (ptr === 0) return false;
      this.u8.set(bytes, ptr);
    }
    return this.setU32(ptrPtr, ptr) && this.setU32(sizePtr, size);
  }

  // --- lifecycle ------------------------------------------------------------------------------

  /** Runs the actions deferred to the end of the current callback (cpp-host's `DeferAfterCallActions`). */
  afterCall(): void {
    this.stopNextIteration = false;
    while (this.#afterCall.length) this.#afterCall.shift()!();
  }

  /** Creates (or restarts) the root context of `plugin` (`WasmBase::start`); null if vm_start failed. */
  start(plugin: Plugin): HostContext | null {
    const existing = this.rootContexts.get(plugin.key);
    if (existing) {
      existing.onStart(plugin);
      return existing;
    }
    const root = HostContext.rootContext(this, plugin);
    this.rootContexts.set(plugin.key, root);
    return root.onStart(plugin) ? root : null;
  }

  /** Configures a root context (`WasmBase::configure`). */
  configure(root: HostContext, plugin: Plugin): boolean {
    return root.onConfigure(plugin);
  }

  /** Shuts down the root context of one plugin (its last handle went away). */
  startShutdown(pluginKey: string): void {
    const root = this.rootContexts.get(pluginKey);
    if (!root) return;
    if (root.onDone()) {
      root.onDelete();
      root.destroy();
    } else {
      this.pendingDone.set(pluginKey, root);
    }
    this.rootContexts.delete(pluginKey);
  }

  /** `proxy_done`: a root context that deferred its shutdown finishes it now. */
  done(context: HostContext): number {
    const key = context.plugin?.key;
    const root = key === undefined ? undefined : this.pendingDone.get(key);
    if (!root || key === undefined) return 1; // NotFound
    this.pendingDone.delete(key);
    // Deferred, so proxy_on_delete never runs inside the proxy_done call.
    this.#afterCall.push(() => {
      root.onDelete();
      root.destroy();
    });
    return 0;
  }

  /** Takes a reference (a plugin handle now uses this VM). */
  retain(): void {
    this.#refs++;
  }

  /** Drops a reference; the last one destroys the VM, shutting down its root contexts. */
  release(): void {
    if (--this.#refs <= 0) this.destroy();
  }

  /** Destroys the VM if nothing holds it (used when a new VM could not take its first plugin). */
  releaseIfUnused(): void {
    if (this.#refs <= 0) this.destroy();
  }

  /** Shuts every root context down and marks the VM gone. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const key of [...this.rootContexts.keys()]) this.startShutdown(key);
  }

  /** Records a tick period for a root context (`proxy_set_tick_period_milliseconds`). */
  setTimerPeriod(rootContextId: number, periodMs: number): void {
    this.timerPeriods.set(rootContextId, periodMs);
  }
}
