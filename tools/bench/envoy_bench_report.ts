/**
 * The Envoy benchmark's report: the Markdown section, the summary lines with the targets of issue 17,
 * and the measures `docs/benchmarks.json` carries. Every number comes from {@linkcode measureEnvoy}'s
 * result; nothing here is measured or assumed.
 *
 * @module
 */
import type { ConfigurationResult, EnvoyBenchResult, MemoryResult, TableResult } from "./envoy_bench.ts";
import { type Configuration, CONFIGURATION_LABELS } from "./envoy_bench_config.ts";
import { tableLabel } from "./envoy_bench_table.ts";
import { fmt, jsonValue, ratio, table } from "./measure.ts";

/** One measure of `docs/benchmarks.json`. */
export interface Measure {
  name: string;
  value: number;
  unit: string;
  /** The target, in words (`>= 0.8`), or null when the measure has none. */
  target: string | null;
  met: boolean | null;
  /** Where it was measured. */
  host: string;
}

/** The targets: (i) ≥ 0.8× native throughput at 10 rules per hostname, (ii) faster than native at 10,000 rules on one hostname, (iii) < 30 MB RSS per worker. */
export const TARGETS = { throughputShare: 0.8, rssPerWorkerBytes: 30_000_000 };

const MiB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const met = (ok: boolean) => ok ? "**met**" : "**not met**";

/** The host label of the Envoy numbers. */
export function envoyHost(r: EnvoyBenchResult): string {
  return `Envoy ${r.envoyVersion} (official build, V8), --concurrency 1`;
}

/** The target checks, each with its verdict. */
export function envoyTargets(r: EnvoyBenchResult) {
  const perHost = r.tables.filter((t) => t.shape === "perHost");
  const oneHost = r.tables.filter((t) => t.shape === "oneHost");
  const largestOneHost = oneHost.length ? oneHost.reduce((a, b) => a.rules >= b.rules ? a : b) : undefined;
  const share = (t: TableResult) => t.results.wasmroute.perSecond / t.results.native.perSecond;
  return {
    throughput: perHost.map((t) => ({ table: t, share: share(t), met: share(t) >= TARGETS.throughputShare })),
    oneHost: largestOneHost && {
      table: largestOneHost,
      speedup: share(largestOneHost),
      met: share(largestOneHost) > 1,
    },
    memory: r.memory && { ...r.memory, met: r.memory.perWorkerBytes < TARGETS.rssPerWorkerBytes },
  };
}

/** The resident linear memory the second worker's VM adds. */
function workerLinearBytes(m: MemoryResult): number {
  const lin = (workers: number) => m.rss.find((x) => x.wasm && x.workers === workers)!.linearBytes;
  return lin(2) - lin(1);
}

/** The summary's lines. */
export function envoySummary(r: EnvoyBenchResult): string[] {
  const t = envoyTargets(r);
  const lines = t.throughput.map(({ table: x, share, met: ok }) =>
    `- Envoy, ${tableLabel(x)}: wasmroute ${fmt(x.results.wasmroute.perSecond)} requests/s, native routes ` +
    `${fmt(x.results.native.perSecond)}: ${ratio(share)} (target ≥ ${TARGETS.throughputShare}×): ${
      met(ok)
    }; ` +
    `by Envoy's CPU per request ${ratio(cpuShare(x))}, the no-op wasm module ${ratio(cpuShare(x, "noop"))}.`
  );
  if (t.oneHost) {
    const x = t.oneHost.table;
    lines.push(
      `- Envoy, ${tableLabel(x)} (the match last in native's list): wasmroute ${
        fmt(x.results.wasmroute.perSecond)
      } requests/s, native ${fmt(x.results.native.perSecond)}: ${ratio(t.oneHost.speedup)} ` +
        `(target: faster): ${met(t.oneHost.met)}; Envoy's CPU per request ${
          fmt(x.results.wasmroute.cpuUsPerRequest, 1)
        } µs vs ${fmt(x.results.native.cpuUsPerRequest, 1)}.`,
    );
  }
  if (t.memory) {
    lines.push(
      `- Envoy, ${fmt(t.memory.rules)} rules: the wasm VM adds ${MiB(t.memory.perWorkerBytes)} ` +
        `(${fmt(t.memory.perWorkerBytes / 1e6, 1)} MB) of RSS per worker (target < 30 MB, 30,000,000 B): ` +
        `${met(t.memory.met)}; of it, the worker VM's linear memory ${MiB(workerLinearBytes(t.memory))} ` +
        `resident; ${MiB(t.memory.oneWorkerBytes)} in all with one worker.`,
    );
  }
  return lines;
}

