/**
 * 8. Writes at scale: the latency of one-route writes through HTTP with many routes stored, the full
 * compile of the largest table, the incremental compile of one changed route, and the DEFLATE level.
 *
 * The stored tables are the generator's HTTPRoutes of one rule each (ten routes per hostname) under
 * one Gateway (`istio-system/ingress`, stored, so every route is attached and compiled): 10,000 and
 * 100,000 routes are 10,000 and 100,000 rules. The store is filled through `Store.putAll` before the
 * server starts (filling it by POST would take the writes being measured); the server then compiles
 * it at start, as after a restart, and each measured POST replaces one stored route with its backend
 * port changed, from one client, one request at a time.
 *
 * @module
 */
import process from "node:process";
import { deflateRawSync } from "node:zlib";
import { encodeBlob } from "../../policy-server/blob/encode_blob.ts";
import { PACKED_HEADER_SIZE } from "../../policy-server/blob/format.ts";
import { PACK_LEVEL, packBlob } from "../../policy-server/blob/pack_blob.ts";
import { IncrementalCompiler, sha256Hex } from "../../policy-server/compile/mod.ts";
import { buildIr } from "../../policy-server/ir/build_ir.ts";
import type { HTTPRoute, KubeObject, StoredObject } from "../../policy-server/model/types.ts";
import { Store } from "../../policy-server/store/store.ts";
import { generateRoutes } from "./generate_routes.ts";
import { fmt, jsonValue, median, table } from "./measure.ts";
import type { Measure } from "./envoy_bench_report.ts";
import { startServer } from "./servers.ts";

export interface WriteLatencyOptions {
  /** Stored routes (one rule each) the writes are measured at. */
  sizes: number[];
  /** Measured POSTs at each size (after a few unmeasured ones), in the order of `sizes`. */
  posts: number[];
  /** Runs of each in-process measure. */
  runs: number;
}

export interface WriteRun {
  routes: number;
  /** Time from spawning the server to its listening (it compiles every stored route first). */
  startMs?: number;
  /** Client-side milliseconds of each measured POST, in order. */
  latencies: number[];
  failures: number;
  /**
   * Mean milliseconds the server spent compiling per measured POST (IR, encoding, DEFLATE and
   * SHA-256), from its `wasmroute_compile_duration_seconds` histogram before and after them.
   */
  compileMs?: number;
  /** Why the run could not be made (the server did not start), if so. */
  error?: string;
  blobBytes?: number;
}

export interface LevelRow {
  level: number;
  ms: number;
  bytes: number;
}

export interface WriteLatencyResult {
  options: WriteLatencyOptions;
  writes: WriteRun[];
  /** In process, per size: full compile, and the incremental one after one route changed. */
  compiles: {
    routes: number;
    fullMs: number[];
    /** The full compile's stages, each run: IR, encoding, DEFLATE (SHA-256 is the rest). */
    fullStages: { ir: number[]; encode: number[]; pack: number[] };
    /**
     * CPU milliseconds of each full compile (every thread of the process, the collector's too):
     * what the wall time would be on an idle machine.
     */
    fullCpuMs: number[];
    incrementalMs: number[];
    /** The incremental compile's stages: IR, encoding and packing (changed parts and segments only), SHA-256. */
    stages: { ir: number[]; pack: number[]; sha256: number[] };
    rawBytes: number;
    /** The full compile's packed blob (segments compressed apart), and its blob as one DEFLATE stream. */
    packedBytes: number;
    oneStreamBytes: number;
  }[];
  /** DEFLATE levels on the unpacked blob of the smallest size. */
  levels: { routes: number; rawBytes: number; rows: LevelRow[] };
}

