/**
 * The benchmark in a real Envoy (1.40, the official build, wasm on V8): configurations (a) native
 * routes, (b) a no-op wasm module plus native routes and (c) wasmroute (envoy_bench_config.ts), each
 * its own Envoy with `--concurrency 1` pinned to one CPU, loaded by wrk (wrk.ts) pinned to the other.
 *
 * Per table, the three Envoys run side by side (an idle Envoy costs the others nothing measurable)
 * so that they are measured in the same minutes: routing is checked, each is warmed up, then the
 * saturation runs interleave the configurations round by round (medians taken), then each is loaded
 * at one paced rate below the slowest one's saturation, for latency. Envoy's CPU time (utime + stime
 * of the whole process, /proc/PID/stat) over a run divided by the requests answered gives its CPU
 * per request, which other work on the machine does not inflate the way it lowers requests/s.
 *
 * RSS per worker: the wasmroute Envoy with and without its wasm filter, at one and at two workers;
 * what the filter adds per worker is the growth from the second worker with the filter minus the
 * growth without it.
 *
 * @module
 */
import {
  type BenchEnvoy,
  checkRouting,
  type Configuration,
  CONFIGURATIONS,
  freePort,
  type RoutingCheck,
  startBenchEnvoy,
} from "./envoy_bench_config.ts";
import { envoyBenchTable, type TableShape } from "./envoy_bench_table.ts";
import { baselineWasm, filterWasm } from "./fixtures.ts";
import { median } from "./measure.ts";
import { perfAvailable, type PerfShares, perfShares } from "./perf_profile.ts";
import { rawRequest, runWrk, type WrkResult } from "./wrk.ts";

/** Sizes and durations of the Envoy section. */
export interface EnvoyBenchOptions {
  envoy: string;
  wrk: string;
  tables: { rules: number; shape: TableShape }[];
  /** Distinct requests per table, sent in turn. */
  requests: number;
  warmupSeconds: number;
  /** Length of one saturation run. */
  seconds: number;
  /** Saturation runs per configuration, interleaved; the median is reported. */
  rounds: number;
  /** Connections of a saturation run. */
  connections: number;
  /** Length of the paced run. */
  pacedSeconds: number;
  /** The paced rate, as a share of the slowest configuration's saturation rate. */
  pacedShare: number;
  /** The table (10 rules per hostname) of the RSS-per-worker measure; 0 skips it. */
  memoryRules: number;
  /**
   * Where (c)'s time goes, on the first table: the glue-only configuration measured alongside, and
   * a `perf` profile of each configuration during one more saturation run (when perf works).
   */
  breakdown: boolean;
  /** Envoy's CPU and the load generator's. */
  envoyCpu: number;
  loadCpu: number;
  log?: (msg: string) => void;
}

/** One configuration on one table. */
export interface ConfigurationResult {
  configuration: Configuration;
  routing: RoutingCheck;
  saturation: WrkResult[];
  /** Median over the rounds. */
  perSecond: number;
  /** Envoy's CPU microseconds per request in the saturation runs (median over the rounds). */
  cpuUsPerRequest: number;
  /**
   * The least of the rounds: other work on the machine only ever adds to a run's CPU per request
   * (a neighbour on the CPU or its sibling thrashes caches), so the least is the best estimate of
   * the configuration's own cost; the A/B breakdown compares these.
   */
  minCpuUsPerRequest: number;
  paced: WrkResult;
  pacedCpuUsPerRequest: number;
  /** Envoy's RSS after the runs. */
  rssBytes: number;
  /** A `perf` profile during one more saturation run, with that run's CPU per request. */
  profile?: { shares: PerfShares; cpuUsPerRequest: number };
}

/** One table. */
export interface TableResult {
  rules: number;
  shape: TableShape;
  hostnames: number;
  /** The rate asked for in the paced runs. */
  pacedTarget: number;
  /** (a), (b), (c), and on the breakdown table the glue-only configuration. */
  results: Partial<Record<Configuration, ConfigurationResult>> & Record<Measured, ConfigurationResult>;
}

/** The configurations every table measures. */
type Measured = "native" | "noop" | "wasmroute";

/** RSS of the wasmroute Envoy with and without its wasm filter, at one and two workers. */
export interface MemoryResult {
  rules: number;
  rss: {
    wasm: boolean;
    workers: number;
    bytes: number;
    /** The wasm VMs' linear memories: how many, and how much of them is resident. */
    linearMemories: number;
    linearBytes: number;
  }[];
  /** What the filter adds with one worker (its VMs on the main thread included). */
  oneWorkerBytes: number;
  /** What a second worker adds with the filter beyond what it adds without. */
  perWorkerBytes: number;
}

