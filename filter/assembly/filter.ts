// wasmroute's contexts: the root context owns one decoded rule table (one per plugin
// configuration, so an update creates a new root that serves while the old one drains); the
// stream context asks the core for a decision and applies it through the host.
import {
  addHeader, BufferType, Context, currentTimeNanos, FilterHeadersStatus, freeHostBuffer, getBufferBytes, getHeader, getHeaderBuffer,
  getHeaderPairs, getProperty, HeaderMapType, httpCall, log, logBytes, logEnabled, LogLevel, Metric, MetricType, refreshLogLevel,
  removeHeader, replaceHeader, replaceHeaderBytes, returnedSize, RootContext, sendLocalResponse, setTickPeriod,
} from "./abi/runtime";
import { Action, Backend, decodeBlob, decodeError, restrictToScope, RuleTable, ruleOf } from "./core/blob";
import { BlobFetch, FETCH_TIMEOUT_MS, FETCHED_OTHER, FETCHED_PINNED } from "./core/blob_fetch";
import { configError, PullConfig, readConfig } from "./core/config";
import { decide, resolve } from "./core/decide";
import { Decision, DECISION_REPLY, DECISION_ROUTE } from "./core/decision";
import { rewindOf } from "./core/generation";
import { grown } from "./core/grown";
import { HostOps, OP_ADD, OP_MIRROR, OP_REMOVE, OP_SET, REQUEST } from "./core/host_ops";
import { CLUSTER_HEADER } from "./core/internal_headers";
import { MIRROR_TIMEOUT_MS, mirrorHeaders } from "./core/mirror";
import { hashKey } from "./core/pick";
import { Bytes, HeaderView, RequestView } from "./core/request";
import { RequestContext } from "./core/request_context";
import { responseOps } from "./core/route_ops";

class Metrics {
  requests: Metric = new Metric(MetricType.Counter, "wasmroute.requests_total");
  routed: Metric = new Metric(MetricType.Counter, "wasmroute.routed_total");
  localReplies: Metric = new Metric(MetricType.Counter, "wasmroute.local_replies_total");
  configAccepted: Metric = new Metric(MetricType.Counter, "wasmroute.config_accepted_total");
  configRejected: Metric = new Metric(MetricType.Counter, "wasmroute.config_rejected_total");
  generation: Metric = new Metric(MetricType.Gauge, "wasmroute.table_generation");
  blobRefused: Metric = new Metric(MetricType.Counter, "wasmroute.blob_refused_total");
  blobFetchFailures: Metric = new Metric(MetricType.Counter, "wasmroute.blob_fetch_failures_total");
  /** Hands the request counters to the host (on tick). */
  flush(): void {
    this.requests.flush();
    this.routed.flush();
    this.localReplies.flush();
  }
}

let metrics: Metrics | null = null;
function m(): Metrics {
  let x = metrics;
  if (x === null) {
    x = new Metrics();
    metrics = x;
  }
  return x;
}

/**
 * The table last served for each scope in this VM. A new configuration is a new root context in the
 * same VM; one that names its blob by URL serves this table until its own has been fetched, rather
 * than nothing.
 */
const lastTables = new Map<string, RuleTable>();

/**
 * Carries out the core's host operations in order. A mirror's copy is the request as the operations
 * before it left it, read from the host once for all the mirrors of a list.
 */
function execute(ops: HostOps): void {
  let copy: Array<string[]> | null = null;
  for (let i = 0, n = ops.count; i < n; i++) {
    const kind = unchecked(ops.kinds[i]);
    const map = unchecked(ops.maps[i]) == REQUEST ? HeaderMapType.RequestHeaders : HeaderMapType.ResponseHeaders;
    const name = unchecked(ops.names[i]);
    if (kind == OP_SET) replaceHeader(map, name, unchecked(ops.values[i]));
    else if (kind == OP_ADD) addHeader(map, name, unchecked(ops.values[i]));
    else if (kind == OP_REMOVE) removeHeader(map, name);
    else if (kind == OP_MIRROR) {
      if (copy === null) copy = mirrorHeaders(getHeaderPairs(HeaderMapType.RequestHeaders));
      httpCall(name, copy, "", MIRROR_TIMEOUT_MS);
    }
  }
}

