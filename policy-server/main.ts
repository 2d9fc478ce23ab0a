/**
 * Entry point: `deno task start` (see `--help`).
 *
 * @module
 */
import { join } from "node:path";
import { createApp } from "./app.ts";
import { IncrementalCompiler } from "./compile/mod.ts";
import { ConfigError, parseConfig, USAGE } from "./config.ts";
import { Publisher } from "./delivery/write/publisher.ts";
import { startDelivery } from "./delivery/transports/delivery_service.ts";
import { createServerMetrics } from "./metrics.ts";
import { isLoopback } from "./security/is_loopback.ts";
import { parseTokens, TokenConfigError } from "./security/parse_tokens.ts";
import { TokenVerifier } from "./security/token_verifier.ts";
import { openStore } from "./store/open_store.ts";
import { StoreDamagedError } from "./store/store_damaged_error.ts";

const log = (entry: Record<string, unknown>) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), ...entry }));

/**
 * Where a person reaches the console, the API docs and the health check: a wildcard address
 * (`0.0.0.0`, `::`) is reached as localhost; an IPv6 address goes in brackets.
 */
export function serverUrls(
  hostname: string,
  port: number,
): { console: string; docs: string; health: string } {
  const host = hostname === "0.0.0.0" || hostname === "::"
    ? "localhost"
    : hostname.includes(":")
    ? `[${hostname}]`
    : hostname;
  const base = `http://${host}:${port}`;
  return { console: `${base}/console`, docs: `${base}/docs`, health: `${base}/healthz` };
}

/** Runs the server until SIGINT or SIGTERM; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let config;
  try {
    config = parseConfig(args, (name) => Deno.env.get(name));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (config === "help") {
    console.log(USAGE);
    return 0;
  }

  let tokens;
  try {
    tokens = config.tokensFile !== undefined
      ? parseTokens(await Deno.readTextFile(config.tokensFile), config.tokensFile)
      : config.tokensJson !== undefined
      ? parseTokens(config.tokensJson, "WASMROUTE_TOKENS")
      : [];
  } catch (error) {
    if (!(error instanceof TokenConfigError) && !(error instanceof Deno.errors.NotFound)) throw error;
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  if (tokens.length === 0) {
    if (!isLoopback(config.hostname) && !config.insecureOpen) {
      console.error(
        `error: no API tokens are configured, so anyone who reaches ${config.hostname} could change every route; ` +
          "give --tokens-file (or WASMROUTE_TOKENS), listen on a loopback address, or pass --insecure-open",
      );
      return 2;
    }
    const loopback = isLoopback(config.hostname);
    log({
      level: "warn",
      msg: loopback
        ? "no API tokens configured: the API is open to this machine only; requests must name a loopback " +
          "Host (no DNS rebinding) and writes from another site (Origin, Sec-Fetch-Site) are refused"
        : "no API tokens configured: the API is open to every caller who can reach it (--insecure-open)",
      hostname: config.hostname,
    });
  }
  const verifier = tokens.length ? await TokenVerifier.create(tokens) : undefined;

  await Deno.mkdir(config.dataDir, { recursive: true });
  let store;
  try {
    store = await openStore(join(config.dataDir, "wasmroute.kv"), { historyLimit: config.blobHistory });
  } catch (error) {
    if (!(error instanceof StoreDamagedError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  const metrics = createServerMetrics();
  // One compiler for the process: a write works again only what it touches, with compile()'s answer.
  const compiler = new IncrementalCompiler();
  const unseenGateways = config.trustUnseenGateways ? "trust" : "refuse";
  const publisher = new Publisher(store, {
    compileChange: (change, options) =>
      metrics.compileDuration.time(() => compiler.compileChange(change, { unseenGateways, ...options })),
    settle: (name) => compiler.settle(name),
    revert: () => compiler.revert(),
    statusOf: (route) => compiler.statusOf(route),
  });
  // Compile before listening: status is known and a blob exists when the first request arrives.
  const blob = await publisher.ready();
  metrics.blobBytes.set(blob.size);
  metrics.blobGeneration.set(blob.generation);
  // Kubernetes / GitOps pushes of each new blob, the long-poll feed, the served filter module.
  let delivery;
  try {
    delivery = await startDelivery({ store, config: config.delivery, plugin: config.plugin, log, metrics });
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    store.close();
    return 2;
  }
  const app = createApp({
    store,
    publisher,
    plugin: delivery.plugin,
    delivery: delivery.routes,
    log,
    metrics,
    tokens: verifier,
    maxBodyBytes: config.maxBodyBytes,
    // Without tokens only an address check protects the API: on loopback, the Host must say so too.
    hosts: verifier || !isLoopback(config.hostname) ? "any" : "loopback",
  });

  const server = Deno.serve({
    port: config.port,
    hostname: config.hostname,
    onListen: ({ hostname, port }) => {
      const urls = serverUrls(hostname, port);
      log({
        level: "info",
        msg: "listening",
        url: `http://${hostname}:${port}`,
        ...urls,
        dataDir: config.dataDir,
        generation: blob.generation,
        tokens: verifier?.size ?? 0,
      });
      // For a person at a terminal (`deno task start`), the same in words; logs stay JSON lines.
      if (Deno.stdout.isTerminal()) {
        console.log(`\n  console   ${urls.console}\n  API docs  ${urls.docs}\n  health    ${urls.health}\n`);
      }
    },
  }, app.fetch);

  // Stop accepting, let in-flight requests (and their KV writes) finish, then close KV.
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const stop = () => {
    log({ level: "info", msg: "shutting down" });
    server.shutdown();
    delivery.releaseWaiting(); // long-polls answer 304 now instead of holding the shutdown up
  };
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  await server.finished;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  await delivery.stop();
  store.close();
  log({ level: "info", msg: "stopped" });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