/** Everything the section measured. */
export interface EnvoyBenchResult {
  envoyVersion: string;
  wrkVersion: string;
  options: Omit<EnvoyBenchOptions, "log" | "envoy" | "wrk">;
  tables: TableResult[];
  memory?: MemoryResult;
  /** The per-stream callbacks each module exports: Envoy enters the module for each, on every request. */
  callbacks: { noop: string[]; wasmroute: string[] };
}

/** The proxy-wasm callbacks Envoy makes per HTTP stream when a module exports them. */
const STREAM_CALLBACKS = [
  "proxy_on_context_create",
  "proxy_on_request_headers",
  "proxy_on_request_body",
  "proxy_on_request_trailers",
  "proxy_on_response_headers",
  "proxy_on_response_body",
  "proxy_on_response_trailers",
  "proxy_on_log",
  "proxy_on_done",
  "proxy_on_delete",
];

function streamCallbacks(wasm: Uint8Array): string[] {
  const exported = new Set(
    WebAssembly.Module.exports(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>)).map((e) => e.name),
  );
  return STREAM_CALLBACKS.filter((name) => exported.has(name));
}

const text = async (cmd: string, args: string[]) => {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
};

/** Envoy's CPU time so far in clock ticks (utime + stime, all threads). `cat`: Deno reads /proc only with --allow-all. */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await text("cat", [`/proc/${pid}/stat`]);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime: fields 14 and 15 of stat(5)
}

