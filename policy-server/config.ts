/**
 * Command-line flags and environment of the policy server. Flags win over the environment.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  blobUrlOptions,
  DEFAULT_BLOB_SERVICE,
  DEFAULT_MAX_INLINE_BYTES,
} from "./delivery/wasmplugin/render_wasmplugin.ts";
import type { WasmPluginOptions } from "./delivery/wasmplugin/render_wasmplugin.ts";
import {
  DELIVERY_FLAGS,
  DELIVERY_USAGE,
  parseDeliveryConfig,
} from "./delivery/transports/delivery_config.ts";
import type { DeliveryConfig } from "./delivery/transports/delivery_config.ts";

export interface Config {
  port: number;
  hostname: string;
  /** Holds `wasmroute.kv`; created if missing. */
  dataDir: string;
  plugin: WasmPluginOptions;
  /** Push (Kubernetes, GitOps) and pull (`/v1/filter.wasm`) delivery: `delivery/delivery_config.ts`. */
  delivery: DeliveryConfig;
  /** A YAML or JSON tokens file (`--tokens-file`); see `security/parse_tokens.ts`. */
  tokensFile?: string;
  /** The tokens themselves as JSON (`WASMROUTE_TOKENS`); exclusive with {@linkcode tokensFile}. */
  tokensJson?: string;
  /** Serve without tokens on a non-loopback address (`--insecure-open`). */
  insecureOpen: boolean;
  /** Blob versions kept for history and rollback, the current one included. */
  blobHistory: number;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  /** Attach routes to Gateways that are not stored while none is (`--trust-unseen-gateways`). */
  trustUnseenGateways: boolean;
}

/**
 * The largest `--inline-blob-max-bytes`: base64 makes 1 MiB about 1.33 MiB, which with the rest of
 * the object stays under etcd's default 1.5 MiB request limit; more could never be stored.
 */
export const MAX_INLINE_BYTES = 1 << 20;

