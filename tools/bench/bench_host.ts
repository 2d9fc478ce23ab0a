/**
 * The lightest way through the in-repo proxy-wasm host (`simulator/host/`) to time a filter: a
 * {@linkcode ProxyWasmHost} configured once (canary + thread-local VM, exactly as Envoy and the
 * emulator do), then loops that call the module's callbacks through the host's own `HostContext`
 * — the same path `ProxyWasmHost.timeRequests` (pwhost's timing loop) takes, minus its per-request
 * allocations. `HostEmulator` is not used on the timed path: every `callOnRequestHeaders` copies and
 * lower-cases the header list and wraps the call in closures, which would be timed too.
 *
 * Per request the harness allocates nothing: requests are prepared once, and the filter's header
 * changes (the `x-wasmroute-cluster` it appends) are undone in place after each call.
 *
 * Log level: the host answers `proxy_get_log_level` with trace, as pwhost does, so a filter that logs
 * each decision at debug level would pay for building and copying that line on every request. Envoy
 * (and Istio's proxies) run wasm at info or above, so by default the benchmark answers info; pass
 * `logLevel: "host"` to keep the host's answer.
 *
 * @module
 */
import { HostContext } from "../../simulator/host/host_context.ts";
import { ProxyWasmHost } from "../../simulator/host/proxy_wasm_host.ts";
import type { PluginHandle } from "../../simulator/host/wasm_vm.ts";
import { type Headers, LogLevel, newStreamRecord, type StreamRecord } from "../../simulator/host/types.ts";
import { decidedCluster } from "../envoy/render_envoy_config.ts";

export interface BenchHostOptions {
  /** The module's bytes. */
  wasm: Uint8Array;
  /** The plugin configuration (for wasmroute: `{"blob": base64, ...}` as Istio passes it). */
  configuration?: string | Uint8Array;
  /** What `proxy_get_log_level` answers: a level (default info), or "host" for the host's own answer. */
  logLevel?: number | "host";
  /** Count and time the module's calls of each host function ({@linkcode BenchHost.calls}); slows every call. */
  countCalls?: boolean;
  /**
   * Host functions answered with Ok and nothing done (e.g. the header writes), to measure how much of
   * a request is the module's own work; such a host does not route, so only time it.
   */
  noOp?: string[];
}

/** A request ready to be replayed without allocating. */
export interface PreparedRequest {
  /** The headers as generated (never handed to the filter). */
  readonly original: Headers;
  /** The list the filter sees; restored to `original` after every call. */
  readonly live: Headers;
}

/** Prepares requests for the timing loops. */
export function prepare(requests: Headers[]): PreparedRequest[] {
  return requests.map((headers) => {
    const original = headers.map(([k, v]) => [k, v] as [string, string]);
    return { original, live: [...original] };
  });
}

// Puts back what the filter changed: appended headers are cut off, replaced or removed ones restored.
function restore(r: PreparedRequest): void {
  const live = r.live, original = r.original;
  const n = original.length;
  // pop() keeps the array's capacity (setting `length` lower can trim it, and the next append would
  // reallocate: a cost of this harness, not of the filter).
  while (live.length > n) live.pop();
  for (let i = 0; i < n; i++) if (live[i] !== original[i]) live[i] = original[i];
}

type Env = Record<string, (...args: number[]) => number | void>;

/**
 * Runs `fn` while `new WebAssembly.Instance` hands modules `env` imports changed by `edit` (which
 * gets a getter for the instance's memory).
 */
function withImports<T>(
  edit: (env: Env, memory: () => WebAssembly.Memory) => Env,
  fn: () => T,
): { result: T } {
  const Original = WebAssembly.Instance;
  function Instance(module: WebAssembly.Module, imports?: WebAssembly.Imports): WebAssembly.Instance {
    // Filled in once the instance exists; the edited imports only read it when called.
    const ref: { memory?: WebAssembly.Memory } = {};
    const env = imports?.env as Env | undefined;
    if (env) imports = { ...imports, env: edit(env, () => ref.memory!) };
    const instance = new Original(module, imports);
    ref.memory = Object.values(instance.exports).find((e) =>
      e instanceof WebAssembly.Memory
    ) as WebAssembly.Memory;
    return instance;
  }
  WebAssembly.Instance = Instance as unknown as typeof WebAssembly.Instance;
  try {
    return { result: fn() };
  } finally {
    WebAssembly.Instance = Original;
  }
}

/** `env` with a `proxy_get_log_level` that answers `level` (if the module imports it). */
function answerLogLevel(level: number, env: Env, memory: () => WebAssembly.Memory, swapped: () => void): Env {
  if (typeof env.proxy_get_log_level !== "function") return env;
  swapped();
  let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  const proxy_get_log_level = (ptr: number) => {
    const buffer = memory().buffer;
    if (view.buffer !== buffer) view = new DataView(buffer);
    if ((ptr >>> 0) + 4 > view.byteLength) return 6; // InvalidMemoryAccess
    view.setUint32(ptr >>> 0, level, true);
    return 0;
  };
  return { ...env, proxy_get_log_level };
}

/** `env` with `names` answering Ok (0) at once. */
function answerOk(env: Env, names: string[]): Env {
  const out = { ...env };
  for (const name of names) if (typeof out[name] === "function") out[name] = () => 0;
  return out;
}

/** Calls of one host function and the milliseconds spent in it. */
export interface CallStats {
  calls: number;
  ms: number;
}