/** Points `out` at a header value the host returned (getHeaderBuffer); passes the buffer on. */
function fetchHeader(ptr: isize, out: Bytes): isize {
  if (ptr >= 0) {
    out.ptr = <usize>ptr;
    out.len = returnedSize;
  }
  return ptr;
}

class HostRequest extends RequestView {
  private root: WasmRouteRoot | null = null;
  private key: u32 = 0;
  private hasKey: bool = false;
  /**
   * Host buffers handed out by headerBytes(), freed by release() (a request holds two: `:authority`
   * and `:path`); and the one peekHeader() holds.
   */
  private held: StaticArray<usize> = new StaticArray<usize>(4);
  private heldCount: i32 = 0;
  private peeked: usize = 0;
  /** Starts a request of `root`'s stream. */
  reset(root: WasmRouteRoot): void {
    this.root = root;
    this.hasKey = false;
  }
  /** Ends the request: the bytes headerBytes() pointed at are gone. */
  release(): void {
    const held = this.held;
    for (let i = 0, n = this.heldCount; i < n; i++) freeHostBuffer(unchecked(held[i]));
    this.heldCount = 0;
    this.unpeek();
  }
  private unpeek(): void {
    freeHostBuffer(this.peeked);
    this.peeked = 0;
  }
  peekHeader(name: ArrayBuffer, out: Bytes): bool {
    this.unpeek();
    const ptr = fetchHeader(getHeaderBuffer(HeaderMapType.RequestHeaders, name), out);
    if (ptr < 0) return false;
    this.peeked = <usize>ptr;
    return true;
  }
  header(name: string): string | null {
    return getHeader(HeaderMapType.RequestHeaders, name);
  }
  headerBytes(name: ArrayBuffer, out: Bytes): bool {
    const ptr = fetchHeader(getHeaderBuffer(HeaderMapType.RequestHeaders, name), out);
    if (ptr <= 0) return ptr == 0;
    if (this.heldCount == this.held.length) this.held = grown<usize>(this.held);
    unchecked(this.held[this.heldCount++] = <usize>ptr);
    return true;
  }
  /** Envoy's `destination.port` attribute: an int64, little-endian. */
  destinationPort(): u32 {
    const v = getProperty("destination\0port");
    if (v === null || v.byteLength != 8) return 0;
    const p = load<u64>(changetype<usize>(v));
    return p > 0 && p <= 65535 ? <u32>p : 0;
  }
  /** Envoy's `destination.address` attribute, a string; kept until the next request's. */
  private address: ArrayBuffer | null = null;
  destinationAddress(out: Bytes): bool {
    const v = getProperty("destination\0address");
    this.address = v;
    if (v === null) return false;
    out.ptr = changetype<usize>(v);
    out.len = v.byteLength;
    return true;
  }
  /** Requests with the same x-request-id get the same key in every host and worker. */
  requestKey(): u32 {
    if (!this.hasKey) {
      const id = getHeader(HeaderMapType.RequestHeaders, "x-request-id");
      this.key = id !== null ? hashKey(id) : this.root!.nextRandom();
      this.hasKey = true;
    }
    return this.key;
  }
}
const hostRequest = new HostRequest();

/** The response's headers, for the core's response header operations. */
class HostResponse extends HeaderView {
  header(name: string): string | null {
    return getHeader(HeaderMapType.ResponseHeaders, name);
  }
}
const hostResponse = new HostResponse();
/** The list the core fills with a response's host operations: one response is handled at a time. */
const responseHostOps = new HostOps();

/**
 * One debug line per decided request, in a fixed form that tools (the simulator, check-routes) read:
 * `wasmroute: decision route=NS/NAME rule=N cluster=CLUSTER status=S` ("-" for none).
 */
function decisionLine(d: Decision, cluster: string): string {
  const a = d.action;
  return "wasmroute: decision route=" + (a !== null ? a.route : "-") + " rule=" +
    (a !== null ? a.rule.toString() : "-") + " cluster=" + cluster + " status=" + d.status.toString();
}

function logReply(d: Decision): void {
  if (logEnabled(LogLevel.Debug)) log(LogLevel.Debug, decisionLine(d, "-"));
}