/** `HOST:PORT` of `--blob-service`: a DNS name and a port. */
const SERVICE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:[0-9]{1,5}$/;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const USAGE = `wasmroute policy server

Usage: deno run --allow-net --allow-read --allow-write --allow-env policy-server/main.ts [flags]

Flags (environment variable in brackets; a flag wins, an empty variable counts as unset):
  --port <n>                 port to listen on, 0 for any free one (WASMROUTE_PORT, default 8080)
  --hostname <host>          address to listen on (WASMROUTE_HOSTNAME, default 127.0.0.1)
  --data-dir <dir>           where wasmroute.kv is kept (WASMROUTE_DATA_DIR, default .data)
  --plugin-namespace <ns>    namespace of the rendered WasmPlugin (WASMROUTE_PLUGIN_NAMESPACE, default istio-system)
  --plugin-url <url>         filter module of the rendered WasmPlugin (WASMROUTE_PLUGIN_URL)
  --plugin-kind <kind>       WasmPlugin, or TrafficExtension for Istio 1.30+ (WASMROUTE_PLUGIN_KIND,
                             default WasmPlugin)
  --inline-blob-max-bytes <n>
                             largest blob carried in the WasmPlugin; a larger one is fetched by the
                             filter from --blob-service by its sha256 (WASMROUTE_INLINE_BLOB_MAX_BYTES,
                             default ${DEFAULT_MAX_INLINE_BYTES}, at most ${MAX_INLINE_BYTES})
  --blob-service <host:port> this server as the proxies reach it, for blobs by URL
                             (WASMROUTE_BLOB_SERVICE, default ${DEFAULT_BLOB_SERVICE})
  --tokens-file <file>       API tokens, a YAML or JSON list of {name, token, namespaces, role}
                             (WASMROUTE_TOKENS_FILE)
  --insecure-open            serve without tokens on a non-loopback address (WASMROUTE_INSECURE_OPEN=true)
  --blob-history <n>         blob versions kept for history and rollback (WASMROUTE_BLOB_HISTORY, default 20)
  --max-body-bytes <n>       largest request body accepted (WASMROUTE_MAX_BODY_BYTES, default 1048576)
  --trust-unseen-gateways    while no Gateway is stored, attach routes to any Gateway parent with its
                             listeners unchecked (WASMROUTE_TRUST_UNSEEN_GATEWAYS=true); by default
                             such a route is not Accepted: a writer could take any hostname
${DELIVERY_USAGE}  -h, --help                 show this help

Environment only:
  WASMROUTE_TOKENS           the tokens list as JSON, instead of --tokens-file
  WASMROUTE_BLOB_TOKEN       the bearer token filters send to fetch a blob by URL, when tokens are
                             required (a reader for every namespace); it is written into the WasmPlugin

Without tokens the API is open to anyone who can reach it: the server then listens only on a
loopback address (127.0.0.1, ::1, localhost) unless --insecure-open is given.
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
        "plugin-kind": { type: "string" },
        "tokens-file": { type: "string" },
        "insecure-open": { type: "boolean" },
        "blob-history": { type: "string" },
        "max-body-bytes": { type: "string" },
        "trust-unseen-gateways": { type: "boolean" },
        "inline-blob-max-bytes": { type: "string" },
        "blob-service": { type: "string" },
        ...DELIVERY_FLAGS,
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
  const count = (value: string, what: string, min: number, max: number) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new ConfigError(`${what} "${value}" is not a number from ${min} to ${max}`);
    }
    return Number(value);
  };
  const tokensFile = pick(values["tokens-file"], "WASMROUTE_TOKENS_FILE");
  const tokensJson = env("WASMROUTE_TOKENS") || undefined;
  if (tokensFile !== undefined && tokensJson !== undefined) {
    throw new ConfigError(
      "set the tokens by --tokens-file (WASMROUTE_TOKENS_FILE) or WASMROUTE_TOKENS, not both",
    );
  }
  const flag = (value: boolean | undefined, name: string) => {
    const text = value ? "true" : (env(name) || "false");
    if (!["true", "false", "1", "0"].includes(text)) {
      throw new ConfigError(`${name} "${text}" is not true or false`);
    }
    return text === "true" || text === "1";
  };
  const open = flag(values["insecure-open"], "WASMROUTE_INSECURE_OPEN");
  const kind = pick(values["plugin-kind"], "WASMROUTE_PLUGIN_KIND");
  if (kind !== undefined && kind !== "WasmPlugin" && kind !== "TrafficExtension") {
    throw new ConfigError(`plugin kind "${kind}" is not WasmPlugin or TrafficExtension`);
  }
  const trustUnseenGateways = flag(values["trust-unseen-gateways"], "WASMROUTE_TRUST_UNSEEN_GATEWAYS");
  const blobService = pick(values["blob-service"], "WASMROUTE_BLOB_SERVICE") ?? DEFAULT_BLOB_SERVICE;
  if (!SERVICE.test(blobService) || Number(blobService.slice(blobService.lastIndexOf(":") + 1)) > 65535) {
    throw new ConfigError(`blob service "${blobService}" is not HOST:PORT (a lowercase DNS name and a port)`);
  }
  const blobUrl = blobUrlOptions(
    blobService,
    count(
      pick(values["inline-blob-max-bytes"], "WASMROUTE_INLINE_BLOB_MAX_BYTES") ??
        String(DEFAULT_MAX_INLINE_BYTES),
      "inline blob max bytes",
      0,
      MAX_INLINE_BYTES,
    ),
    env("WASMROUTE_BLOB_TOKEN") || undefined,
  );
  return {
    port: Number(port),
    hostname: pick(values.hostname, "WASMROUTE_HOSTNAME") ?? "127.0.0.1",
    dataDir: pick(values["data-dir"], "WASMROUTE_DATA_DIR") ?? ".data",
    plugin: {
      namespace: pick(values["plugin-namespace"], "WASMROUTE_PLUGIN_NAMESPACE"),
      url: pick(values["plugin-url"], "WASMROUTE_PLUGIN_URL"),
      ...(kind !== undefined && { kind }),
      blobUrl,
    },
    delivery: parseDeliveryConfig(values, env, {
      namespace: pick(values["plugin-namespace"], "WASMROUTE_PLUGIN_NAMESPACE"),
      url: pick(values["plugin-url"], "WASMROUTE_PLUGIN_URL"),
    }, (message) => new ConfigError(message)),
    ...(tokensFile !== undefined && { tokensFile }),
    ...(tokensJson !== undefined && { tokensJson }),
    insecureOpen: open,
    trustUnseenGateways,
    blobHistory: count(
      pick(values["blob-history"], "WASMROUTE_BLOB_HISTORY") ?? "20",
      "blob history",
      1,
      1000,
    ),
    maxBodyBytes: count(
      pick(values["max-body-bytes"], "WASMROUTE_MAX_BODY_BYTES") ?? String(1 << 20),
      "max body bytes",
      1024,
      64 << 20,
    ),
  };
}