/** `env` with every function counting its calls and timing them into `stats`. */
function countCalls(env: Env, stats: Map<string, CallStats>): Env {
  const out: Env = {};
  for (const [name, f] of Object.entries(env)) {
    out[name] = (...args: number[]) => {
      let s = stats.get(name);
      if (!s) stats.set(name, s = { calls: 0, ms: 0 });
      s.calls++;
      const t0 = performance.now();
      try {
        return f(...args);
      } finally {
        s.ms += performance.now() - t0;
      }
    };
  }
  return out;
}

/** One configured filter in its own host; see the module doc. */
export class BenchHost {
  static readonly PLUGIN = "bench";
  readonly host: ProxyWasmHost;
  /** How long `proxy_on_configure` took (canary and thread-local VM), in ms. */
  readonly configureMs: number;
  #logLevelSwaps = 0;
  /** Calls of each host function by the module and time in it (with `countCalls`), since the last reset. */
  readonly calls: Map<string, CallStats> = new Map();
  readonly #handle: PluginHandle;
  readonly #rootId: number;
  readonly #rec: StreamRecord = newStreamRecord();
  readonly #stream: HostContext;

  constructor(options: BenchHostOptions) {
    this.host = new ProxyWasmHost({ code: options.wasm });
    const configure = () =>
      this.host.configure({ name: BenchHost.PLUGIN, configuration: options.configuration ?? "" });
    const level = options.logLevel ?? LogLevel.Info;
    const edit = (env: Env, memory: () => WebAssembly.Memory) => {
      const answered = level === "host"
        ? env
        : answerLogLevel(level, env, memory, () => this.#logLevelSwaps++);
      const stubbed = options.noOp?.length ? answerOk(answered, options.noOp) : answered;
      return options.countCalls ? countCalls(stubbed, this.calls) : stubbed;
    };
    const t0 = performance.now();
    const { result } = level === "host" && !options.countCalls && !options.noOp?.length
      ? { result: configure() }
      : withImports(edit, configure);
    this.configureMs = performance.now() - t0;
    if (!result.accepted) throw new Error(`the configuration was refused:\n${result.errors.join("\n")}`);
    const entry = this.host.plugins.get(BenchHost.PLUGIN)!;
    this.#handle = entry.handle;
    const root = this.#handle.vm.rootContexts.get(this.#handle.plugin.key);
    if (!root) throw new Error("the plugin has no root context");
    this.#rootId = root.id;
    // One long-lived stream for the headers-only loop.
    this.#stream = HostContext.streamContext(this.#handle.vm, this.#rootId, this.#handle, this.#rec);
    this.#stream.onCreate();
    this.#stream.inRequestPhase = true;
  }

  /** VMs whose `proxy_get_log_level` the benchmark answers (0 with `logLevel: "host"` or no such import). */
  get logLevelPatched(): number {
    return this.#logLevelSwaps;
  }

  /** The serving VM's linear memory, in bytes. */
  memoryBytes(): number {
    return this.#handle.vm.memory?.buffer.byteLength ?? 0;
  }

  /** Host errors so far (traps, refusals). */
  errors(): string[] {
    return [...this.host.state.errors];
  }

  /**
   * One request through a fresh stream (create, request headers, done, log, delete).
   *
   * @returns The cluster the filter chose, the local reply's status, and the stream's action.
   */
  decide(headers: Headers): { cluster?: string; status?: number; action: string } {
    const rec = newStreamRecord();
    rec.requestHeaders = headers.map(([k, v]) => [k, v]);
    const ctx = HostContext.streamContext(this.#handle.vm, this.#rootId, this.#handle, rec);
    ctx.onCreate();
    ctx.inRequestPhase = true;
    const action = ctx.onRequestHeaders(rec.requestHeaders.length, true);
    ctx.onDone();
    ctx.onLog();
    ctx.onDelete();
    ctx.destroy();
    const cluster = decidedCluster(rec.requestHeaders);
    return { cluster, status: rec.localReply?.status, action };
  }

  /**
   * `proxy_on_request_headers` only, `iterations` times on one long-lived stream context, cycling
   * through `requests`.
   *
   * @returns Elapsed milliseconds.
   */
  timeRequestHeaders(requests: PreparedRequest[], iterations: number): number {
    const ctx = this.#stream;
    const rec = this.#rec;
    const n = requests.length;
    let k = 0;
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) {
      const r = requests[k];
      if (++k === n) k = 0;
      rec.requestHeaders = r.live;
      ctx.onRequestHeaders(r.original.length, true);
      restore(r);
    }
    return performance.now() - t0;
  }

  /**
   * A whole stream per request, as Envoy runs one: `proxy_on_context_create`,
   * `proxy_on_request_headers`, `proxy_on_done`, `proxy_on_log`, `proxy_on_delete`.
   *
   * @returns Elapsed milliseconds.
   */
  timeStreams(requests: PreparedRequest[], iterations: number): number {
    const vm = this.#handle.vm, handle = this.#handle, rootId = this.#rootId, rec = this.#rec;
    const n = requests.length;
    let k = 0;
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) {
      const r = requests[k];
      if (++k === n) k = 0;
      rec.requestHeaders = r.live;
      const ctx = HostContext.streamContext(vm, rootId, handle, rec);
      ctx.onCreate();
      ctx.inRequestPhase = true;
      ctx.onRequestHeaders(r.original.length, true);
      ctx.onDone();
      ctx.onLog();
      ctx.onDelete();
      ctx.destroy();
      restore(r);
    }
    return performance.now() - t0;
  }

  /** Ends the long-lived stream. */
  close(): void {
    this.#stream.onDone();
    this.#stream.onDelete();
    this.#stream.destroy();
  }
}
