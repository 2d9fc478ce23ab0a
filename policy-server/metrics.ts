/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4) that `GET /metrics` serves. Dependency-free on purpose: the
 * server needs a dozen series, not a client library.
 *
 * {@linkcode createServerMetrics} declares the series the policy server reports; other modules
 * (delivery) take the instruments they need from it, or add their own to the same registry.
 *
 * @example
 * ```ts
 * import { Registry } from "./metrics.ts";
 * const registry = new Registry();
 * const pushes = registry.counter("demo_pushes_total", "Pushes.", ["target"]);
 * pushes.inc({ target: "kubernetes" });
 * if (!registry.render().includes('demo_pushes_total{target="kubernetes"} 1')) throw new Error();
 * ```
 *
 * @module
 */

/** Label values by label name; every declared label must be given. */
export type Labels = Record<string, string>;

/** The text format's content type. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escaped as the text format requires (backslash, quote, newline). */
const escapeValue = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  const parts = names.map((name, i) => `${name}="${escapeValue(values[i])}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** What every instrument shares: a name, help, label names, and one series per label set. */
abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: "counter" | "gauge" | "histogram";
  protected readonly series = new Map<string, { values: string[]; state: S }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    if (!NAME.test(name)) throw new TypeError(`"${name}" is not a valid metric name`);
    for (const l of labelNames) {
      if (!LABEL.test(l) || l === "le") throw new TypeError(`"${l}" is not a valid label name`);
    }
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract initial(): S;

  /** The series of `labels`, created at its initial state on first use. */
  protected at(labels: Labels = {}): S {
    const values = this.labelNames.map((name) => {
      const value = labels[name];
      if (value === undefined) throw new TypeError(`${this.name}: label "${name}" is missing`);
      return String(value);
    });
    if (Object.keys(labels).length !== values.length) {
      throw new TypeError(`${this.name}: takes the labels ${this.labelNames.join(", ") || "(none)"}`);
    }
    const key = JSON.stringify(values);
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, entry = { values, state: this.initial() });
    return entry.state;
  }

  /** Drops every series (for tests). */
  reset(): void {
    this.series.clear();
  }

  /** The `# HELP`, `# TYPE` and sample lines of this metric. */
  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    // A metric without labels has its one series from the start, so scrapers see a 0.
    if (this.labelNames.length === 0 && this.series.size === 0) this.at();
    for (const { values, state } of this.series.values()) lines.push(...this.samples(values, state));
    return lines.join("\n");
  }

  protected abstract samples(values: string[], state: S): string[];
}

/** A value that only goes up (resets to 0 when the process restarts). */
export class Counter extends Metric<{ value: number }> {
  readonly type = "counter";
  protected initial() {
    return { value: 0 };
  }
  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) throw new RangeError(`${this.name}: a counter only goes up`);
    this.at(labels).value += by;
  }
  /** The current value of one series (0 if it was never incremented). */
  get(labels?: Labels): number {
    return this.at(labels).value;
  }
  protected samples(values: string[], state: { value: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(state.value)}`];
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric<{ value: number }> {
  readonly type = "gauge";
  protected initial() {
    return { value: 0 };
  }
  set(value: number, labels?: Labels): void {
    this.at(labels).value = value;
  }
  inc(labels?: Labels, by = 1): void {
    this.at(labels).value += by;
  }
  get(labels?: Labels): number {
    return this.at(labels).value;
  }
  protected samples(values: string[], state: { value: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(state.value)}`];
  }
}

