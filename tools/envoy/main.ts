/**
 * `deno task envoy [examples/<name> | route file] [--port 10000] [--admin-port 9901] [--out-dir DIR]`
 *
 * Builds the filter, compiles the routes, starts one echo server per backend cluster, writes an
 * `envoy.yaml` that configures the filter as Istio does, and runs it with `func-e run -c envoy.yaml`.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { compile } from "../../policy-server/compile/mod.ts";
import { buildFilter, FILTER_WASM } from "../build_filter.ts";
import { type EchoBackend, startEchoBackend } from "./echo_backend.ts";
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
  listenerPort?: number;
  adminPort?: number;
  /** Where `envoy.yaml` is written; default a new temporary directory. */
  outDir?: string;
  /** Builds the filter module; default {@linkcode buildFilter}. */
  build?: () => Promise<unknown>;
  /** Default `filter/build/filter.wasm`. */
  wasmPath?: string;
  /** Where func-e is looked for; default `$PATH`. */
  searchPath?: string;
  /** Progress and echo-server lines; default `console.log`. */
  log?: (line: string) => void;
  /** Problems; default `console.error`. */
  error?: (line: string) => void;
}

/** Runs the local loop until Envoy exits; resolves to the exit code. */
export async function runLocalEnvoy(options: RunOptions): Promise<number> {
  const log = options.log ?? console.log;
  const error = options.error ?? console.error;
  const port = options.listenerPort ?? 10000;

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

  const backends: EchoBackend[] = [];
  try {
    for (const backend of tableBackends(compiled.table)) {
      const echo = await startEchoBackend(backend, { log });
      backends.push(echo);
      log(`echo ${echo.label} on ${echo.address}:${echo.port} as cluster ${echo.cluster}`);
    }
    const config = renderEnvoyConfig(compiled, backends, {
      wasmPath: options.wasmPath ?? FILTER_WASM.pathname,
      listenerPort: port,
      adminPort: options.adminPort,
    });
    const outDir = options.outDir ?? await Deno.makeTempDir({ prefix: "wasmroute-envoy-" });
    await Deno.mkdir(outDir, { recursive: true });
    const envoyYaml = join(outDir, "envoy.yaml");
    await Deno.writeTextFile(
      envoyYaml,
      `# Written by tools/envoy for ${file}\n${stringify(config, { lineWidth: 0 })}`,
    );
    log(`wrote ${envoyYaml}`);

    const funcE = await findExecutable("func-e", options.searchPath);
    if (!funcE) {
      error(
        `\n${FUNC_E_INSTALL}\n\n${envoyYaml} is written for inspection; its echo servers stop with this command.`,
      );
      return 1;
    }
    log(`\nstarting Envoy: ${funcE} run -c ${envoyYaml}\ntry, once it listens on localhost:${port}:`);
    for (const line of sampleRequests(compiled.table, port)) log(`  ${line}`);
    log(`filter logs and metrics: curl -s localhost:${options.adminPort ?? 9901}/stats | grep wasmroute\n`);
    const child = new Deno.Command(funcE, { args: ["run", "-c", envoyYaml], stdin: "null" }).spawn();
    const stop = () => child.kill("SIGINT");
    Deno.addSignalListener("SIGINT", stop);
    try {
      return (await child.status).code;
    } finally {
      Deno.removeSignalListener("SIGINT", stop);
    }
  } finally {
    await Promise.all(backends.map((b) => b.close()));
  }
}

const USAGE = `Usage: deno task envoy [examples/<name> | route file] [flags]

Runs the filter in Envoy (through func-e) in front of echo servers, configured as Istio configures it.
Default target: ${DEFAULT_TARGET}.

Flags:
  --port <n>         Envoy's listener on 127.0.0.1 (default 10000)
  --admin-port <n>   Envoy's admin interface (default 9901)
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
      outDir: values["out-dir"],
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