/** The stored table: one Gateway and `count` one-rule HTTPRoutes, ten per hostname. */
export function writeTable(count: number): { gateway: KubeObject; routes: HTTPRoute[] } {
  const { routes } = generateRoutes(count, { rulesPerRoute: 1, hostnames: Math.ceil(count / 10), seed: 7 });
  const gateway: KubeObject = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "ingress", namespace: "istio-system" },
    spec: {
      gatewayClassName: "istio",
      listeners: [{
        name: "http",
        port: 80,
        protocol: "HTTP",
        allowedRoutes: { namespaces: { from: "All" } },
      }],
    },
  };
  return { gateway, routes };
}

/** `route` as a client would send it, its backend port changed to `port`. */
function changed(route: HTTPRoute, port: number): HTTPRoute {
  const out = structuredClone(route);
  delete out.metadata.creationTimestamp;
  out.spec.rules![0].backendRefs![0].port = port;
  return out;
}

async function fill(dir: string, objects: KubeObject[]): Promise<void> {
  const store = await Store.open(`${dir}/wasmroute.kv`);
  try {
    // Batches inside one KV atomic operation (1,000 mutations, 800 KB: a route is about 600 B).
    for (let i = 0; i < objects.length; i += 600) {
      await store.putAll(objects.slice(i, i + 600) as unknown as StoredObject[]);
    }
  } finally {
    store.close();
  }
}

