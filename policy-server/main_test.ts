import { assertEquals, assertMatch } from "../tests/assert.ts";

/** The lines of a byte stream, as they arrive. */
async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    yield* lines;
  }
  if (buffered) yield buffered;
}

Deno.test({
  name: "main serves on the port it logs, and on SIGTERM stops cleanly, closing KV",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "wasmroute-main-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./main.ts", import.meta.url).pathname,
        "--port",
        "0",
        "--data-dir",
        `${dataDir}/nested`,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const lines = linesOf(child.stdout);
      const first = await lines.next();
      if (first.done) throw new Error("the server exited without logging (see its stderr above)");
      const started = JSON.parse(first.value);
      assertEquals([started.level, started.msg, started.generation], ["info", "listening", 1]);
      assertMatch(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);

      const health = await fetch(`${started.url}/healthz`);
      assertEquals([health.status, await health.json()], [200, { status: "ok" }]);

      child.kill("SIGTERM");
      const rest: string[] = [];
      for await (const line of lines) rest.push(JSON.parse(line).msg);
      assertEquals(rest, ["shutting down", "stopped"]);
      assertEquals((await child.status).code, 0);
      // The KV file was created in the new data dir and released.
      const kv = await Deno.openKv(`${dataDir}/nested/wasmroute.kv`);
      kv.close();
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
