/**
 * 1. The filter's hot path: `proxy_on_request_headers` → decision, with the real `filter.wasm` in the
 * in-repo host, against a baseline module that only reads `:authority` and `:path`, for rule tables of
 * growing size.
 *
 * @module
 */
import { BenchHost, prepare, type PreparedRequest } from "./bench_host.ts";
import { referenceHostAvailable, runInReferenceHost } from "../../simulator/host/reference_host.ts";
import { baselineWasm, compiledTable, filterWasm } from "./fixtures.ts";
import { generateRequests, HEADER_COUNT, PATH_BYTES } from "./generate_routes.ts";
import { bytes, type CaseResult, fmt, median, ratio, runInterleaved, table, verdict } from "./measure.ts";

export interface HotPathOptions {
  sizes: number[];
  /** Also time the largest-but-one size in pwhost, if it is there: requests and iterations of each. */
  pwhost?: { requests: number; iterations: number };
  /** Distinct requests cycled through per size. */
  requests: number;
  runs: number;
  minMs: number;
}

export interface HotPathSize {
  rules: number;
  hostnames: number;
  blobBytes: number;
  configureMs: number;
  memoryBytes: number;
  /** Requests whose decision was the intended rule's cluster, of those checked. */
  correct: number;
  checked: number;
  headers: CaseResult;
  /** The same table with the filter's header writes answered by a no-op: its own part (only timed). */
  ownPart: CaseResult;
  stream: CaseResult;
}

export interface HotPathResult {
  options: HotPathOptions;
  baseline: { headers: CaseResult; stream: CaseResult };
  sizes: HotPathSize[];
  /** The largest-but-one size (1,000 in a full run) with the host's own (trace) log level. */
  traceLevel?: { rules: number; headers: CaseResult };
  logLevelPatched: number;
  /** Host-function calls per request (one whole stream), for the filter and the baseline. */
  calls: { rules: number; filter: CallProfile; baseline: CallProfile };
  /** Whole streams in pwhost (Envoy's ABI library), when it is beside the repository. */
  pwhost?: { rules: number; requests: number; iterations: number; filterNs: number; baselineNs: number };
}

/**
 * pwhost's own timing loop (a fresh stream per request: create, request headers, done, delete) over
 * the first requests of the table, for the filter and the baseline in turn on each request (so a
 * slow spell of the machine weighs on both); medians of the per-request figures. Its engine is an
 * interpreter, so wasm work weighs far more than under Envoy's V8.
 */
async function timeInPwhost(
  filter: string,
  baseline: string,
  configuration: string,
  requests: [string, string][][],
  iterations: number,
) {
  const nanos = async (wasm: string, config: string, headers: [string, string][]) => {
    const report = await runInReferenceHost({
      wasm,
      plugins: [{ name: "wasmroute", config }],
      steps: [],
      timing: { plugin: "wasmroute", iterations, requestHeaders: headers },
    }, Deno.cwd());
    if (!report.timing) throw new Error(`pwhost did not time the module: ${JSON.stringify(report.errors)}`);
    return report.timing.nanosPerRequest;
  };
  const filterNs: number[] = [], baselineNs: number[] = [];
  for (const headers of requests) {
    filterNs.push(await nanos(filter, configuration, headers));
    baselineNs.push(await nanos(baseline, "", headers));
  }
  return { filterNs: median(filterNs), baselineNs: median(baselineNs) };
}

/**
 * What the filter writes per routed request (the decision header; client-sent copies are stripped by
 * the glue's header_mutation filter, docs/architecture.md); answered by a no-op to split host time
 * from the filter's.
 */
export const HEADER_WRITES = ["proxy_replace_header_map_value"];

/** Host-function calls of one request (a whole stream), and the share of its time spent in them. */
export interface CallProfile {
  /** Calls per request by function, most called first. */
  calls: Record<string, number>;
  /** Nanoseconds per request in all, and in host functions (timed around each call: indicative only). */
  ns: number;
  hostNs: number;
}

/** Counts and times host-function calls over whole streams, in a host of its own (the timers slow it). */
function profileCalls(
  wasm: Uint8Array,
  configuration: string | undefined,
  requests: PreparedRequest[],
): CallProfile {
  const host = new BenchHost({ wasm, configuration, countCalls: true });
  const iterations = Math.max(2000, requests.length);
  host.timeStreams(requests, iterations); // warm-up
  host.calls.clear();
  const ms = host.timeStreams(requests, iterations);
  host.close();
  const calls: Record<string, number> = {};
  let hostMs = 0;
  for (const [name, s] of [...host.calls].sort((a, b) => b[1].calls - a[1].calls)) {
    calls[name] = s.calls / iterations;
    hostMs += s.ms;
  }
  return { calls, ns: (ms * 1e6) / iterations, hostNs: (hostMs * 1e6) / iterations };
}

