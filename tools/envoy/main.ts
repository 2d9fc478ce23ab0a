/**
 * `deno task envoy [examples/<name> | route file] [--port 10000] [--admin-port 9901] [--envoy PATH] [--out-dir DIR]`
 *
 * Runs the filter in a real Envoy configured as Istio configures a sidecar (the manifests' EnvoyFilter
 * applied, the WasmPlugin by ECDS from a file), in front of one echo server per backend cluster.
 * Envoy is started by func-e (`func-e run -c envoy.yaml`; with `--envoy`, func-e runs that binary),
 * or, without func-e, an `envoy` on PATH or the `--envoy` binary itself. What it needs is checked
 * before anything is built.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { compile } from "../../policy-server/compile/mod.ts";
import { PASSTHROUGH } from "../../simulator/envoy/envoy_host.ts";
import { startUpstreams, type Upstreams } from "../../simulator/envoy/upstreams.ts";
import { buildFilter, FILTER_WASM } from "../build_filter.ts";
import { findExecutable, FUNC_E_INSTALL } from "./find_executable.ts";
import { loadRoutes } from "./load_routes.ts";
import { renderEnvoyConfig } from "./render_envoy_config.ts";
import { sampleRequests } from "./sample_requests.ts";
import { tableBackends } from "./table_backends.ts";

export const DEFAULT_TARGET = "examples/header-routing";

/** Options of {@linkcode runLocalEnvoy}; everything but `target` has a default. */
export interface RunOptions {
  /** An example folder (its `routes.yaml` is read) or a route file. */
  target: string;
  /** The loopback port of the routes' first service port (default 10000). */
  listenerPort?: number;
  adminPort?: number;
  /** An Envoy binary: func-e runs it (ENVOY_PATH), or it runs directly without func-e. */
  envoy?: string;
  /** Where `envoy.yaml` is written; default a new temporary directory. */
  outDir?: string;
  /** Builds the filter module; default {@linkcode buildFilter}. */
  build?: () => Promise<unknown>;
  /** Default `filter/build/filter.wasm`. */
  wasmPath?: string;
  /** Where func-e and envoy are looked for; default `$PATH`. */
  searchPath?: string;
  /** Environment for func-e (e.g. `FUNC_E_HOME`, `ENVOY_VERSIONS_URL`). */
  env?: Record<string, string>;
  /** Progress and echo-server lines; default `console.log`. */
  log?: (line: string) => void;
  /** Problems; default `console.error`. */
  error?: (line: string) => void;
  /** Called once Envoy's process started, with a way to stop it (tests). */
  onStarted?: (stop: () => void) => void;
}

/** How Envoy will be started: the command and its environment, or why it cannot be. */
export async function envoyCommand(
  o: Pick<RunOptions, "envoy" | "searchPath" | "env">,
): Promise<{ command: string; args: string[]; env: Record<string, string> } | { missing: string }> {
  const funcE = await findExecutable("func-e", o.searchPath);
  if (funcE) {
    return { command: funcE, args: ["run"], env: { ...o.env, ...(o.envoy ? { ENVOY_PATH: o.envoy } : {}) } };
  }
  const envoy = o.envoy ?? await findExecutable("envoy", o.searchPath);
  if (envoy) return { command: envoy, args: [], env: { ...o.env } };
  return { missing: FUNC_E_INSTALL };
}