/** Native's CPU per request over `c`'s: the throughput ratio Envoy's CPU time alone predicts. */
const cpuShare = (t: TableResult, c: "wasmroute" | "noop" = "wasmroute") =>
  t.results.native.cpuUsPerRequest / t.results[c].cpuUsPerRequest;

/** The Markdown section. */
export function renderEnvoy(r: EnvoyBenchResult): string {
  const o = r.options;
  const parts = [
    `**Host: ${envoyHost(r)}.** Each configuration is its own Envoy process, pinned to CPU ${o.envoyCpu} ` +
    `(\`taskset\`); the load comes from wrk ${r.wrkVersion} (Debian) pinned to CPU ${o.loadCpu}, one thread, ` +
    `HTTP/1.1 keep-alive. Istio's gateway listener \`0.0.0.0_P\` is bound directly on loopback (no ` +
    `internal-listener hop), and every upstream cluster (\`outbound|8080||svc-N…\`, one per rule, as ` +
    "istiod makes one per Service) points at a second listener of the same Envoy that answers with a " +
    "`direct_response`: the backend's cost is small and the same in every configuration, and it is " +
    "included in every number below (so ratios understate the differences between configurations).",
    "",
    `- **(a) native routes**: the HTTPRoutes as istiod writes them for a gateway — one virtual host per ` +
    "hostname, one route per match in Gateway API precedence order (`tools/bench/native_routes.ts`, from " +
    "the compiler's own ordering); no wasm.",
    "- **(b) no-op wasm + native routes**: (a) plus a WasmPlugin running the baseline module " +
    "(`tools/bench/testdata/baseline.ts`: reads `:authority` and `:path`, returns Continue).",
    "- **(c) wasmroute**: the filter with the compiled blob as its pluginConfig (ECDS, as istiod " +
    "delivers it), the EnvoyFilter's glue (header_mutation strip, `cluster_header` route), the " +
    "HTTPRoutes attached to a Gateway whose listener port is the bound port; Istio's own routes know " +
    "none of the hostnames.",
    "",
    `Per table the Envoys run side by side (three; five on the breakdown's table); each is checked to route ${
      r.tables[0]?.results.native.routing.sent ?? 0
    } ` +
    `requests to the cluster of the rule they were made for (*routed*), warmed up for ${o.warmupSeconds} s, then ` +
    `loaded to saturation (${o.connections} connections, ${o.rounds} runs of ${o.seconds} s per configuration, ` +
    "interleaved; *req/s* is the median). *CPU µs/req* is Envoy's CPU time (utime + stime of the process, " +
    "`/proc/PID/stat`) over a saturation run divided by the requests answered: unlike requests/s, other " +
    "work on the machine barely moves it. Latency is taken at a paced rate, the same for the three: " +
    `${Math.round(o.pacedShare * 100)} % of the slowest one's saturation rate, for ${o.pacedSeconds} s ` +
    "(Debian's wrk has no fixed-rate mode, wrk2's `-R`: each connection pauses after every answer for an " +
    "exponentially distributed time, 10 ms on average, through wrk's Lua `delay()`; *paced req/s* is the " +
    "rate reached). *RSS* is the process's VmRSS after the runs, with one cluster per rule configured " +
    "(Istio's stats inclusion list keeps per-cluster stats out of it). Each request is one of " +
    `${o.requests} distinct requests (15 headers, a 60-byte path) sent in turn.`,
    "",
    "The machine is shared (see the load averages above): another process on Envoy's CPU lowers its " +
    "requests/s and stretches its latencies, which is why the saturation runs interleave and the table also " +
    "gives Envoy's CPU per request, the steadier figure. The targets are judged on requests/s, as they are " +
    "written; the summary gives the CPU-time ratio beside each.",
    "",
  ];
  for (const shape of ["perHost", "oneHost"] as const) {
    const tables = r.tables.filter((t) => t.shape === shape);
    if (!tables.length) continue;
    parts.push(
      shape === "perHost"
        ? "**10 rules per hostname**: each request for a rule drawn from the whole table."
        : "**All rules on one hostname**: each request for one of the last 10 routes of native's list (its " +
          "worst case: Envoy walks the list to the end).",
      "",
      renderTables(tables),
      "",
    );
  }
  const breakdown = r.tables.find((t) => t.results.glue);
  if (breakdown) parts.push(renderBreakdown(r, breakdown), "");
  if (r.memory) parts.push(renderMemory(r), "");
  return parts.join("\n");
}