async function rssBytes(pid: number): Promise<number> {
  const status = await text("cat", [`/proc/${pid}/status`]);
  return Number(/^VmRSS:\s*(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024;
}

/**
 * The resident part of the wasm VMs' linear memories. V8 reserves each memory with guard pages behind
 * it (GiBs of `---p`), so a memory is the readable-writable mapping right before such a reservation.
 */
async function linearMemories(pid: number): Promise<{ linearMemories: number; linearBytes: number }> {
  const smaps = (await text("cat", [`/proc/${pid}/smaps`])).split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  const kb = (m: string, field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(m)?.[1] ?? 0);
  const perms = (m: string) => m.split(" ")[1];
  let count = 0, bytes = 0;
  for (let i = 0; i + 1 < smaps.length; i++) {
    const next = smaps[i + 1];
    if (perms(smaps[i]) === "rw-p" && perms(next) === "---p" && kb(next, "Size") >= 4 << 20) {
      count++;
      bytes += kb(smaps[i], "Rss") * 1024;
    }
  }
  return { linearMemories: count, linearBytes: bytes };
}

let ticksPerSecond: number | undefined;
async function clockTicks(): Promise<number> {
  return ticksPerSecond ??= Number((await text("getconf", ["CLK_TCK"])).trim()) || 100;
}

/** Pins every thread of `pid` to `cpu`; threads started later inherit it. */
async function pin(pid: number, cpu: number): Promise<void> {
  const out = await new Deno.Command("taskset", {
    args: ["-a", "-p", "-c", String(cpu), String(pid)],
    stdout: "null",
  })
    .output();
  if (!out.success) throw new Error(`taskset could not pin Envoy (pid ${pid}) to CPU ${cpu}`);
}

/** One wrk run against `b`, with Envoy's CPU time per request over it. */
async function loaded(
  b: BenchEnvoy,
  requests: string[],
  o: EnvoyBenchOptions,
  run: { seconds: number; connections: number; delayMs?: number },
): Promise<{ wrk: WrkResult; cpuUs: number }> {
  const before = await cpuTicks(b.envoy.pid);
  const wrk = await runWrk({ wrk: o.wrk, port: b.ports.listener, requests, cpu: o.loadCpu, ...run });
  const ticks = (await cpuTicks(b.envoy.pid)) - before;
  const cpuUs = wrk.requests ? (ticks / await clockTicks()) * 1e6 / wrk.requests : NaN;
  return { wrk, cpuUs };
}

/** Runs the section. */
export async function measureEnvoy(o: EnvoyBenchOptions): Promise<EnvoyBenchResult> {
  const log = o.log ?? (() => {});
  const tables: TableResult[] = [];
  const profile = o.breakdown && await perfAvailable();
  for (const [i, spec] of o.tables.entries()) {
    log(`envoy: ${spec.rules} rules, ${spec.shape}`);
    tables.push(await measureTable(spec, o, i === 0 && o.breakdown, i === 0 && profile));
  }
  const memory = o.memoryRules ? await measureMemory(o) : undefined;
  const { log: _, envoy, wrk, ...options } = o;
  return {
    envoyVersion: /version: \S+\/(\d+\.\d+\.\d+)\//.exec(await text(envoy, ["--version"]))?.[1] ?? "unknown",
    wrkVersion: /^wrk (\S+)/m.exec(await text(wrk, ["--version"]))?.[1] ?? "unknown",
    options,
    tables,
    memory,
    callbacks: {
      noop: streamCallbacks(await baselineWasm()),
      wasmroute: streamCallbacks(await filterWasm()),
    },
  };
}

async function measureTable(
  spec: { rules: number; shape: TableShape },
  o: EnvoyBenchOptions,
  breakdown: boolean,
  profile: boolean,
): Promise<TableResult> {
  const table = await envoyBenchTable(spec.rules, spec.shape, await freePort(), o.requests);
  const requests = table.requests.map((r) => rawRequest(r.headers));
  const envoys: BenchEnvoy[] = [];
  try {
    for (const configuration of [...CONFIGURATIONS, ...(breakdown ? (["glue", "callbacks"] as const) : [])]) {
      const ports = configuration === "wasmroute"
        ? undefined
        : { listener: await freePort(), backend: await freePort() };
      const b = await startBenchEnvoy({ envoy: o.envoy, configuration, table, ports });
      envoys.push(b);
      await pin(b.envoy.pid, o.envoyCpu);
    }
    const routing = await Promise.all(envoys.map((b) => checkRouting(b, table)));
    for (const b of envoys) {
      await loaded(b, requests, o, { seconds: o.warmupSeconds, connections: o.connections });
    }
    const saturation = envoys.map(() => [] as { wrk: WrkResult; cpuUs: number }[]);
    for (let round = 0; round < o.rounds; round++) {
      for (const [i, b] of envoys.entries()) {
        saturation[i].push(await loaded(b, requests, o, { seconds: o.seconds, connections: o.connections }));
      }
    }
    const perSecond = saturation.map((runs) => median(runs.map((r) => r.wrk.perSecond)));
    const pacedTarget = Math.max(100, Math.floor(Math.min(...perSecond) * o.pacedShare / 100) * 100);
    // Each connection pauses 10 ms after each answer: enough connections for the target rate.
    const delayMs = 10;
    const connections = Math.max(1, Math.round(pacedTarget * delayMs / 1000));
    const results = {} as TableResult["results"];
    for (const [i, b] of envoys.entries()) {
      const paced = await loaded(b, requests, o, { seconds: o.pacedSeconds, connections, delayMs });
      results[b.configuration] = {
        configuration: b.configuration,
        routing: routing[i],
        saturation: saturation[i].map((r) => r.wrk),
        perSecond: perSecond[i],
        cpuUsPerRequest: median(saturation[i].map((r) => r.cpuUs)),
        minCpuUsPerRequest: Math.min(...saturation[i].map((r) => r.cpuUs)),
        paced: paced.wrk,
        pacedCpuUsPerRequest: paced.cpuUs,
        rssBytes: await rssBytes(b.envoy.pid),
      };
    }
    if (profile) {
      for (const b of envoys) {
        const { value, shares } = await perfShares(
          b.envoy.pid,
          () => loaded(b, requests, o, { seconds: o.seconds, connections: o.connections }),
        );
        results[b.configuration]!.profile = { shares, cpuUsPerRequest: value.cpuUs };
      }
    }
    return {
      rules: table.rules,
      shape: table.shape,
      hostnames: table.generated.hostnames.length,
      pacedTarget,
      results,
    };
  } finally {
    for (const b of envoys) await b.envoy.close();
  }
}

async function measureMemory(o: EnvoyBenchOptions): Promise<MemoryResult> {
  o.log?.(`envoy: RSS per worker, ${o.memoryRules} rules`);
  const table = await envoyBenchTable(o.memoryRules, "perHost", await freePort(), o.requests);
  const requests = table.requests.map((r) => rawRequest(r.headers));
  const rss: MemoryResult["rss"] = [];
  for (const wasm of [true, false]) {
    for (const workers of [1, 2]) {
      const b = await startBenchEnvoy({
        envoy: o.envoy,
        configuration: "wasmroute",
        withoutWasm: !wasm,
        table,
        concurrency: workers,
      });
      try {
        // Enough connections that every worker serves some (the kernel spreads them over the workers).
        await runWrk({
          wrk: o.wrk,
          port: b.ports.listener,
          requests,
          connections: 16,
          seconds: 1,
          cpu: o.loadCpu,
        });
        rss.push({ wasm, workers, bytes: await rssBytes(b.envoy.pid), ...await linearMemories(b.envoy.pid) });
      } finally {
        await b.envoy.close();
      }
    }
  }
  const at = (wasm: boolean, workers: number) =>
    rss.find((r) => r.wasm === wasm && r.workers === workers)!.bytes;
  return {
    rules: o.memoryRules,
    rss,
    oneWorkerBytes: at(true, 1) - at(false, 1),
    perWorkerBytes: (at(true, 2) - at(true, 1)) - (at(false, 2) - at(false, 1)),
  };
}