export async function measureHotPath(options: HotPathOptions): Promise<HotPathResult> {
  const filter = await filterWasm();
  const baselineHost = new BenchHost({ wasm: await baselineWasm() });
  const sizes: Omit<HotPathSize, "headers" | "ownPart" | "stream">[] = [];
  const cases: { name: string; fn: (n: number) => number }[] = [];
  const hosts: BenchHost[] = [baselineHost];
  let baselineRequests;
  let logLevelPatched = 0;
  for (const rules of options.sizes) {
    const compiled = await compiledTable(rules);
    const host = new BenchHost({ wasm: filter, configuration: compiled.pluginConfig });
    hosts.push(host);
    logLevelPatched = host.logLevelPatched;
    const requests = generateRequests(compiled.generated, options.requests);
    let correct = 0;
    for (const r of requests) if (host.decide(r.headers).cluster === r.cluster) correct++;
    const prepared = prepare(requests.map((r) => r.headers));
    baselineRequests ??= prepare(requests.map((r) => r.headers));
    sizes.push({
      rules,
      hostnames: compiled.generated.hostnames.length,
      blobBytes: compiled.blob.length,
      configureMs: host.configureMs,
      memoryBytes: host.memoryBytes(),
      correct,
      checked: requests.length,
    });
    // The in-repo host's header write is JS that Envoy does in C++: timing the filter without it too
    // shows its own part, and how that part grows with the table.
    const noOpHost = new BenchHost({
      wasm: filter,
      configuration: compiled.pluginConfig,
      noOp: HEADER_WRITES,
    });
    hosts.push(noOpHost);
    cases.push({ name: `headers ${rules}`, fn: (n) => host.timeRequestHeaders(prepared, n) });
    cases.push({ name: `own part ${rules}`, fn: (n) => noOpHost.timeRequestHeaders(prepared, n) });
    cases.push({ name: `stream ${rules}`, fn: (n) => host.timeStreams(prepared, n) });
  }
  const base = baselineRequests!;
  cases.unshift(
    { name: "headers baseline", fn: (n) => baselineHost.timeRequestHeaders(base, n) },
    { name: "stream baseline", fn: (n) => baselineHost.timeStreams(base, n) },
  );
  // The host's own log level, at the size the 1.5× target is about.
  const traceRules = options.sizes.length > 1 ? options.sizes[options.sizes.length - 2] : options.sizes[0];
  const traceCompiled = await compiledTable(traceRules);
  const traceHost = new BenchHost({
    wasm: filter,
    configuration: traceCompiled.pluginConfig,
    logLevel: "host",
  });
  hosts.push(traceHost);
  const traceRequests = prepare(
    generateRequests(traceCompiled.generated, options.requests).map((r) => r.headers),
  );
  cases.push({ name: "headers trace", fn: (n) => traceHost.timeRequestHeaders(traceRequests, n) });

  const callRequests = generateRequests(traceCompiled.generated, options.requests).map((r) => r.headers);
  const calls = {
    rules: traceRules,
    filter: profileCalls(filter, traceCompiled.pluginConfig, prepare(callRequests)),
    baseline: profileCalls(await baselineWasm(), undefined, prepare(callRequests)),
  };

  let pwhost: HotPathResult["pwhost"];
  if (options.pwhost && await referenceHostAvailable()) {
    const dir = await Deno.makeTempDir({ prefix: "wasmroute-bench-" });
    try {
      await Deno.writeFile(`${dir}/filter.wasm`, filter);
      await Deno.writeFile(`${dir}/baseline.wasm`, await baselineWasm());
      const { requests, iterations } = options.pwhost;
      const times = await timeInPwhost(
        `${dir}/filter.wasm`,
        `${dir}/baseline.wasm`,
        traceCompiled.pluginConfig,
        callRequests.slice(0, requests),
        iterations,
      );
      pwhost = { rules: traceRules, requests, iterations, ...times };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }

  const results = new Map(runInterleaved(cases, options).map((r) => [r.name, r]));
  const errors = hosts.flatMap((h) => h.errors());
  for (const h of hosts) h.close();
  if (errors.length) throw new Error(`the host reported errors while timing:\n${errors.join("\n")}`);
  return {
    options,
    baseline: { headers: results.get("headers baseline")!, stream: results.get("stream baseline")! },
    sizes: sizes.map((s) => ({
      ...s,
      headers: results.get(`headers ${s.rules}`)!,
      ownPart: results.get(`own part ${s.rules}`)!,
      stream: results.get(`stream ${s.rules}`)!,
    })),
    traceLevel: { rules: traceRules, headers: results.get("headers trace")! },
    pwhost,
    logLevelPatched,
    calls,
  };
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const callList = (p: CallProfile) => {
  const total = Object.values(p.calls).reduce((a, b) => a + b, 0);
  const each = Object.entries(p.calls).map(([name, n]) => `${name.replace(/^proxy_/, "")} ${num(n)}`);
  return `${num(total)} calls (${each.join(", ")}), ~${
    (100 * p.hostNs / p.ns).toFixed(0)
  } % of the time in them`;
};

/** The table's 1,000-rule size (the one the 1.5× target is about), and its smallest and largest. */
export function keySizes(
  r: HotPathResult,
): { thousand: HotPathSize; smallest: HotPathSize; largest: HotPathSize } {
  const thousand = r.sizes.find((s) => s.rules === 1000) ?? r.sizes[Math.max(0, r.sizes.length - 2)];
  return { thousand, smallest: r.sizes[0], largest: r.sizes[r.sizes.length - 1] };
}

/** The 1,000-rule ratio's other readings: the filter's own part, and whole streams in pwhost. */
export function summarySplit(r: HotPathResult, baselineNs: number): string[] {
  const { thousand } = keySizes(r);
  const own = thousand.ownPart.ns / baselineNs;
  const out = [
    `  - Without the in-repo host's cost of the one header write (${
      fmt(thousand.headers.ns - thousand.ownPart.ns)
    } ns of JS; the write answered by a no-op): ${ratio(own)}: ${verdict(own, 1.5)}.`,
  ];
  if (r.pwhost) {
    const x = r.pwhost.filterNs / r.pwhost.baselineNs;
    out.push(
      `  - In pwhost (Envoy's ABI library, C++ host functions, interpreted wasm), whole streams at ` +
        `${fmt(r.pwhost.rules)} rules: ${ratio(x)}: ${verdict(x, 1.5)}.`,
    );
  }
  return out;
}

/** The growth ratio's other reading: the filter's own part, the host's header write set aside. */
export function growthSplit(r: HotPathResult): string {
  const { smallest, largest } = keySizes(r);
  const own = largest.ownPart.ns / smallest.ownPart.ns;
  return `  - Without the in-repo host's header write (the filter's own part: ${fmt(smallest.ownPart.ns)} → ${
    fmt(largest.ownPart.ns)
  } ns): ${ratio(own)}: ${verdict(own, 1.3)}.`;
}

/** Where the filter's time goes beyond the baseline: its own work, and the in-repo host's header write. */
function writesLine(s: HotPathSize, baselineNs: number): string {
  const writes = s.headers.ns - s.ownPart.ns, own = s.ownPart.ns - baselineNs;
  return `- Where the ${fmt(s.rules)}-rule time goes: with the filter's one header write ` +
    "(`replace_header_map_value` of the decision header) answered by a no-op (*own part*), a request takes " +
    `${fmt(s.ownPart.ns)} ns (${ratio(s.ownPart.ns / baselineNs)} baseline): the write costs ${
      fmt(writes)
    } ns of the in-repo host's JS, and matching and deciding ` +
    `${fmt(own)} ns over the baseline's two reads. (Measured in the same run; the no-op host does not ` +
    "route, so it is only timed.)";
}

const spread = (r: CaseResult) => `${fmt(Math.min(...r.runs))}–${fmt(Math.max(...r.runs))}`;

export function renderHotPath(r: HotPathResult): string {
  const b = r.baseline;
  const rows = [
    [
      "baseline module",
      "–",
      "–",
      fmt(b.headers.ns),
      spread(b.headers),
      "1.00×",
      "–",
      fmt(b.stream.ns),
      "1.00×",
      "–",
      "–",
      "–",
    ],
    ...r.sizes.map((s) => [
      `${fmt(s.rules)} rules`,
      fmt(s.hostnames),
      `${s.correct}/${s.checked}`,
      fmt(s.headers.ns),
      spread(s.headers),
      ratio(s.headers.ns / b.headers.ns),
      `${fmt(s.ownPart.ns)} (${ratio(s.ownPart.ns / b.headers.ns)})`,
      fmt(s.stream.ns),
      ratio(s.stream.ns / b.stream.ns),
      bytes(s.blobBytes),
      fmt(s.configureMs, 1),
      bytes(s.memoryBytes),
    ]),
  ];
  const { thousand, smallest, largest } = keySizes(r);
  const vsBase = thousand.headers.ns / b.headers.ns;
  const growth = largest.headers.ns / smallest.headers.ns;
  const wrong = r.sizes.filter((s) => s.correct !== s.checked);
  const o = r.options;
  return [
    `Each request: ${HEADER_COUNT} headers, a ${PATH_BYTES}-byte \`:path\`, an \`x-request-id\`; ${o.requests} distinct`,
    "requests per table, each for a rule drawn at random from the whole table (exact, prefix, header and",
    "query matches; ten rules per hostname). ns/request is the median of",
    `${o.runs} runs of at least ${o.minMs} ms each, the cases interleaved. **on_request_headers**: one`,
    "`proxy_on_request_headers` call on a long-lived stream context; **whole stream**: context create,",
    "request headers, done, log, delete (what Envoy calls per request). Both go through the in-repo host's",
    "`ProxyWasmHost`/`HostContext` directly (the `HostEmulator` API copies headers and allocates per call);",
    "the harness itself allocates nothing per request. Every time includes the host's side of each ABI call",
    "(JS, not Envoy's C++): header lookups, copying values into the module, the header the filter writes.",
    r.logLevelPatched > 0
      ? "`proxy_get_log_level` answers info, as under Envoy (the in-repo host answers trace, like pwhost;" +
        ` the benchmark swaps that import in ${r.logLevelPatched} VMs).`
      : "**The benchmark could not swap `proxy_get_log_level`: the filter saw the host's trace level.**",
    "Decisions are checked first: *correct* counts requests routed to the rule they were made for.",
    "",
    table(
      [
        "table",
        "hostnames",
        "correct",
        "on_request_headers ns",
        "runs (ns)",
        "vs baseline",
        "own part ns",
        "whole stream ns",
        "vs baseline",
        "blob",
        "configure ms",
        "linear memory",
      ],
      rows,
    ),
    "",
    `- ${fmt(thousand.rules)} rules vs baseline: ${ratio(vsBase)} (target ≤ 1.5×): ${verdict(vsBase, 1.5)}.`,
    `- ${fmt(largest.rules)} rules vs ${fmt(smallest.rules)} rules: ${ratio(growth)} (target ≤ 1.3×): ${
      verdict(growth, 1.3)
    }.`,
    growthSplit(r),
    r.traceLevel
      ? `- ${
        fmt(r.traceLevel.rules)
      } rules at the host's own log level (trace: the filter builds and logs its debug` +
        ` decision line): ${fmt(r.traceLevel.headers.ns)} ns (${
          ratio(r.traceLevel.headers.ns / b.headers.ns)
        } baseline).`
      : null,
    writesLine(thousand, b.headers.ns),
    r.pwhost
      ? `- In pwhost (\`../shared/tools/pwhost\`: Envoy's ABI library with its C++ host functions, on the WAMR ` +
        `interpreter), whole streams at ${fmt(r.pwhost.rules)} rules: filter ${fmt(r.pwhost.filterNs)} ns, ` +
        `baseline ${fmt(r.pwhost.baselineNs)} ns, ${
          ratio(r.pwhost.filterNs / r.pwhost.baselineNs)
        } (median over ` +
        `${r.pwhost.requests} requests of pwhost's ${
          fmt(r.pwhost.iterations)
        }-iteration timing loop). Interpreted, ` +
        "every wasm instruction weighs far more than under V8, so this ratio is mostly the filter's own work; " +
        "pwhost's log level is trace, so the filter also logs its (prebuilt) debug decision line on every request."
      : null,
    `- Host calls per request (whole stream, ${fmt(r.calls.rules)} rules): filter ${
      callList(r.calls.filter)
    };` +
    ` baseline ${callList(r.calls.baseline)}. Host functions are JS here, C++ in Envoy; the share is timed` +
    " around each call in a separate, slower host, so it is indicative only.",
    "- *configure ms*: `proxy_on_configure` in the canary and the thread-local VM (the blob decoded twice);" +
    " *linear memory*: the serving VM's `memory.buffer.byteLength` after configure.",
    wrong.length
      ? `- **Warning**: wrong decisions at ${
        wrong.map((s) => fmt(s.rules)).join(", ")
      } rules; those times are not` +
        " of the intended work."
      : null,
  ].filter((l) => l !== null).join("\n");
}
