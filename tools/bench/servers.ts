/**
 * Starts the benchmark's servers as subprocesses on loopback (`server_entry.ts`): the real policy
 * server over a fresh KV file in a temporary directory, or the bare Hono hello-world baseline.
 *
 * @module
 */
import type { HTTPRoute } from "../../policy-server/model/types.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ENTRY = new URL("./server_entry.ts", import.meta.url).pathname;

/** `Deno.memoryUsage()` as the server reported it. */
export type MemoryUsage = ReturnType<typeof Deno.memoryUsage>;

export interface BenchServer {
  url: string;
  pid: number;
  /** The server's own `Deno.memoryUsage()` (asked for with SIGUSR1). */
  memory(): Promise<MemoryUsage>;
  /** SIGTERM, then waits for the exit and removes the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts the policy server (`"policy"`) or the Hono hello-world baseline (`"hello"`). The policy
 * server gets a fresh data directory, or `dataDir` (removed by `stop` all the same).
 */
export async function startServer(
  kind: "policy" | "hello",
  options: { dataDir?: string } = {},
): Promise<BenchServer> {
  const dataDir = kind === "policy"
    ? options.dataDir ?? await Deno.makeTempDir({ prefix: "wasmroute-bench-" })
    : undefined;
  const args = kind === "policy"
    ? ["--port", "0", "--hostname", "127.0.0.1", "--data-dir", dataDir!]
    : ["--hello"];
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      ENTRY,
      ...args,
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  // Every stdout line is read (a server that cannot write its logs would stall); the ones the
  // benchmark waits for resolve the oldest waiter of their kind.
  const waiters: { listening: ((url: string) => void)[]; memory: ((m: MemoryUsage) => void)[] } = {
    listening: [],
    memory: [],
  };
  const stderr: string[] = [];
  const readLines = async (stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) => {
    let buffered = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        onLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    }
  };
  const stdoutDone = readLines(child.stdout, (line) => {
    let entry: { msg?: string; url?: string; benchMemory?: MemoryUsage };
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry.msg === "listening" && entry.url) waiters.listening.shift()?.(entry.url);
    if (entry.benchMemory) waiters.memory.shift()?.(entry.benchMemory);
  });
  const stderrDone = readLines(child.stderr, (line) => {
    if (stderr.length < 50) stderr.push(line);
  });

  const listening = new Promise<string>((resolve) => waiters.listening.push(resolve));
  const exited = child.status.then((s) => {
    throw new Error(`the ${kind} server exited (${s.code}) before listening:\n${stderr.join("\n")}`);
  });
  const url = await Promise.race([listening, exited]);
  exited.catch(() => {});

  return {
    url,
    pid: child.pid,
    memory() {
      const reply = new Promise<MemoryUsage>((resolve) => waiters.memory.push(resolve));
      child.kill("SIGUSR1");
      return reply;
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Promise.all([stdoutDone, stderrDone]);
      if (dataDir) await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** A small HTTPRoute (one rule, one exact match, one backend) with its own hostname. */
export function smallRoute(i: number): HTTPRoute {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: `post-${i}`, namespace: "bench" },
    spec: {
      parentRefs: [{ name: "ingress", namespace: "istio-system" }],
      hostnames: [`post-${i}.bench.example.com`],
      rules: [{
        matches: [{ path: { type: "PathPrefix", value: `/api/items-${i}` } }],
        backendRefs: [{ name: `items-${i}`, port: 8080 }],
      }],
    },
  } as HTTPRoute;
}
