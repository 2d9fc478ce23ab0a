/**
 * 5. The policy server under load on loopback, driven by autocannon (run in this process under
 * Deno's Node compatibility; the server is a subprocess): POSTs of small HTTPRoutes (each validated,
 * stored, and the whole set recompiled), and `GET /v1/blob` with keep-alive — against a bare Hono
 * hello-world server started in the same run.
 *
 * @module
 */
import autocannon from "autocannon";
import { smallRoute, startServer } from "./servers.ts";
import { fmt, ratio, table } from "./measure.ts";
import type { MemoryUsage } from "./servers.ts";

export interface ServerOptions {
  /** POSTs, one small HTTPRoute each. */
  posts: number;
  postConnections: number;
  /** Seconds of each GET run. */
  getSeconds: number;
  getConnections: number;
}

export interface LoadResult {
  label: string;
  requests: number;
  ok: number;
  /** Non-2xx/3xx answers and transport errors. */
  failures: number;
  seconds: number;
  perSecond: number;
  latencyP50: number;
  latencyP99: number;
  bytesPerSecond: number;
}

export interface ServerResult {
  options: ServerOptions;
  post: LoadResult;
  blob: LoadResult;
  blob304: LoadResult;
  hello: LoadResult;
  blobBytes: number;
  memory: { label: string; usage: MemoryUsage }[];
  helloMemory: MemoryUsage;
}

// deno-lint-ignore no-explicit-any
type AutocannonResult = any;

function run(options: Record<string, unknown>): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error: Error | null, result: AutocannonResult) => {
      if (error) reject(error);
      else resolve(result);
    });
    // autocannon prints a progress bar and table only when asked to; keep it quiet either way.
    instance.on?.("error", () => {});
  });
}

async function load(
  label: string,
  options: Record<string, unknown>,
  okStatus = (s: number) => s < 400,
): Promise<LoadResult> {
  let ok = 0, failures = 0;
  const t0 = performance.now();
  let last = t0;
  const result = await run({
    ...options,
    setupClient: (client: { on: (e: string, f: (status: number) => void) => void }) => {
      client.on("response", (status: number) => {
        last = performance.now();
        okStatus(status) ? ok++ : failures++;
      });
    },
  });
  // Up to the last answer: with `amount`, autocannon only notices it is done at its next 1 s tick.
  const seconds = (last - t0) / 1000;
  const requests = ok + failures;
  return {
    label,
    requests,
    ok,
    failures: failures + (result.errors ?? 0) + (result.timeouts ?? 0),
    seconds,
    perSecond: ok / seconds,
    latencyP50: result.latency?.p50 ?? NaN,
    latencyP99: result.latency?.p99 ?? NaN,
    bytesPerSecond: (result.throughput?.total ?? 0) / seconds,
  };
}

export async function measureServer(options: ServerOptions): Promise<ServerResult> {
  const memory: { label: string; usage: MemoryUsage }[] = [];
  const policy = await startServer("policy");
  let post, blob, blob304, blobBytes, hello, helloMemory;
  try {
    memory.push({ label: "started, nothing stored", usage: await policy.memory() });
    let next = 0;
    post = await load(`POST /v1/routes (${fmt(options.posts)} routes)`, {
      url: policy.url,
      connections: options.postConnections,
      amount: options.posts,
      timeout: 30,
      requests: [{
        method: "POST",
        path: "/v1/routes",
        headers: { "content-type": "application/json" },
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          body: JSON.stringify(smallRoute(next++)),
        }),
      }],
    }, (s) => s === 201 || s === 200);
    memory.push({ label: `after ${fmt(options.posts)} POSTs`, usage: await policy.memory() });

    const res = await fetch(`${policy.url}/v1/blob`);
    const etag = res.headers.get("etag") ?? "";
    blobBytes = (await res.bytes()).length;
    const get = { connections: options.getConnections, duration: options.getSeconds, timeout: 30 };
    blob = await load(
      `GET /v1/blob (${fmt(blobBytes)} B, 200)`,
      { url: `${policy.url}/v1/blob`, ...get },
      (s) => s === 200,
    );
    blob304 = await load("GET /v1/blob, If-None-Match (304)", {
      url: `${policy.url}/v1/blob`,
      headers: { "if-none-match": etag },
      ...get,
    }, (s) => s === 304);
    memory.push({ label: "after the GET runs", usage: await policy.memory() });

    const helloServer = await startServer("hello");
    try {
      hello = await load(
        "GET / on bare Hono hello world",
        { url: `${helloServer.url}/`, ...get },
        (s) => s === 200,
      );
      helloMemory = await helloServer.memory();
    } finally {
      await helloServer.stop();
    }
  } finally {
    await policy.stop();
  }
  return { options, post, blob, blob304, hello, blobBytes, memory, helloMemory };
}

export function renderServer(r: ServerResult): string {
  const o = r.options;
  const row = (x: LoadResult, base?: LoadResult) => [
    x.label,
    fmt(x.ok),
    fmt(x.failures),
    fmt(x.seconds, 1),
    fmt(x.perSecond),
    base ? ratio(x.perSecond / base.perSecond) : "–",
    fmt(x.latencyP50, 0),
    fmt(x.latencyP99, 0),
    `${(x.bytesPerSecond / 1e6).toFixed(1)}`,
  ];
  return [
    "Servers are subprocesses (`tools/bench/server_entry.ts`: the real `policy-server/main.ts`, or a bare Hono",
    "app answering `GET /` with `Hello Hono!`), on 127.0.0.1; the load comes from autocannon (npm) running in the",
    "benchmark's own process under Deno, over keep-alive connections — one core each on a 2-core machine.",
    `POSTs: ${
      fmt(o.posts)
    } requests on ${o.postConnections} connections, each one small HTTPRoute (one rule,`,
    "own hostname) as JSON: parsed, validated as the API server would, stored in Deno KV, and every stored route",
    `recompiled into a new blob. GETs: ${o.getConnections} connections for ${o.getSeconds} s each; the blob is the one`,
    `those POSTs produced (${fmt(r.blobBytes)} B). *ok*: answers with the expected status.`,
    "",
    table(["run", "ok", "failed", "s", "per second", "vs hello world", "p50 ms", "p99 ms", "MB/s"], [
      row(r.post),
      row(r.blob, r.hello),
      row(r.blob304, r.hello),
      row(r.hello),
    ]),
    "",
    `POST throughput: **${
      fmt(r.post.perSecond, 1)
    } validated routes/s** (each POST recompiles all stored routes, so`,
    "this falls as the store grows).",
  ].join("\n");
}
