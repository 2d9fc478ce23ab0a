/**
 * Load from Debian's `wrk` (4.1, LuaJIT scripts; tools/ensure_wrk.sh installs it), pinned to a CPU
 * with `taskset`, reading its results from a Lua `done()` hook as one JSON line.
 *
 * The script sends the benchmark's requests in turn, each exactly as generated (15 headers, the
 * header or query a rule matches). Two modes:
 *
 * - **saturation**: every connection sends its next request as soon as the last one is answered;
 * - **paced**: every connection waits after each answer (wrk's Lua `delay()`), `delayMs` on average
 *   (exponentially distributed, so the connections' requests do not arrive in step), so the rate is
 *   about `connections × 1000 / (delayMs + latency)` requests/s. Debian's wrk has no fixed-rate
 *   mode (that is wrk2's `-R`, not packaged); pacing many connections at a low rate each keeps the
 *   load below saturation, where queueing (and so wrk's coordinated omission) is small. The rate
 *   reached is measured and reported, not assumed.
 *
 * @module
 */

/** What one wrk run measured. */
export interface WrkResult {
  requests: number;
  seconds: number;
  perSecond: number;
  /** Latency percentiles and mean, microseconds, as wrk measures them (request written → answer read). */
  p50Us: number;
  p99Us: number;
  meanUs: number;
  /** Connect, read, write and timeout errors. */
  errors: number;
  /** Answers with a status other than 2xx or 3xx. */
  non2xx: number;
}

/** Options of {@linkcode runWrk}. */
export interface WrkOptions {
  wrk: string;
  port: number;
  /** Raw HTTP/1.1 requests ({@linkcode rawRequest}), sent in turn. */
  requests: string[];
  connections: number;
  seconds: number;
  /** Paced mode: the pause after each answer, per connection. */
  delayMs?: number;
  /** The CPU wrk runs on (`taskset -c`). */
  cpu?: number;
}

/** A raw HTTP/1.1 keep-alive request from header pairs (`:authority` becomes Host). */
export function rawRequest(headers: [string, string][]): string {
  const pseudo = (name: string) => headers.find(([k]) => k === name)?.[1];
  const lines = [`${pseudo(":method") ?? "GET"} ${pseudo(":path") ?? "/"} HTTP/1.1`];
  lines.push(`Host: ${pseudo(":authority") ?? "localhost"}`);
  for (const [k, v] of headers) if (!k.startsWith(":") && k !== "host") lines.push(`${k}: ${v}`);
  return lines.join("\r\n") + "\r\n\r\n";
}

/** A Lua string literal (the requests are ASCII; anything else is refused). */
function luaString(s: string): string {
  if (!/^[\x20-\x7e\r\n]*$/.test(s)) throw new RangeError(`not printable ASCII: ${JSON.stringify(s)}`);
  return `"${
    s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\r", "\\r").replaceAll("\n", "\\n")
  }"`;
}

/** The wrk script: requests in turn, an optional pause, and the results as one `WRK_JSON` line. */
export function wrkScript(requests: string[], delayMs?: number): string {
  return [
    "local requests = {",
    ...requests.map((r) => `  ${luaString(r)},`),
    "}",
    "local n, i = #requests, 0",
    "request = function() i = i % n + 1; return requests[i] end",
    // Exponential pauses (whole ms, wrk's timer unit): equal pauses keep every connection in step,
    // and their requests then arrive at Envoy in bursts.
    ...(delayMs !== undefined
      ? [
        "math.randomseed(os.time())",
        `delay = function() return math.floor(-${delayMs} * math.log(1 - math.random()) + 0.5) end`,
      ]
      : []),
    "done = function(summary, latency, _)",
    "  local e = summary.errors",
    '  io.write(string.format(\'WRK_JSON {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,\' ..',
    '    \'"p50":%d,"p99":%d,"mean":%.1f}\\n\', summary.requests, summary.duration,',
    "    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(99),",
    "    latency.mean))",
    "end",
    "",
  ].join("\n");
}

/** Parses the script's `WRK_JSON` line out of wrk's output. */
export function parseWrkOutput(stdout: string): WrkResult {
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (!line) throw new Error(`wrk printed no results:\n${stdout.slice(-2000)}`);
  const r = JSON.parse(line.slice("WRK_JSON ".length));
  const seconds = r.duration_us / 1e6;
  return {
    requests: r.requests,
    seconds,
    perSecond: r.requests / seconds,
    p50Us: r.p50,
    p99Us: r.p99,
    meanUs: r.mean,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

/** Runs wrk once (one thread) and returns what it measured. */
export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-wrk-" });
  try {
    const script = `${dir}/bench.lua`;
    await Deno.writeTextFile(script, wrkScript(o.requests, o.delayMs));
    const args = [
      "-t1",
      `-c${o.connections}`,
      `-d${o.seconds}s`,
      "--timeout",
      "5s",
      "-s",
      script,
      `http://127.0.0.1:${o.port}/`,
    ];
    const [cmd, all] = o.cpu === undefined
      ? [o.wrk, args]
      : ["taskset", ["-c", String(o.cpu), o.wrk, ...args]];
    const out = await new Deno.Command(cmd, { args: all, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}${text}`);
    return parseWrkOutput(text);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The wrk binary: `WASMROUTE_WRK`, else `wrk` on PATH; undefined when there is none. */
export async function findWrk(env: (name: string) => string | undefined = Deno.env.get): Promise<
  string | undefined
> {
  const explicit = env("WASMROUTE_WRK");
  const dirs = (env("PATH") ?? "").split(":").filter(Boolean);
  for (const path of explicit ? [explicit] : dirs.map((d) => `${d}/wrk`)) {
    const ok = await Deno.stat(path).then((s) => s.isFile && ((s.mode ?? 0) & 0o111) !== 0, () => false);
    if (ok) return path;
  }
  return undefined;
}