function renderTables(tables: TableResult[]): string {
  const rows = tables.flatMap((t) =>
    (["native", "noop", "wasmroute"] as const).map((c) => {
      const x = t.results[c];
      const base = t.results.native;
      return [
        c === "native" ? tableLabel(t) : "",
        CONFIGURATION_LABELS[c],
        `${x.routing.correct}/${x.routing.sent}`,
        fmt(x.perSecond),
        ratio(x.perSecond / base.perSecond),
        fmt(x.cpuUsPerRequest, 1),
        ratio(x.cpuUsPerRequest / base.cpuUsPerRequest),
        `${fmt(x.paced.perSecond)} (${fmt(t.pacedTarget)})`,
        fmt(x.paced.p50Us),
        fmt(x.paced.p99Us),
        MiB(x.rssBytes),
        errors(x),
      ];
    })
  );
  return table(
    [
      "table",
      "configuration",
      "routed",
      "req/s",
      "vs (a)",
      "CPU µs/req",
      "vs (a)",
      "paced req/s (asked)",
      "p50 µs",
      "p99 µs",
      "RSS",
      "errors",
    ],
    rows,
    ["l", "l"],
  );
}

/** Socket errors and non-2xx answers over every run (all should be 0: every request is routed). */
function errors(x: ConfigurationResult): string {
  const runs = [...x.saturation, x.paced];
  return fmt(runs.reduce((n, w) => n + w.errors + w.non2xx, 0));
}

