/**
 * 6. Memory: the filter's linear memory with the largest table loaded and after many requests (it
 * must not grow), and the policy server's own `Deno.memoryUsage()` (a subprocess) with a table stored.
 *
 * @module
 */
import { BenchHost, prepare } from "./bench_host.ts";
import { compiledTable, filterWasm } from "./fixtures.ts";
import { generateRequests } from "./generate_routes.ts";
import { bytes, fmt, table } from "./measure.ts";
import { type MemoryUsage, startServer } from "./servers.ts";

export interface MemoryOptions {
  rules: number;
  requests: number;
  /** Rules of the table POSTed to the server (in HTTPRoutes of ten, `routesPerPost` per POST). */
  serverRules: number;
  routesPerPost: number;
}

export interface MemoryResult {
  options: MemoryOptions;
  filter: {
    afterLoad: number;
    afterWarmup: number;
    warmupRequests: number;
    afterRequests: number;
    seconds: number;
    correctAfter: number;
    checkedAfter: number;
    errors: string[];
  };
  server: { label: string; usage: MemoryUsage }[];
  serverBlobBytes: number;
}

export async function measureMemory(options: MemoryOptions): Promise<MemoryResult> {
  // The filter, through the same host path as the hot-path benchmark, one whole stream per request.
  const compiled = await compiledTable(options.rules);
  const host = new BenchHost({ wasm: await filterWasm(), configuration: compiled.pluginConfig });
  const afterLoad = host.memoryBytes();
  const requests = generateRequests(compiled.generated, 1024, 11);
  const prepared = prepare(requests.map((r) => r.headers));
  const warmupRequests = Math.min(10_000, options.requests);
  host.timeStreams(prepared, warmupRequests);
  const afterWarmup = host.memoryBytes();
  const ms = host.timeStreams(prepared, options.requests - warmupRequests);
  const afterRequests = host.memoryBytes();
  let correctAfter = 0;
  for (const r of requests.slice(0, 64)) if (host.decide(r.headers).cluster === r.cluster) correctAfter++;
  const errors = host.errors();
  host.close();

  // The policy server with a table stored.
  const server: { label: string; usage: MemoryUsage }[] = [];
  const serverTable = await compiledTable(options.serverRules);
  const policy = await startServer("policy");
  let serverBlobBytes = 0;
  try {
    server.push({ label: "started, nothing stored", usage: await policy.memory() });
    const routes = serverTable.generated.routes;
    for (let i = 0; i < routes.length; i += options.routesPerPost) {
      const res = await fetch(`${policy.url}/v1/routes`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(routes.slice(i, i + options.routesPerPost)),
      });
      const text = await res.text();
      if (res.status !== 201 && res.status !== 200) {
        throw new Error(`POST /v1/routes: ${res.status} ${text.slice(0, 500)}`);
      }
    }
    serverBlobBytes = (await (await fetch(`${policy.url}/v1/blob`)).bytes()).length;
    server.push({ label: `${fmt(options.serverRules)} rules stored`, usage: await policy.memory() });
    for (let i = 0; i < 50; i++) await (await fetch(`${policy.url}/v1/wasmplugin?format=json`)).bytes();
    server.push({ label: "after 50 GET /v1/wasmplugin", usage: await policy.memory() });
  } finally {
    await policy.stop();
  }
  return {
    options,
    filter: {
      afterLoad,
      afterWarmup,
      warmupRequests,
      afterRequests,
      seconds: ms / 1000,
      correctAfter,
      checkedAfter: 64,
      errors,
    },
    server,
    serverBlobBytes,
  };
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Renders this benchmark's numbers, plus memory samples other runs took (`extra`). */
export function renderMemory(r: MemoryResult, extra: { label: string; usage: MemoryUsage }[] = []): string {
  const f = r.filter;
  const diff = f.afterRequests - f.afterLoad;
  return [
    `**Filter**: the serving VM's \`memory.buffer.byteLength\` with the ${
      fmt(r.options.rules)
    }-rule table (the`,
    `hot-path one), through the same host path, one whole stream per request (${
      fmt(1024)
    } distinct requests cycled).`,
    "",
    table(["", "linear memory"], [
      ["after loading the blob (proxy_on_configure)", bytes(f.afterLoad)],
      [`after ${fmt(f.warmupRequests)} requests`, bytes(f.afterWarmup)],
      [`after ${fmt(r.options.requests)} requests`, bytes(f.afterRequests)],
      ["difference (after requests − after load)", `${diff >= 0 ? "+" : "−"}${bytes(Math.abs(diff))}`],
    ]),
    "",
    `${diff === 0 ? "No growth" : "**Grew**"} over ${fmt(r.options.requests)} requests (${
      fmt(f.seconds, 1)
    } s);` +
    ` decisions afterwards: ${f.correctAfter}/${f.checkedAfter} correct${
      f.errors.length ? `; host errors: ${f.errors.join("; ")}` : ""
    }. Linear memory never shrinks, so this is the high-water mark.`,
    "",
    "**Policy server**: `Deno.memoryUsage()` reported by the server subprocess itself (SIGUSR1 →",
    "`tools/bench/server_entry.ts`), not of the benchmark's process. Here it stores the",
    `${fmt(r.options.serverRules)}-rule table (${r.options.routesPerPost} HTTPRoutes per POST; blob ${
      bytes(r.serverBlobBytes)
    });`,
    "the rows marked *load run* come from the throughput benchmark's server and the Hono hello world.",
    "",
    table(
      ["when", "rss", "heap used", "heap total", "external"],
      [...r.server, ...extra].map(({ label, usage }) => [
        label,
        mib(usage.rss),
        mib(usage.heapUsed),
        mib(usage.heapTotal),
        mib(usage.external),
      ]),
    ),
  ].join("\n");
}
