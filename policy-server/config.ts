/**
 * Command-line flags and environment of the policy server. Flags win over the environment.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { WasmPluginOptions } from "./delivery/render_wasmplugin.ts";

export interface Config {
  port: number;
  hostname: string;
  /** Holds `wasmroute.kv`; created if missing. */
  dataDir: string;
  plugin: WasmPluginOptions;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const USAGE = `wasmroute policy server

Usage: deno run --allow-net --allow-read --allow-write --allow-env policy-server/main.ts [flags]

Flags (environment variable in brackets):
  --port <n>                 port to listen on, 0 for any free one (WASMROUTE_PORT, default 8080)
  --hostname <host>          address to listen on (WASMROUTE_HOSTNAME, default 127.0.0.1)
  --data-dir <dir>           where wasmroute.kv is kept (WASMROUTE_DATA_DIR, default .data)
  --plugin-namespace <ns>    namespace of the rendered WasmPlugin (WASMROUTE_PLUGIN_NAMESPACE, default istio-system)
  --plugin-url <url>         filter module of the rendered WasmPlugin (WASMROUTE_PLUGIN_URL)
  -h, --help                 show this help
`;

/** `"help"` when help was asked for; throws {@linkcode ConfigError} on bad input. */
export function parseConfig(args: string[], env: (name: string) => string | undefined): Config | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        port: { type: "string" },
        hostname: { type: "string" },
        "data-dir": { type: "string" },
        "plugin-namespace": { type: "string" },
        "plugin-url": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (values.help) return "help";
  const pick = (flag: string | undefined, name: string) => flag ?? (env(name) || undefined);
  const port = pick(values.port, "WASMROUTE_PORT") ?? "8080";
  if (!/^\d+$/.test(port) || Number(port) > 65535) {
    throw new ConfigError(`port "${port}" is not a number from 0 to 65535`);
  }
  return {
    port: Number(port),
    hostname: pick(values.hostname, "WASMROUTE_HOSTNAME") ?? "127.0.0.1",
    dataDir: pick(values["data-dir"], "WASMROUTE_DATA_DIR") ?? ".data",
    plugin: {
      namespace: pick(values["plugin-namespace"], "WASMROUTE_PLUGIN_NAMESPACE"),
      url: pick(values["plugin-url"], "WASMROUTE_PLUGIN_URL"),
    },
  };
}