const callbackList = (names: string[]) =>
  `${names.length} (${names.map((n) => `\`${n.replace("proxy_on_", "")}\``).join(", ")})`;

/** Where (c)'s time goes: the A/B configurations' CPU per request, and the perf profiles. */
function renderBreakdown(r: EnvoyBenchResult, t: TableResult): string {
  const order: Configuration[] = ["native", "glue", "noop", "callbacks", "wasmroute"];
  const cpu = (c: Configuration) => t.results[c]!.minCpuUsPerRequest;
  const glue = cpu("glue") - cpu("native");
  const vm = cpu("noop") - cpu("native");
  const callbacks = cpu("callbacks") - cpu("noop");
  const own = cpu("wasmroute") - cpu("callbacks") - glue;
  const profiled = order.every((c) => t.results[c]!.profile);
  const share = (c: Configuration, k: "envoy" | "jit" | "kernel" | "libc" | "other") => {
    const p = t.results[c]!.profile!;
    return fmt(p.shares[k] * p.cpuUsPerRequest, 1);
  };
  const rows = order.map((c) => [
    CONFIGURATION_LABELS[c],
    fmt(cpu(c), 1),
    fmt(cpu(c) - cpu("native"), 1),
    ...(profiled
      ? [
        fmt(t.results[c]!.profile!.cpuUsPerRequest, 1),
        ...(["envoy", "jit", "libc", "kernel", "other"] as const).map((k) => share(c, k)),
      ]
      : []),
  ]);
  const head = [
    "configuration",
    "least CPU µs/req",
    "over (a)",
    ...(profiled ? ["profiled run µs/req", "Envoy C++", "wasm code (JIT)", "libc", "kernel", "other"] : []),
  ];
  const extra = r.callbacks.wasmroute.filter((c) => !r.callbacks.noop.includes(c));
  const profile = profiled
    ? ` In the \`perf\` profiles (\`cpu-clock\` samples of the Envoy process during one more saturation ` +
      "run each, split by where they fell; Envoy's release binary is stripped, so its C++ — the V8 runtime, " +
      "the proxy-wasm host, the HTTP codec and the router — is one column), the module's own compiled code " +
      `takes ${share("wasmroute", "jit")} µs per request in (c) and ${share("noop", "jit")} µs in (b); ` +
      `Envoy's C++ grows from ${share("native", "envoy")} µs in (a) to ${share("noop", "envoy")} in (b) ` +
      `and ${share("wasmroute", "envoy")} in (c).`
    : " (`perf` was not available: no profile.)";
  return [
    `**Where (c)'s time goes** (${tableLabel(t)}; A/B runs on the same CPU, in the same rounds as above; ` +
    "*least CPU µs/req* is the least of a configuration's saturation runs: other work on the machine only " +
    "adds to a run's CPU per request, so the least is the best estimate of the configuration's own cost). " +
    "*(a) + the EnvoyFilter glue* is (a) with wasmroute's header_mutation filter and `cluster_header` route " +
    "and no wasm; *(b) + the filter's 2 more callbacks* runs `tools/bench/testdata/baseline_callbacks.ts`, " +
    `the no-op module also exporting ${extra.map((c) => `\`${c}\``).join(" and ")} (empty), which the ` +
    "filter exports and the no-op module does not: Envoy enters a module for every per-stream callback it " +
    `exports, on every request ((b): ${callbackList(r.callbacks.noop)}; (c): ` +
    `${callbackList(r.callbacks.wasmroute)}).`,
    "",
    table(head, rows, ["l"]),
    "",
    `Of (c)'s ${fmt(cpu("wasmroute") - cpu("native"), 1)} µs per request over (a): the glue ` +
    `${fmt(glue, 1)} µs; running a wasm filter at all (the no-op module's context, callbacks and two ` +
    `header reads: (b) − (a)) ${fmt(vm, 1)} µs; the two more callbacks ${
      fmt(callbacks, 1)
    } µs; wasmroute's ` +
    "own work on top ((c) − the callbacks' row − the glue: reading `destination.port`, deciding, writing " +
    `\`x-wasmroute-cluster\`, Envoy picking the route again) ${
      fmt(own, 1)
    } µs. Differences of a few µs are ` +
    "within the run-to-run noise of a shared machine." + profile,
  ].join("\n");
}

