/**
 * One Envoy process on loopback: started from a bootstrap, waited for until its admin interface says
 * it is live, asked for its listeners' ports and stats, and stopped. Every Envoy gets its own base id
 * and ephemeral ports, so several can run at once.
 *
 * @module
 */
import { join } from "node:path";
import { stringify } from "yaml";

/** A running Envoy. */
export interface EnvoyProcess {
  /** `http://127.0.0.1:PORT` of the admin interface. */
  admin: string;
  /** Envoy's process id (the benchmark reads its CPU time and RSS under /proc). */
  pid: number;
  /** The directory holding its bootstrap and files; removed on close. */
  dir: string;
  /** Envoy's log lines so far (stderr and stdout, the access log and `wasm log` lines among them). */
  log: string[];
  /** The bound port of a listener, by name. */
  listenerPort(name: string): Promise<number>;
  /** Counters and gauges whose names contain `filter` (all when omitted). */
  stats(filter?: string): Promise<Map<string, number>>;
  /** Resolves when a log line satisfying `test` appears (checks lines already logged first). */
  waitForLog(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Stops Envoy and removes `dir`. */
  close(): Promise<void>;
}

/** Options of {@linkcode startEnvoy}. */
export interface StartEnvoyOptions {
  /** The Envoy binary. */
  envoy: string;
  /** The bootstrap; its admin address should name port 0. */
  bootstrap: Record<string, unknown>;
  /** A directory to run in (created); default a new temporary one. Files the bootstrap names may live here. */
  dir?: string;
  /** Worker threads; default 1. */
  concurrency?: number;
  /** Component log levels, e.g. `wasm:debug`; default `wasm:info`. */
  componentLogLevel?: string;
  /** Called with each log line as it arrives. */
  onLog?: (line: string) => void;
  /** Extra command-line arguments. */
  args?: string[];
}

/** Starts Envoy and resolves once its admin interface answers `/ready` with LIVE. */
export async function startEnvoy(o: StartEnvoyOptions): Promise<EnvoyProcess> {
  const dir = o.dir ?? await Deno.makeTempDir({ prefix: "wasmroute-envoy-" });
  await Deno.mkdir(dir, { recursive: true });
  const config = join(dir, "envoy.yaml");
  const adminPath = join(dir, "admin-address");
  await Deno.writeTextFile(config, stringify(o.bootstrap, { lineWidth: 0 }));
  const child = new Deno.Command(o.envoy, {
    args: [
      "-c",
      config,
      "--disable-hot-restart",
      "--concurrency",
      String(o.concurrency ?? 1),
      "--base-id",
      String(1 + Math.floor(Math.random() * 1_000_000)),
      "--admin-address-path",
      adminPath,
      // Access log lines are read as requests finish: flush them at once, not every 10 s.
      "--file-flush-interval-msec",
      "1",
      "-l",
      "warn",
      "--component-log-level",
      o.componentLogLevel ?? "wasm:info",
      ...(o.args ?? []),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const waiters = new Set<{ test: (l: string) => boolean; resolve: (l: string) => void }>();
  const onLine = (line: string) => {
    log.push(line);
    o.onLog?.(line);
    for (const w of waiters) if (w.test(line)) w.resolve(line);
  };
  const pumps = [child.stdout, child.stderr].map((s) => pumpLines(s, onLine));
  const exited = child.status;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await exited;
    await Promise.all(pumps);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    const admin = `http://${await waitForAdmin(adminPath, exited, log)}`;
    await waitUntilLive(admin, exited, log);
    return {
      admin,
      pid: child.pid,
      dir,
      log,
      listenerPort: (name) => listenerPort(admin, name),
      stats: (filter) => stats(admin, filter),
      waitForLog: (test, timeoutMs = 10_000) => {
        const seen = log.find(test);
        if (seen !== undefined) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const w = { test, resolve: (l: string) => (clearTimeout(timer), waiters.delete(w), resolve(l)) };
          const timer = setTimeout(
            () => (waiters.delete(w), reject(new Error(`no such Envoy log line within ${timeoutMs} ms`))),
            timeoutMs,
          );
          waiters.add(w);
        });
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

async function pumpLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const line of lines) onLine(line);
  }
  if (rest) onLine(rest);
}

const failure = (what: string, log: string[]) =>
  new Error(
    `${what}\n${
      log.filter((l) => /critical|error/.test(l)).slice(-10).join("\n") || log.slice(-10).join("\n")
    }`,
  );

async function waitForAdmin(
  path: string,
  exited: Promise<Deno.CommandStatus>,
  log: string[],
): Promise<string> {
  let done: Deno.CommandStatus | undefined;
  exited.then((s) => (done = s));
  for (let i = 0; i < 600; i++) {
    if (done) throw failure(`Envoy exited with code ${done.code} before it served its admin interface`, log);
    const text = await Deno.readTextFile(path).catch(() => "");
    if (text.trim()) return text.trim();
    await new Promise((r) => setTimeout(r, 25));
  }
  throw failure("Envoy did not write its admin address within 15 s", log);
}

async function waitUntilLive(
  admin: string,
  exited: Promise<Deno.CommandStatus>,
  log: string[],
): Promise<void> {
  let done: Deno.CommandStatus | undefined;
  exited.then((s) => (done = s));
  for (let i = 0; i < 600; i++) {
    if (done) throw failure(`Envoy exited with code ${done.code} while starting`, log);
    const state = await fetch(`${admin}/ready`).then((r) => r.text()).catch(() => "");
    if (state.trim() === "LIVE") return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw failure("Envoy was not LIVE within 15 s", log);
}

async function listenerPort(admin: string, name: string): Promise<number> {
  const body = await (await fetch(`${admin}/listeners?format=json`)).json() as {
    listener_statuses: { name: string; local_address?: { socket_address?: { port_value: number } } }[];
  };
  const port = body.listener_statuses.find((l) => l.name === name)?.local_address?.socket_address?.port_value;
  if (!port) throw new Error(`Envoy has no bound listener ${name}`);
  return port;
}

async function stats(admin: string, filter?: string): Promise<Map<string, number>> {
  const q = filter ? `&filter=${encodeURIComponent(filter)}` : "";
  const body = await (await fetch(`${admin}/stats?format=json${q}`)).json() as {
    stats: { name?: string; value?: number }[];
  };
  return new Map(
    body.stats.filter((s) => s.name !== undefined && typeof s.value === "number").map((
      s,
    ) => [s.name!, s.value!]),
  );
}
