/**
 * A benchmark subprocess: the real policy server (`policy-server/main.ts`, same flags) or, with
 * `--hello`, a bare Hono hello-world app, listening on loopback. On SIGUSR1 it prints
 * `{"benchMemory": Deno.memoryUsage()}` on stdout, so the benchmark can read the server's own memory.
 *
 * Usage: deno run --allow-net=127.0.0.1 --allow-read --allow-write --allow-env tools/bench/server_entry.ts
 *        [--hello | policy server flags]
 *
 * @module
 */
import { Hono } from "hono";
import { main } from "../../policy-server/main.ts";

const report = () => console.log(JSON.stringify({ benchMemory: Deno.memoryUsage() }));
Deno.addSignalListener("SIGUSR1", report);

if (Deno.args[0] === "--hello") {
  const app = new Hono();
  app.get("/", (c) => c.text("Hello Hono!"));
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ hostname, port }) =>
      console.log(JSON.stringify({ msg: "listening", url: `http://${hostname}:${port}` })),
  }, app.fetch);
  const stop = () => server.shutdown();
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.removeSignalListener("SIGUSR1", report);
} else {
  const code = await main(Deno.args);
  Deno.removeSignalListener("SIGUSR1", report);
  Deno.exit(code);
}