interface HistogramState {
  /** Per bucket, observations ≤ its bound (not cumulative; summed when rendered). */
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram extends Metric<HistogramState> {
  readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    if (buckets.length === 0 || buckets.some((b, i) => i > 0 && b <= buckets[i - 1])) {
      throw new RangeError(`${name}: buckets must be increasing`);
    }
    this.buckets = buckets;
  }
  protected initial(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  observe(value: number, labels?: Labels): void {
    const state = this.at(labels);
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) state.counts[i]++;
    state.sum += value;
    state.count++;
  }
  /** Observes how long `fn` takes, in seconds. */
  async time<T>(fn: () => Promise<T>, labels?: Labels): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.observe((performance.now() - start) / 1000, labels);
    }
  }
  /** Count and sum of one series. */
  get(labels?: Labels): { count: number; sum: number } {
    const { count, sum } = this.at(labels);
    return { count, sum };
  }
  protected samples(values: string[], state: HistogramState) {
    const lines: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += state.counts[i];
      const le = `le="${formatNumber(bound)}"`;
      lines.push(`${this.name}_bucket${labelText(this.labelNames, values, le)} ${cumulative}`);
    });
    lines.push(`${this.name}_bucket${labelText(this.labelNames, values, 'le="+Inf"')} ${state.count}`);
    lines.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatNumber(state.sum)}`);
    lines.push(`${this.name}_count${labelText(this.labelNames, values)} ${state.count}`);
    return lines;
  }
}

/** Prometheus' default buckets, in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Named instruments, rendered together. Names are unique per registry. */
export class Registry {
  readonly #metrics = new Map<string, { render(): string }>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames));
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets: readonly number[] = DEFAULT_BUCKETS,
  ): Histogram {
    return this.#add(new Histogram(name, help, labelNames, buckets));
  }

  /** Every metric in the text exposition format, in registration order. */
  render(): string {
    return [...this.#metrics.values()].map((m) => m.render()).join("\n") + "\n";
  }

  #add<M extends { name: string; render(): string }>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new TypeError(`metric "${metric.name}" is already registered`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}

/** The series the policy server reports (docs/configuration.md lists them). */
export interface ServerMetrics {
  readonly registry: Registry;
  /** `wasmroute_http_requests_total{method,route,status}`; `route` is the matched route pattern. */
  readonly requests: Counter;
  /** `wasmroute_http_request_duration_seconds{method,route}`. */
  readonly requestDuration: Histogram;
  /** `wasmroute_validation_failures_total{reason}`: refused writes, `BadRequest` (400) or `Invalid` (422). */
  readonly validationFailures: Counter;
  /** `wasmroute_compile_duration_seconds`: one observation per compile of the stored objects. */
  readonly compileDuration: Histogram;
  /** `wasmroute_blob_bytes`: size of the current blob. */
  readonly blobBytes: Gauge;
  /** `wasmroute_blob_generation`: generation of the current blob. */
  readonly blobGeneration: Gauge;
  /** `wasmroute_pushes_total{target}`: blobs delivered (Kubernetes apply, GitOps dir, OCI, …). */
  readonly pushes: Counter;
  /** `wasmroute_push_failures_total{target}`: deliveries that failed. */
  readonly pushFailures: Counter;
  /** `wasmroute_auth_failures_total{reason}`: `unauthenticated` (401) or `forbidden` (403). */
  readonly authFailures: Counter;
}

/** Declares the server's series in `registry` (a new one by default). */
export function createServerMetrics(registry: Registry = new Registry()): ServerMetrics {
  return {
    registry,
    requests: registry.counter(
      "wasmroute_http_requests_total",
      "HTTP requests answered, by method, matched route pattern and status code.",
      ["method", "route", "status"],
    ),
    requestDuration: registry.histogram(
      "wasmroute_http_request_duration_seconds",
      "Time to answer an HTTP request, by method and matched route pattern.",
      ["method", "route"],
    ),
    validationFailures: registry.counter(
      "wasmroute_validation_failures_total",
      "Write requests refused because their resources were unreadable (BadRequest) or invalid (Invalid).",
      ["reason"],
    ),
    compileDuration: registry.histogram(
      "wasmroute_compile_duration_seconds",
      "Time to compile every stored object into a rule blob.",
      [],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    blobBytes: registry.gauge("wasmroute_blob_bytes", "Size of the current rule blob in bytes."),
    blobGeneration: registry.gauge("wasmroute_blob_generation", "Generation of the current rule blob."),
    pushes: registry.counter(
      "wasmroute_pushes_total",
      "Rule blobs delivered, by delivery target.",
      ["target"],
    ),
    pushFailures: registry.counter(
      "wasmroute_push_failures_total",
      "Rule blob deliveries that failed, by delivery target.",
      ["target"],
    ),
    authFailures: registry.counter(
      "wasmroute_auth_failures_total",
      "API requests refused: unauthenticated (401) or forbidden (403).",
      ["reason"],
    ),
  };
}