async function measureWrites(count: number, posts: number): Promise<WriteRun> {
  const { gateway, routes } = writeTable(count);
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-bench-writes-" });
  await fill(dir, [gateway, ...routes]);
  const t0 = performance.now();
  let server;
  try {
    server = await startServer("policy", { dataDir: dir });
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    // deno-lint-ignore no-control-regex
    const plain = String((error as Error).message).replace(/\x1b\[[0-9;]*m/g, "");
    const first = plain.split("\n").find((l) =>
      /Error/.test(l)
    )?.replace(/^error: (Uncaught \(in promise\) )?/, "") ?? "";
    return { routes: count, latencies: [], failures: 0, error: first.slice(0, 300) };
  }
  const startMs = performance.now() - t0;
  const latencies: number[] = [];
  let failures = 0;
  try {
    const warmup = 3;
    let compiled = { seconds: 0, count: 0 };
    for (let i = 0; i < warmup + posts; i++) {
      if (i === warmup) compiled = await compileSeconds(server.url);
      // Spread over the table, a different route each time.
      const route = routes[Math.floor((i * 7919) % count)];
      const body = JSON.stringify(changed(route, 9000 + i));
      const t = performance.now();
      const res = await fetch(`${server.url}/v1/routes`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await res.arrayBuffer();
      const ms = performance.now() - t;
      if (res.status !== 200 && res.status !== 201) failures++;
      if (i >= warmup) latencies.push(ms);
    }
    const after = await compileSeconds(server.url);
    const compileMs = (after.seconds - compiled.seconds) * 1000 / Math.max(1, after.count - compiled.count);
    const blob = await fetch(`${server.url}/v1/blob`);
    const blobBytes = (await blob.bytes()).length;
    return { routes: count, startMs, latencies, failures, compileMs, blobBytes };
  } finally {
    await server.stop();
  }
}

/** The server's compile histogram: total seconds and compiles so far. */
async function compileSeconds(url: string): Promise<{ seconds: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) =>
    Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m"))?.[1] ?? NaN);
  return {
    seconds: read("wasmroute_compile_duration_seconds_sum"),
    count: read("wasmroute_compile_duration_seconds_count"),
  };
}

async function measureCompiles(count: number, runs: number) {
  const { gateway, routes } = writeTable(count);
  const objects: KubeObject[] = [gateway, ...routes];
  const options = { generation: 1, unseenGateways: "refuse" } as const;
  const fullMs: number[] = [];
  const fullStages = { ir: [] as number[], encode: [] as number[], pack: [] as number[] };
  // At most 3 runs, 1 past 50,000 routes (it takes seconds). compile()'s stages, one by one.
  const fullCpuMs: number[] = [];
  let packedBytes = 0, oneStreamBytes = 0;
  for (let run = 0; run < Math.max(1, Math.min(runs, count > 50_000 ? 1 : 3)); run++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const { table } = buildIr(objects, options);
    const t1 = performance.now();
    const raw = encodeBlob(table);
    const t2 = performance.now();
    const packed = packBlob(raw);
    await sha256Hex(packed);
    const t3 = performance.now();
    packedBytes = packed.length;
    oneStreamBytes = PACKED_HEADER_SIZE + deflateRawSync(raw, { level: PACK_LEVEL }).length;
    fullMs.push(t3 - t0);
    const used = process.cpuUsage(cpu);
    fullCpuMs.push((used.user + used.system) / 1000);
    fullStages.ir.push(t1 - t0);
    fullStages.encode.push(t2 - t1);
    fullStages.pack.push(t3 - t2);
  }
  const compiler = new IncrementalCompiler();
  await compiler.compile(objects, options);
  // As the server does: each change names the set it applies to, which the compiler holds.
  compiler.settle("run 0");
  const incrementalMs: number[] = [];
  const stages = { ir: [] as number[], pack: [] as number[], sha256: [] as number[] };
  let rawBytes = 0;
  for (let run = 0; run < runs; run++) {
    const i = 1 + Math.floor(((run + 0.5) / runs) * routes.length);
    objects[i] = changed(objects[i] as HTTPRoute, 9100 + run);
    objects[i].metadata.creationTimestamp = "2026-01-01T00:00:00Z";
    const t0 = performance.now();
    const ir = compiler.changeIr(
      { base: `run ${run}`, put: [objects[i]], delete: [], objects: () => objects },
      { ...options, generation: 2 + run },
    );
    const t1 = performance.now();
    const packed = compiler.pack(ir).bytes;
    const t2 = performance.now();
    await sha256Hex(packed);
    const t3 = performance.now();
    incrementalMs.push(t3 - t0);
    stages.ir.push(t1 - t0);
    stages.pack.push(t2 - t1);
    stages.sha256.push(t3 - t2);
    compiler.settle(`run ${run + 1}`);
    rawBytes = new DataView(packed.buffer).getUint32(8, true);
  }
  return {
    routes: count,
    fullMs,
    fullStages,
    fullCpuMs,
    incrementalMs,
    stages,
    rawBytes,
    packedBytes,
    oneStreamBytes,
  };
}

function measureLevels(count: number, runs: number): WriteLatencyResult["levels"] {
  const { gateway, routes } = writeTable(count);
  const raw = encodeBlob(
    new IncrementalCompiler().buildIr([gateway, ...routes], { generation: 1, unseenGateways: "refuse" })
      .table,
  );
  const rows: LevelRow[] = [];
  for (let level = 1; level <= 9; level++) {
    const ms: number[] = [];
    let bytes = 0;
    for (let run = 0; run < runs; run++) {
      const t = performance.now();
      bytes = deflateRawSync(raw, { level }).length;
      ms.push(performance.now() - t);
    }
    rows.push({ level, ms: median(ms), bytes });
  }
  return { routes: count, rawBytes: raw.length, rows };
}

export async function measureWriteLatency(
  options: WriteLatencyOptions,
  log: (msg: string) => void = () => {},
): Promise<WriteLatencyResult> {
  const compiles = [];
  for (const size of options.sizes) {
    log(`compile of ${size} routes`);
    compiles.push(await measureCompiles(size, options.runs));
  }
  const levels = measureLevels(options.sizes[0], options.runs);
  const writes: WriteRun[] = [];
  for (const [i, size] of options.sizes.entries()) {
    log(`writes at ${size} routes`);
    writes.push(await measureWrites(size, options.posts[i] ?? options.posts.at(-1)!));
  }
  return { options, writes, compiles, levels };
}

/** The `p`-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Targets of issue 22, item 1. */
export const WRITE_TARGETS = { p50: 30, p99: 150, fullCompileOfLargest: 3000 } as const;

export function renderWriteLatency(r: WriteLatencyResult): string {
  const o = r.options;
  const range = (ms: number[]) => `${fmt(Math.min(...ms), 1)}–${fmt(Math.max(...ms), 1)}`;
  const largest = r.compiles[r.compiles.length - 1];
  return [
    "Tables of one-rule HTTPRoutes (ten per hostname) under one stored Gateway; the store is filled before the",
    "server starts, the server compiles it at start, and each measured POST replaces one stored route (its",
    `backend port changed), one request at a time from one client: ${
      o.sizes.map((n, i) => `${fmt(o.posts[i] ?? o.posts.at(-1)!)} at ${fmt(n)}`).join(", ")
    } measured POSTs after 3`,
    "unmeasured ones (p99 is the nearest rank: the largest but one of 100, the largest of fewer). Latency is the",
    "client's, request sent to answer read. \"compile ms\" is the server's own mean compile time per measured",
    "POST (its `wasmroute_compile_duration_seconds`: IR, encoding, DEFLATE, SHA-256); the rest of a POST is",
    "HTTP, validation, the store's write (the blob's new parts, then objects and meta in one atomic operation)",
    "and the comparison with the current blob's rules.",
    "",
    table([
      "stored routes",
      "server start ms",
      "POSTs ok",
      "failed",
      "p50 ms",
      "p99 ms",
      "max ms",
      "compile ms",
      "blob",
    ], [
      ...r.writes.map((w) =>
        w.error ? [fmt(w.routes), "–", "0", "–", "–", "–", "–", "–", `server did not start: ${w.error}`] : [
          fmt(w.routes),
          fmt(w.startMs!, 0),
          fmt(w.latencies.length - w.failures),
          fmt(w.failures),
          fmt(percentile(w.latencies, 50), 1),
          fmt(percentile(w.latencies, 99), 1),
          fmt(Math.max(...w.latencies), 1),
          w.compileMs === undefined || Number.isNaN(w.compileMs) ? "–" : fmt(w.compileMs, 1),
          `${fmt(w.blobBytes ?? 0)} B`,
        ]
      ),
    ]),
    "",
    `Targets: p50 ≤ ${WRITE_TARGETS.p50} ms and p99 ≤ ${WRITE_TARGETS.p99} ms at each size.`,
    "",
    `In process (median of ${o.runs} runs; the full compile at most 3, 1 past 50,000 routes): \`compile\`'s stages on`,
    "every object, and `IncrementalCompiler.compileChange` of one changed route (each run a different route),",
    'split by stage (the full compile\'s "pack" is DEFLATE and SHA-256).',
    "",
    table(
      [
        "stored routes",
        "full compile ms",
        "its CPU ms",
        "IR / encode / pack",
        "incremental ms",
        "IR",
        `encode and pack (changed parts and segments, level ${PACK_LEVEL})`,
        "SHA-256",
        "unpacked blob",
      ],
      r.compiles.map((c) => [
        fmt(c.routes),
        `${fmt(median(c.fullMs), 0)} (${range(c.fullMs)})`,
        fmt(median(c.fullCpuMs), 0),
        [c.fullStages.ir, c.fullStages.encode, c.fullStages.pack].map((x) => fmt(median(x), 0)).join(" / "),
        fmt(median(c.incrementalMs), 1),
        fmt(median(c.stages.ir), 1),
        fmt(median(c.stages.pack), 1),
        fmt(median(c.stages.sha256), 1),
        `${fmt(c.rawBytes)} B`,
      ]),
    ),
    "",
    `Full compile of ${fmt(largest.routes)} routes: ${
      fmt(median(largest.fullMs), 0)
    } ms (target < ${WRITE_TARGETS.fullCompileOfLargest} ms); ${
      fmt(median(largest.fullCpuMs), 0)
    } ms of CPU.`,
    "",
    "The packed blob's segments, each compressed on its own so that a write compresses again only the",
    'segments it changed (docs/blob-format.md, "Segments"), against the same blob as one DEFLATE stream:',
    "",
    table(
      ["stored routes", "packed in segments", "one stream", "segments cost"],
      r.compiles.map((c) => [
        fmt(c.routes),
        `${fmt(c.packedBytes)} B`,
        `${fmt(c.oneStreamBytes)} B`,
        `${((c.packedBytes / c.oneStreamBytes - 1) * 100).toFixed(1)} %`,
      ]),
    ),
    "",
    `DEFLATE of the unpacked blob of ${fmt(r.levels.routes)} routes (${
      fmt(r.levels.rawBytes)
    } B) by zlib level ` +
    `(node:zlib \`deflateRawSync\`, median of ${o.runs}); the server packs at level ${PACK_LEVEL}:`,
    "",
    table(
      ["level", "ms", "bytes", "vs level 9"],
      r.levels.rows.map((x) => [
        String(x.level),
        fmt(x.ms, 1),
        fmt(x.bytes),
        `${(x.bytes / r.levels.rows[8].bytes).toFixed(2)}×`,
      ]),
    ),
  ].join("\n");
}

const SERVER = "policy server (Deno, loopback)";

/** The section's figures for `docs/benchmarks.json`, each with its target where issue 22 sets one. */
export function writeMeasures(r: WriteLatencyResult): Measure[] {
  const out: Measure[] = [];
  for (const w of r.writes) {
    const ok = !w.error && w.failures === 0;
    for (const [p, target] of [[50, WRITE_TARGETS.p50], [99, WRITE_TARGETS.p99]] as const) {
      const value = ok ? percentile(w.latencies, p) : NaN;
      out.push({
        name: `write through HTTP, one route changed, ${fmt(w.routes)} routes stored: p${p}`,
        value: jsonValue(value),
        unit: "ms",
        target: `<= ${target}`,
        met: ok && value <= target,
        host: SERVER,
      });
    }
  }
  for (const c of r.compiles) {
    const full = median(c.fullMs);
    const largest = c === r.compiles[r.compiles.length - 1];
    out.push({
      name: `full compile of ${fmt(c.routes)} routes`,
      value: jsonValue(full),
      unit: "ms",
      target: largest ? `< ${WRITE_TARGETS.fullCompileOfLargest}` : null,
      met: largest ? full < WRITE_TARGETS.fullCompileOfLargest : null,
      host: SERVER,
    });
    out.push({
      name: `incremental compile of ${fmt(c.routes)} routes, one route changed`,
      value: jsonValue(median(c.incrementalMs)),
      unit: "ms",
      target: null,
      met: null,
      host: SERVER,
    });
  }
  return out;
}

/** The section's lines in the summary, with their targets. */
export function writeSummary(r: WriteLatencyResult): string[] {
  const lines = r.writes.map((w) => {
    if (w.error || w.failures > 0) {
      return `- Writes through HTTP, ${fmt(w.routes)} routes stored: **not met** (${
        w.error ?? `${w.failures} failed`
      }).`;
    }
    const [p50, p99] = [percentile(w.latencies, 50), percentile(w.latencies, 99)];
    return `- Writes through HTTP, ${fmt(w.routes)} routes stored, one route changed per POST: p50 ${
      fmt(p50, 1)
    } ms, ` +
      `p99 ${fmt(p99, 1)} ms (targets ≤ ${WRITE_TARGETS.p50} and ≤ ${WRITE_TARGETS.p99}): ${
        p50 <= WRITE_TARGETS.p50 && p99 <= WRITE_TARGETS.p99 ? "**met**" : "**not met**"
      }.`;
  });
  const largest = r.compiles[r.compiles.length - 1];
  const full = median(largest.fullMs);
  lines.push(
    `- Full compile of ${fmt(largest.routes)} routes: ${fmt(full, 0)} ms (target < ${
      fmt(WRITE_TARGETS.fullCompileOfLargest)
    }): ${full < WRITE_TARGETS.fullCompileOfLargest ? "**met**" : "**not met**"}.`,
  );
  return lines;
}