/**
 * A routed request's line depends on its rule and backend only: it is built once per backend, or,
 * for a DIRECT rule (whose objects resolve() would make afresh each time), once per rule.
 */
function logRouted(d: Decision, table: RuleTable): void {
  if (!logEnabled(LogLevel.Debug)) return;
  if (!d.resolved) {
    const rule = ruleOf(table, d.routeIndex);
    if (!table.directLines.has(rule)) {
      resolve(d, table);
      table.directLines.set(rule, String.UTF8.encode(decisionLine(d, d.backend!.cluster)));
    }
    logBytes(LogLevel.Debug, table.directLines.get(rule));
    return;
  }
  const backend = d.backend!;
  let line = backend.routedLine;
  if (line === null) {
    line = String.UTF8.encode(decisionLine(d, backend.cluster));
    backend.routedLine = line;
  }
  logBytes(LogLevel.Debug, line);
}

/**
 * How often the root context hands request counters to the host, re-reads the log level and (in
 * pull mode) asks the policy server; and how long one (long-poll) pull call may hang.
 */
const TICK_MS: u32 = 1000;
const PULL_TIMEOUT_MS: u32 = 35000;

export class WasmRouteRoot extends RootContext {
  table: RuleTable = new RuleTable();
  /** What the core decides this root's requests with, reused from request to request. */
  readonly context: RequestContext = new RequestContext();
  /** Spreads weighted picks for requests without an x-request-id. */
  private seed: u32 = 0;
  private scope: string = "";
  private pull: PullConfig | null = null;
  /** The ETag of the blob serving, sent as If-None-Match so the server answers only a change. */
  private etag: string = "";
  private pending: u32 = 0;
  /** Delivery by URL: the fetch of the pinned blob. */
  private fetch: BlobFetch | null = null;

  onConfigure(size: u32): bool {
    m();
    refreshLogLevel();
    setTickPeriod(TICK_MS);
    this.seed = <u32>currentTimeNanos() | 1;
    if (size == 0) {
      log(LogLevel.Info, "wasmroute: empty configuration: passing all traffic through");
      return true;
    }
    const config = readConfig(getBufferBytes(BufferType.PluginConfiguration, size));
    if (config === null) return this.refuse(configError);
    this.scope = config.scope;
    this.pull = config.pull;
    const blob = config.blob;
    if (blob !== null && !this.serve(blob, config.blobFrom, <i32>config.blobLength)) return this.refuse(decodeError);
    const pull = config.pull;
    if (pull !== null) {
      log(LogLevel.Info, "wasmroute: pulling rule tables from " + pull.cluster + pull.path);
    }
    const fetch = config.fetch;
    if (fetch !== null) {
      if (lastTables.has(this.scope)) this.table = lastTables.get(this.scope);
      log(LogLevel.Info, "wasmroute: fetching rule table generation " + fetch.version + " from " + fetch.cluster +
        fetch.path + "; serving generation " + this.table.generation.toString() + " until it arrives");
      this.fetch = new BlobFetch(fetch);
      this.fetchBlob();
    }
    return true;
  }

  /** Delivery by URL: asks for the pinned blob when an attempt is due. */
  private fetchBlob(): void {
    const f = this.fetch;
    if (f === null) return;
    const now = currentTimeNanos() / 1000000;
    if (!f.due(now)) return;
    f.pending = httpCall(f.config.cluster, f.headers(), "", FETCH_TIMEOUT_MS);
    if (f.pending == 0) {
      f.notSent(now);
      this.fetchFailed(f, false);
    }
  }

  /** Serves the fetched blob only if it is the pinned one; else keeps the table and tries again later. */
  private fetched(f: BlobFetch, bodySize: u32): void {
    const status = getHeader(HeaderMapType.HttpCallResponseHeaders, ":status");
    const body = bodySize > 0 ? getBufferBytes(BufferType.HttpCallResponseBody, bodySize) : null;
    const verdict = f.answer(status, body, currentTimeNanos() / 1000000);
    if (verdict != FETCHED_PINNED) {
      this.fetchFailed(f, verdict == FETCHED_OTHER);
    } else if (!this.serve(body!, 0, body!.byteLength)) {
      // The pinned bytes themselves fail a check: fetching them again cannot help.
      m().configRejected.increment();
      log(LogLevel.Error, "wasmroute: refused fetched blob: " + decodeError + "; keeping generation " +
        this.table.generation.toString());
    }
  }

