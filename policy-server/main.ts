/**
 * Entry point: `deno task start` (see `--help`).
 *
 * @module
 */
import { join } from "node:path";
import { createApp } from "./app.ts";
import { compile } from "./compile/mod.ts";
import { ConfigError, parseConfig, USAGE } from "./config.ts";
import { Publisher } from "./delivery/publisher.ts";
import { Store } from "./store/store.ts";

const log = (entry: Record<string, unknown>) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), ...entry }));

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

  await Deno.mkdir(config.dataDir, { recursive: true });
  const store = await Store.open(join(config.dataDir, "wasmroute.kv"));
  const publisher = new Publisher(store, compile);
  // Compile before listening: status is known and a blob exists when the first request arrives.
  const blob = await publisher.ready();
  const app = createApp({ store, publisher, plugin: config.plugin, log });

  const server = Deno.serve({
    port: config.port,
    hostname: config.hostname,
    onListen: ({ hostname, port }) =>
      log({
        level: "info",
        msg: "listening",
        url: `http://${hostname}:${port}`,
        dataDir: config.dataDir,
        generation: blob.generation,
      }),
  }, app.fetch);

  // Stop accepting, let in-flight requests (and their KV writes) finish, then close KV.
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const stop = () => {
    log({ level: "info", msg: "shutting down" });
    server.shutdown();
  };
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  await server.finished;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  store.close();
  log({ level: "info", msg: "stopped" });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
