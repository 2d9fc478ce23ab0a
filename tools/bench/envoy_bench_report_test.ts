import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import type { ConfigurationResult, EnvoyBenchResult, TableResult } from "./envoy_bench.ts";
import type { Configuration } from "./envoy_bench_config.ts";
import type { TableShape } from "./envoy_bench_table.ts";
import { envoyMeasures, envoySummary, envoyTargets, renderEnvoy } from "./envoy_bench_report.ts";
import type { WrkResult } from "./wrk.ts";

const wrk = (perSecond: number): WrkResult => ({
  requests: perSecond,
  seconds: 1,
  perSecond,
  p50Us: 300,
  p99Us: 900,
  meanUs: 350,
  errors: 0,
  non2xx: 0,
});

const result = (configuration: Configuration, perSecond: number): ConfigurationResult => ({
  configuration,
  routing: { sent: 32, correct: 32, problems: [] },
  saturation: [wrk(perSecond)],
  perSecond,
  cpuUsPerRequest: 1e6 / perSecond,
  minCpuUsPerRequest: 1e6 / perSecond,
  paced: wrk(1000),
  pacedCpuUsPerRequest: 60,
  rssBytes: 100 << 20,
});

const tableOf = (
  rules: number,
  shape: TableShape,
  native: number,
  noop: number,
  wasmroute: number,
): TableResult => ({
  rules,
  shape,
  hostnames: shape === "oneHost" ? 1 : rules / 10,
  pacedTarget: 1000,
  results: {
    native: result("native", native),
    noop: result("noop", noop),
    wasmroute: result("wasmroute", wasmroute),
  },
});

const run = (memoryPerWorker: number): EnvoyBenchResult => ({
  envoyVersion: "1.40.0",
  wrkVersion: "4.1.0",
  options: {
    tables: [],
    requests: 256,
    warmupSeconds: 1,
    seconds: 1,
    rounds: 5,
    connections: 16,
    pacedSeconds: 2,
    pacedShare: 0.3,
    memoryRules: 10_000,
    breakdown: false,
    envoyCpu: 0,
    loadCpu: 1,
  },
  tables: [
    tableOf(10, "perHost", 20_000, 17_000, 15_000),
    tableOf(1_000, "perHost", 15_000, 14_000, 13_000),
    tableOf(10_000, "oneHost", 2_000, 1_900, 13_000),
  ],
  memory: {
    rules: 10_000,
    rss: [true, false].flatMap((wasm) =>
      [1, 2].map((workers) => ({
        wasm,
        workers,
        bytes: (300 << 20) + (wasm ? 40 << 20 : 0) + workers * ((20 << 20) + (wasm ? memoryPerWorker : 0)),
        linearMemories: wasm ? workers + 2 : 0,
        linearBytes: wasm ? (workers + 1) * (21 << 20) : 0,
      }))
    ),
    oneWorkerBytes: (40 << 20) + memoryPerWorker,
    perWorkerBytes: memoryPerWorker,
  },
  callbacks: { noop: ["proxy_on_context_create"], wasmroute: ["proxy_on_context_create", "proxy_on_log"] },
});

Deno.test("envoyTargets() judges each target on the measured numbers", () => {
  const t = envoyTargets(run(29_000_000));
  assertEquals(t.throughput.map((x) => [x.table.rules, x.met]), [[10, false], [1_000, true]]);
  assertEquals(t.oneHost?.met, true);
  assertEquals(t.oneHost?.speedup, 6.5);
  assertEquals(t.memory?.met, true);
  assertEquals(envoyTargets(run(31_000_000)).memory?.met, false);
});

Deno.test("envoySummary() and renderEnvoy() give every figure with its verdict", () => {
  const r = run(31_000_000);
  const summary = envoySummary(r).join("\n");
  assertMatch(
    summary,
    /10 rules, 10 per hostname: wasmroute 15,000 requests\/s, native routes 20,000: 0\.75× .*\*\*not met\*\*/,
  );
  assertMatch(summary, /10,000 rules, one hostname .*: 6\.50× \(target: faster\): \*\*met\*\*/);
  assertMatch(summary, /RSS per worker \(target < 30 MB, 30,000,000 B\): \*\*not met\*\*/);
  const md = renderEnvoy(r);
  for (const label of ["(a) native routes", "(b) no-op wasm + native routes", "(c) wasmroute"]) {
    assert(md.includes(`| ${label} |`), label);
  }
  assert(!md.includes("NaN") && !md.includes("undefined"));
});

Deno.test("envoyMeasures() carries value, unit, target, met and host", () => {
  const measures = envoyMeasures(run(29_000_000));
  assert(measures.length > 20);
  for (const m of measures) assertEquals(m.host, "Envoy 1.40.0 (official build, V8), --concurrency 1");
  const target = measures.filter((m) => m.target !== null);
  assertEquals(target.map((m) => m.met), [false, true, true, true]);
});
