/**
 * 2. The filter's matching against JavaScript routers on the same exact and prefix paths, in the same
 * process: the filter through the in-repo host (one hostname, so only paths decide), `find-my-way`,
 * and Hono's `RegExpRouter` and `TrieRouter`.
 *
 * @module
 */
import FindMyWay from "find-my-way";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { TrieRouter } from "hono/router/trie-router";
import { BenchHost, prepare } from "./bench_host.ts";
import { baselineWasm, compiledTable, filterWasm } from "./fixtures.ts";
import { type GeneratedRule, generateRequests, PATH_BYTES } from "./generate_routes.ts";
import { type CaseResult, fmt, ratio, runInterleaved, table, type Timed } from "./measure.ts";

export interface RoutersOptions {
  sizes: number[];
  requests: number;
  runs: number;
  minMs: number;
}

export interface RoutersSize {
  paths: number;
  exact: number;
  prefix: number;
  /** Lookups that found the intended route, per router (of `checked`). */
  correct: Record<string, number>;
  checked: number;
  results: CaseResult[];
}

export interface RoutersResult {
  options: RoutersOptions;
  sizes: RoutersSize[];
}

const ROUTERS = [
  "wasmroute filter (via host)",
  "baseline module (via host)",
  "find-my-way",
  "Hono RegExpRouter",
  "Hono TrieRouter",
];

/** Keeps lookup results alive so the loops cannot be optimised away. */
export let sink = 0;

type Lookup = (path: string) => number | undefined;

function loop(paths: string[], lookup: Lookup): Timed {
  const n = paths.length;
  return (iterations) => {
    let k = 0, found = 0;
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) {
      const p = paths[k];
      if (++k === n) k = 0;
      if (lookup(p) !== undefined) found++;
    }
    const ms = performance.now() - t0;
    sink += found;
    return ms;
  };
}

function routers(rules: GeneratedRule[]): Record<string, Lookup> {
  const fmw = FindMyWay();
  const noop = () => {};
  const regexp = new RegExpRouter<number>();
  const trie = new TrieRouter<number>();
  for (const r of rules) {
    const store = { rule: r.index };
    fmw.on("GET", r.path, noop, store);
    if (r.kind === "prefix") fmw.on("GET", `${r.path}/*`, noop, store);
    const path = r.kind === "prefix" ? `${r.path}/*` : r.path;
    regexp.add("GET", path, r.index);
    trie.add("GET", path, r.index);
  }
  return {
    "find-my-way": (p) => (fmw.find("GET", p)?.store as { rule: number } | undefined)?.rule,
    "Hono RegExpRouter": (p) => regexp.match("GET", p)[0][0]?.[0],
    "Hono TrieRouter": (p) => trie.match("GET", p)[0][0]?.[0],
  };
}

export async function measureRouters(options: RoutersOptions): Promise<RoutersResult> {
  const filter = await filterWasm();
  const baseline = await baselineWasm();
  const sizes: RoutersSize[] = [];
  for (const paths of options.sizes) {
    const compiled = await compiledTable(paths, { hostnames: 1, kinds: ["exact", "prefix"], seed: 3 });
    const requests = generateRequests(compiled.generated, options.requests, 4);
    // Only what routing needs: the filter reads the same path (and the one hostname) as the routers.
    const headers = requests.map((
      r,
    ): [string, string][] => [[":authority", r.hostname], [":path", r.path], [":method", "GET"]]);
    const host = new BenchHost({ wasm: filter, configuration: compiled.pluginConfig });
    const baseHost = new BenchHost({ wasm: baseline });
    const js = routers(compiled.generated.rules);
    const correct: Record<string, number> = Object.fromEntries(ROUTERS.map((n) => [n, 0]));
    requests.forEach((r, i) => {
      if (host.decide(headers[i]).cluster === r.cluster) correct[ROUTERS[0]]++;
      for (const [name, lookup] of Object.entries(js)) if (lookup(r.path) === r.rule) correct[name]++;
    });
    const filterReqs = prepare(headers), baseReqs = prepare(headers);
    const paths_ = requests.map((r) => r.path);
    const cases = [
      { name: ROUTERS[0], fn: (n: number) => host.timeRequestHeaders(filterReqs, n) },
      { name: ROUTERS[1], fn: (n: number) => baseHost.timeRequestHeaders(baseReqs, n) },
      ...Object.entries(js).map(([name, lookup]) => ({ name, fn: loop(paths_, lookup) })),
    ];
    const results = runInterleaved(cases, options);
    host.close();
    baseHost.close();
    const rules = compiled.generated.rules;
    sizes.push({
      paths,
      exact: rules.filter((r) => r.kind === "exact").length,
      prefix: rules.filter((r) => r.kind === "prefix").length,
      correct,
      checked: requests.length,
      results,
    });
  }
  return { options, sizes };
}

export function renderRouters(r: RoutersResult): string {
  const out = [
    `The same paths (exact and prefix, ${PATH_BYTES}-byte request paths, one hostname) in each router; ${r.options.requests}`,
    "distinct lookups per size, each for a path drawn at random; ns/lookup is the median of",
    `${r.options.runs} interleaved runs of at least ${r.options.minMs} ms.`,
    "",
    "**The filter's number is not a bare lookup:** it is a whole `proxy_on_request_headers` call through the",
    "proxy-wasm ABI as the in-repo host runs it (JS host functions, not Envoy's C++): the ABI crossing, reading",
    "`:authority` and `:path` (and any header a rule checks) out of the host, the virtual-host and route",
    "lookup, the backend pick, and writing `x-wasmroute-cluster` (which makes Envoy pick the route again). The baseline",
    "module's row is the crossing alone (two header reads, then Continue); the JS routers only map a path to a",
    "handler in the same V8. A prefix route is `/p` plus `/p/*` in find-my-way and `/p/*` in Hono.",
  ];
  for (const s of r.sizes) {
    const fmwNs = s.results.find((x) => x.name === "find-my-way")!.ns;
    const filterNs = s.results[0].ns, baseNs = s.results[1].ns;
    out.push(
      "",
      `**${fmt(s.paths)} paths** (${fmt(s.exact)} exact, ${fmt(s.prefix)} prefix):`,
      "",
      table(
        ["router", "ns/lookup", "vs find-my-way", "filter vs this", "correct"],
        s.results.map((x) => [
          x.name,
          fmt(x.ns),
          ratio(x.ns / fmwNs),
          ratio(filterNs / x.ns),
          x.name === ROUTERS[1] ? "n/a" : `${s.correct[x.name]}/${s.checked}`,
        ]),
      ),
      "",
      `Filter minus baseline (everything but the call itself and two header reads): ${
        fmt(filterNs - baseNs)
      } ns.`,
    );
  }
  return out.join("\n");
}
