/**
 * State that one Envoy process shares across all its VMs: errors and logs as the host reports them,
 * properties, metrics, shared data, the http calls waiting for an answer, and the stream being
 * processed. pwhost keeps the same things in globals; keeping them in one object lets several hosts
 * live in one JS process.
 *
 * @module
 */

import type { HostContext } from "./host_context.ts";
import type { Headers, HttpCallRecord, LogRecord, MetricType, StreamRecord } from "./types.ts";
import { WasmResult } from "./types.ts";
import { stringToBytes } from "./_text.ts";

/** A metric the filter defined. */
export interface Metric {
  type: MetricType;
  name: string;
  value: bigint;
}

/** An http call waiting for its answer, in the order the calls were made. */
export interface PendingCall {
  token: number;
  /** The root context the answer goes to. */
  context: HostContext;
  /** The stream that was being processed when the call was made (null if none). */
  stream: StreamRecord | null;
  /** What was called: upstream, headers, body, timeout. */
  call: HttpCallRecord;
}

/** The http-call answer being delivered (`proxy_on_http_call_response` is running). */
export interface CallResponse {
  headers: Headers;
  body: Uint8Array;
  trailers: Headers | null;
}

/** A foreign function the host offers through `proxy_call_foreign_function`. */
export type ForeignFunction = (
  host: HostState,
  context: HostContext,
  args: Uint8Array,
) => { status: WasmResult; result?: Uint8Array };

/** Process-wide host state; see the module doc. */
export class HostState {
  /** Host and VM errors, in order (trap messages, refused configurations, unimplemented calls). */
  readonly errors: string[] = [];
  /** Filter logs and out-of-stream actions, in order. */
  readonly logs: LogRecord[] = [];
  /** Node/stream properties by dotted path (the ABI's `\0` separators become dots). */
  readonly properties: Map<string, Uint8Array> = new Map();
  /** Metrics by id (the id is the index, as in pwhost). */
  readonly metrics: Metric[] = [];
  readonly #metricIds = new Map<string, number>();
  /** Shared key-value store, keyed by VM id then key. */
  readonly sharedData: Map<string, Map<string, { value: Uint8Array; cas: number }>> = new Map();
  #nextCas = 1;
  /** Http calls not answered yet, oldest first. */
  readonly pendingCalls: PendingCall[] = [];
  #nextToken = 1;
  /** Set while `proxy_on_http_call_response` runs. */
  callResponse: CallResponse | null = null;
  /** The stream being processed; http calls (made on the root context) are recorded on it. */
  current: StreamRecord | null = null;
  /** Foreign functions by name. */
  readonly foreignFunctions: Map<string, ForeignFunction> = new Map([
    ["clear_route_cache", clearRouteCache],
    ["set_envoy_filter_state", setEnvoyFilterState],
  ]);

  /** Records a host error. */
  error(message: string): void {
    this.errors.push(message);
  }

  /** Sets a property from a dotted path (or segments) and a value. */
  setProperty(path: string | string[], value: string | Uint8Array): void {
    const key = Array.isArray(path) ? path.join(".") : path;
    this.properties.set(key, typeof value === "string" ? stringToBytes(value) : value);
  }

  /** pwhost's `defineMetric`: a name defined again gets its first id, whatever the type. */
  defineMetric(type: MetricType, name: string): number {
    let id = this.#metricIds.get(name);
    if (id === undefined) {
      id = this.metrics.length;
      this.metrics.push({ type, name, value: 0n });
      this.#metricIds.set(name, id);
    }
    return id;
  }

  /** A metric by name. */
  metric(name: string): Metric | undefined {
    const id = this.#metricIds.get(name);
    return id === undefined ? undefined : this.metrics[id];
  }

  /** A fresh http-call token; tokens are unique across all VMs, as in Envoy. */
  nextToken(): number {
    return this.#nextToken++;
  }

  /** cpp-host's shared-data compare-and-swap counter. */
  nextCas(): number {
    const cas = this.#nextCas++;
    if (this.#nextCas > 0xffffffff) this.#nextCas = 1;
    return cas;
  }
}

// Envoy's foreign function that makes the router pick the route again. Like pwhost, it counts on
// the stream of the context that is running (not the effective one).
const clearRouteCache: ForeignFunction = (_host, context) => {
  const rec = context.vm.current?.rec;
  if (rec) rec.routeCacheClears++;
  return { status: WasmResult.Ok };
};

const setEnvoyFilterState: ForeignFunction = (_host, context, args) => {
  const rec = context.vm.current?.rec;
  if (rec) rec.filterState.push(args.slice());
  return { status: WasmResult.Ok };
};