  private fetchFailed(f: BlobFetch, otherBytes: bool): void {
    const keeping = "; keeping generation " + this.table.generation.toString() + ", trying again in " +
      f.retryMs.toString() + " ms";
    if (otherBytes) {
      m().blobRefused.increment();
      log(LogLevel.Error, "wasmroute: refused fetched blob: " + f.reason + keeping);
    } else {
      m().blobFetchFailures.increment();
      log(LogLevel.Warn, "wasmroute: blob fetch failed: " + f.reason + keeping);
    }
  }

  /** Refusing lets Envoy's canary reject the configuration; the serving table stays. */
  private refuse(why: string): bool {
    m().configRejected.increment();
    log(LogLevel.Error, "wasmroute: refused configuration: " + why);
    return false;
  }

  /** Why the last pulled blob was refused for its generation ("" if it was not). */
  private rewind: string = "";

  /**
   * Decodes a blob (`length` bytes of `blob` from `from`; -1: all) and, if it is good, serves it from now on. A pulled one (`pulled`) must not take
   * the table back to an older generation: within one root context the serving table is known. (A
   * configuration push makes a new root context, and a refusal there would fail Envoy's VM.)
   */
  private serve(blob: ArrayBuffer, from: u32, length: i32, pulled: bool = false): bool {
    this.rewind = "";
    const table = decodeBlob(blob, from, length);
    if (table === null) return false;
    if (pulled) this.rewind = rewindOf(this.table.generation, table.generation, table.rollback);
    if (this.rewind.length > 0) return false;
    // A sidecar serves the workload of its own namespace: Istio puts it in the node metadata, which
    // Envoy exposes as `xds.node` (1.40 answers NotFound for the older `node`, which is the fallback).
    let ns = getProperty("xds\0node\0metadata\0NAMESPACE");
    if (ns === null) ns = getProperty("node\0metadata\0NAMESPACE");
    restrictToScope(table, this.scope, ns !== null ? String.UTF8.decode(ns) : "");
    this.table = table;
    lastTables.set(this.scope, table);
    m().configAccepted.increment();
    m().generation.record(table.generation);
    log(LogLevel.Info, "wasmroute: serving rule table generation " + table.generation.toString() + " (" +
      table.vhosts.length.toString() + " virtual hosts, " + table.routes.length.toString() + " routes)");
    return true;
  }

  onTick(): void {
    m().flush();
    refreshLogLevel();
    this.poll();
    this.fetchBlob();
  }

  /** Pull mode: one long-poll call at a time; the server answers when the blob changes. */
  private poll(): void {
    const pull = this.pull;
    if (pull === null || this.pending != 0) return;
    const headers: string[][] = [[":method", "GET"], [":path", pull.path], [":authority", pull.authority]];
    if (this.etag.length > 0) headers.push(["if-none-match", this.etag]);
    if (pull.token.length > 0) headers.push(["authorization", "Bearer " + pull.token]);
    this.pending = httpCall(pull.cluster, headers, "", PULL_TIMEOUT_MS);
  }

  /** A pulled blob replaces the table only if it decodes; anything else keeps the last good one. */
  onHttpCallResponse(token: u32, headerCount: u32, bodySize: u32): void {
    const f = this.fetch;
    if (f !== null && f.pending != 0 && token == f.pending) {
      this.fetched(f, bodySize);
      return;
    }
    if (token != this.pending) return;
    this.pending = 0;
    const status = getHeader(HeaderMapType.HttpCallResponseHeaders, ":status");
    // An answer (a new blob, or none before the wait ran out) asks again at once, so a change is
    // always awaited; a failure waits for the next tick.
    if (status == "304") {
      this.poll();
      return;
    }
    if (status != "200") {
      log(LogLevel.Warn, "wasmroute: pull failed (status " + (status !== null ? status : "none") + "); keeping generation " +
        this.table.generation.toString());
      return;
    }
    const etag = getHeader(HeaderMapType.HttpCallResponseHeaders, "etag");
    if (this.serve(getBufferBytes(BufferType.HttpCallResponseBody, bodySize), 0, -1, true)) {
      if (etag !== null) this.etag = etag;
      this.poll();
    } else {
      m().configRejected.increment();
      log(LogLevel.Error, "wasmroute: refused pulled blob: " + (this.rewind.length > 0 ? this.rewind : decodeError) +
        "; keeping generation " + this.table.generation.toString());
      // An older generation is sound in itself: wait for the next change, not the same bytes again.
      if (this.rewind.length > 0 && etag !== null) {
        this.etag = etag;
        this.poll();
      }
    }
  }