/** Runs the local loop until Envoy exits; resolves to the exit code. */
export async function runLocalEnvoy(options: RunOptions): Promise<number> {
  const log = options.log ?? console.log;
  const error = options.error ?? console.error;
  // Prerequisites first: nothing is built or started for a run that cannot happen.
  const runner = await envoyCommand(options);
  if ("missing" in runner) {
    error(runner.missing);
    return 1;
  }
  const { file, routes } = await loadRoutes(options.target);
  await (options.build ?? buildFilter)();
  const compiled = await compile(routes, { generation: 1 });
  log(
    `compiled ${routes.length} HTTPRoute(s) from ${file}: ${compiled.blob.length}-byte packed blob, sha256 ${compiled.sha256}`,
  );
  for (const status of compiled.statuses) {
    for (const parent of status.parents) {
      for (const c of parent.conditions.filter((c) => c.status !== "True")) {
        error(`warning: HTTPRoute ${status.route}: ${c.type}=${c.status} (${c.reason}): ${c.message}`);
      }
    }
  }

  const upstreams: Upstreams = await startUpstreams([
    ...tableBackends(compiled.table).map((b) => b.cluster),
    PASSTHROUGH,
  ]);
  upstreams.onRequest = (r) => {
    const shown = r.headers.filter(([k]) =>
      !["accept", "user-agent", "x-forwarded-proto", "x-envoy-expected-rq-timeout-ms"].includes(k)
    );
    log(`[${r.cluster}] ${r.method} ${r.path} ${shown.map(([k, v]) => `${k}=${v}`).join(" ")}`);
  };
  try {
    for (const u of upstreams.addresses) log(`echo ${u.cluster} on ${u.address}:${u.port}`);
    const outDir = options.outDir ?? await Deno.makeTempDir({ prefix: "wasmroute-envoy-" });
    await Deno.mkdir(outDir, { recursive: true });
    const ecdsPath = join(outDir, "wasmroute-ecds.json");
    const config = await renderEnvoyConfig(compiled, upstreams.addresses, {
      wasmPath: options.wasmPath ?? FILTER_WASM.pathname,
      ecdsPath,
      listenerPort: options.listenerPort,
      adminPort: options.adminPort,
    });
    await Deno.writeTextFile(ecdsPath, JSON.stringify(config.ecds, null, 1));
    const envoyYaml = join(outDir, "envoy.yaml");
    await Deno.writeTextFile(
      envoyYaml,
      `# Written by tools/envoy for ${file}\n${stringify(config.bootstrap, { lineWidth: 0 })}`,
    );
    log(`wrote ${envoyYaml} and ${ecdsPath} (the WasmPlugin's configuration, by ECDS)`);
    for (const [service, local] of config.ports) {
      log(`localhost:${local} is service port ${service} (as the sidecar captures it)`);
    }
    const first = [...config.ports.values()][0] ?? options.listenerPort ?? 10000;
    log(
      `\nstarting Envoy: ${runner.command} ${
        [...runner.args, "-c", envoyYaml].join(" ")
      }\ntry, once it listens:`,
    );
    for (const line of sampleRequests(compiled.table, first)) log(`  ${line}`);
    log(`filter metrics: curl -s localhost:${options.adminPort ?? 9901}/stats | grep wasmroute\n`);
    const child = new Deno.Command(runner.command, {
      args: [...runner.args, "-c", envoyYaml],
      env: runner.env,
      stdin: "null",
    }).spawn();
    const stop = () => child.kill("SIGINT");
    options.onStarted?.(stop);
    Deno.addSignalListener("SIGINT", stop);
    try {
      return (await child.status).code;
    } finally {
      Deno.removeSignalListener("SIGINT", stop);
    }
  } finally {
    await upstreams.close();
  }
}

const USAGE = `Usage: deno task envoy [examples/<name> | route file] [flags]

Runs the filter in a real Envoy (through func-e) in front of echo servers, configured as Istio
configures a sidecar. Default target: ${DEFAULT_TARGET}.

Flags:
  --port <n>         the loopback port of the routes' first service port (default 10000; further ports follow)
  --admin-port <n>   Envoy's admin interface (default 9901)
  --envoy <path>     an Envoy binary (func-e runs it; without func-e it runs directly)
  --out-dir <dir>    where envoy.yaml is written (default: a new temporary directory)
  -h, --help         show this help`;

/** Parses `args` and runs; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: "string" },
        "admin-port": { type: "string" },
        envoy: { type: "string" },
        "out-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const number = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`--${name} "${v}" is not a port number`);
    return Number(v);
  };
  try {
    return await runLocalEnvoy({
      target: positionals[0] ?? DEFAULT_TARGET,
      listenerPort: number(values.port, "port"),
      adminPort: number(values["admin-port"], "admin-port"),
      envoy: values.envoy,
      outDir: values["out-dir"],
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