function renderMemory(r: EnvoyBenchResult): string {
  const m = r.memory!;
  const row = (wasm: boolean, workers: number) =>
    m.rss.find((x) => x.wasm === wasm && x.workers === workers)!;
  const at = (wasm: boolean, workers: number) => row(wasm, workers).bytes;
  const linear = (workers: number) => row(true, workers);
  const workerLinear = workerLinearBytes(m);
  const rest = m.perWorkerBytes - workerLinear;
  return [
    `**RSS per worker** (${fmt(m.rules)} rules, 10 per hostname): the wasmroute Envoy (c), and the same ` +
    "with its wasm filter removed from the chain, each at `--concurrency` 1 and 2, VmRSS after 1 s of load " +
    "on 16 connections (the kernel spreads them over the workers). *Linear memories*: the wasm VMs' linear " +
    "memories in `/proc/PID/smaps` (each the read-write mapping before V8's guard reservation), how many and " +
    "how much of them is resident.",
    "",
    table(["", "1 worker", "2 workers", "the second worker adds"], [
      ["(c) wasmroute", MiB(at(true, 1)), MiB(at(true, 2)), MiB(at(true, 2) - at(true, 1))],
      ["(c) without its wasm filter", MiB(at(false, 1)), MiB(at(false, 2)), MiB(at(false, 2) - at(false, 1))],
      ["the wasm filter adds", MiB(m.oneWorkerBytes), MiB(at(true, 2) - at(false, 2)), MiB(m.perWorkerBytes)],
      [
        "(c)'s linear memories",
        `${linear(1).linearMemories}: ${MiB(linear(1).linearBytes)}`,
        `${linear(2).linearMemories}: ${MiB(linear(2).linearBytes)}`,
        `${linear(2).linearMemories - linear(1).linearMemories}: ${MiB(workerLinear)}`,
      ],
    ], ["l"]),
    "",
    "With one worker the filter's cost includes the VMs Envoy keeps on the main thread (the plugin's VM there, " +
    "and the base VM the others are cloned from); *per worker* is what one more worker costs with the filter " +
    `beyond what it costs without: of its ${MiB(m.perWorkerBytes)}, the new VM's linear memory (the blob's ` +
    `decoded tables and the hot table) is ${MiB(workerLinear)} resident, the other ${
      MiB(rest)
    } V8's isolate ` +
    "and heap for it, the module's compiled code and Envoy's per-worker wasm context (and RSS's own noise: " +
    "connection buffers and allocator caches differ from run to run by a few MiB).",
  ].join("\n");
}

/** The measures `docs/benchmarks.json` carries. */
export function envoyMeasures(r: EnvoyBenchResult): Measure[] {
  const host = envoyHost(r);
  const t = envoyTargets(r);
  const out: Measure[] = [];
  const push = (
    name: string,
    value: number,
    unit: string,
    target: string | null = null,
    ok: boolean | null = null,
  ) => out.push({ name, value: jsonValue(value), unit, target, met: ok, host });
  for (const x of t.throughput) {
    push(
      `envoy: wasmroute / native requests/s, ${tableLabel(x.table)}`,
      x.share,
      "ratio",
      `>= ${TARGETS.throughputShare}`,
      x.met,
    );
  }
  if (t.oneHost) {
    push(
      `envoy: wasmroute / native requests/s, ${tableLabel(t.oneHost.table)}`,
      t.oneHost.speedup,
      "ratio",
      "> 1",
      t.oneHost.met,
    );
  }
  if (t.memory) {
    push(
      `envoy: RSS the wasm VM adds per worker, ${fmt(t.memory.rules)} rules`,
      t.memory.perWorkerBytes,
      "bytes",
      `< ${TARGETS.rssPerWorkerBytes}`,
      t.memory.met,
    );
    push(
      `envoy: RSS the wasm filter adds with one worker, ${fmt(t.memory.rules)} rules`,
      t.memory.oneWorkerBytes,
      "bytes",
    );
    push(
      `envoy: resident linear memory of one more worker's VM, ${fmt(t.memory.rules)} rules`,
      workerLinearBytes(t.memory),
      "bytes",
    );
  }
  for (const x of r.tables) {
    for (const c of Object.keys(x.results) as Configuration[]) {
      const v = x.results[c]!;
      const name = `envoy: ${tableLabel(x)}, ${CONFIGURATION_LABELS[c]}`;
      push(`${name}: requests/s at saturation`, v.perSecond, "requests/s");
      push(`${name}: Envoy CPU per request`, v.cpuUsPerRequest, "µs");
      push(`${name}: Envoy CPU per request, least of the runs`, v.minCpuUsPerRequest, "µs");
      push(`${name}: p50 latency at ${fmt(v.paced.perSecond)} requests/s`, v.paced.p50Us, "µs");
      push(`${name}: p99 latency at ${fmt(v.paced.perSecond)} requests/s`, v.paced.p99Us, "µs");
      push(`${name}: RSS`, v.rssBytes, "bytes");
    }
  }
  return out;
}