  /**
   * Streams come and go with every request: their objects are reused, so that a request allocates
   * nothing the garbage collector must find (the heap then stays at its size after loading).
   */
  private free: Array<WasmRouteStream> = new Array<WasmRouteStream>();
  createContext(contextId: u32): Context {
    if (this.free.length == 0) return new WasmRouteStream(contextId, this);
    const stream = this.free.pop();
    stream.reuse(contextId);
    return stream;
  }
  contextDeleted(context: Context): void {
    if (this.free.length < STREAM_POOL) this.free.push(changetype<WasmRouteStream>(context));
  }

  /** For requests without an x-request-id: a per-root xorshift, seeded from the clock. */
  nextRandom(): u32 {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x;
    return x;
  }
}

/** Stream objects a root keeps for reuse: about the streams one worker has open at once. */
const STREAM_POOL = 1024;

export class WasmRouteStream extends Context {
  /** A routed request's rule and backend, when they have filters: the response has work too. */
  private action: Action | null = null;
  private backend: Backend | null = null;
  /** The request's Origin when the rule's CORS policy allows it. */
  private corsOrigin: string | null = null;

  /** Serves a new stream: nothing of the last one's survives. */
  reuse(contextId: u32): void {
    this.id = contextId;
    this.action = null;
    this.backend = null;
    this.corsOrigin = null;
  }

  onRequestHeaders(headerCount: u32, endOfStream: bool): FilterHeadersStatus {
    const root = changetype<WasmRouteRoot>(this.root);
    m().requests.count();
    hostRequest.reset(root);
    const d = decide(root.table, hostRequest, root.context);
    const status = this.act(d);
    hostRequest.release();
    return status;
  }

  /**
   * Applies a decision. Only the filter may choose a cluster or a rewritten host: the glue strips a
   * client-sent copy of either header (a header_mutation filter first in Envoy's chain), so this only
   * writes them: the cluster header on a routed request (still by replace), the rewritten-host header
   * when a URLRewrite hostname applies, neither on a pass. Envoy chose a route before this filter
   * ran; for an ABI 0.2.1 module it clears the route cache itself when the filter changes request
   * headers, so the decision header picks the route (docs/architecture.md).
   */
  private act(d: Decision): FilterHeadersStatus {
    if (d.kind == DECISION_REPLY) {
      m().localReplies.count();
      logReply(d);
      sendLocalResponse(d.status, "wasmroute_" + d.reason, "", d.headers);
      return FilterHeadersStatus.StopIteration;
    }
    if (d.kind != DECISION_ROUTE) return FilterHeadersStatus.Continue;
    // Most rules have no filters (a DIRECT route is not even resolved): nothing to do now or on the response.
    if (d.resolved && d.action!.hasFilters) {
      execute(d.ops);
      this.action = d.action;
      this.backend = d.backend;
      this.corsOrigin = d.corsOrigin;
    }
    replaceHeaderBytes(HeaderMapType.RequestHeaders, CLUSTER_HEADER, d.clusterPtr, d.clusterLen);
    m().routed.count();
    logRouted(d, changetype<WasmRouteRoot>(this.root).table);
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(headerCount: u32, endOfStream: bool): FilterHeadersStatus {
    const action = this.action;
    if (action === null) return FilterHeadersStatus.Continue;
    const ops = responseHostOps;
    ops.clear();
    responseOps(action.filters, this.backend!.filters, this.corsOrigin, hostResponse, ops);
    execute(ops);
    return FilterHeadersStatus.Continue;
  }
}
