import { assertEquals, assertMatch } from "../tests/assert.ts";
import { serverUrls } from "./main.ts";

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
      // Without tokens on loopback the server runs open, and says so first, with what protects it.
      const warning = JSON.parse(first.value);
      assertEquals(warning.level, "warn");
      assertMatch(
        warning.msg,
        /^no API tokens configured: the API is open to this machine only; .*loopback Host.*Origin/,
      );
      const second = await lines.next();
      if (second.done) throw new Error("the server exited without logging (see its stderr above)");
      const started = JSON.parse(second.value);
      assertEquals([started.level, started.msg, started.generation], ["info", "listening", 1]);
      assertMatch(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);

      const health = await fetch(`${started.url}/healthz`);
      assertEquals([health.status, await health.json()], [200, { status: "ok" }]);

      child.kill("SIGTERM");
      const rest: Record<string, unknown>[] = [];
      for await (const line of lines) rest.push(JSON.parse(line));
      // One structured line per request: the health check, with no token involved.
      const { time: _time, durationMs, ...request } = rest[0];
      assertEquals(typeof durationMs, "number");
      assertEquals(request, {
        level: "info",
        msg: "request",
        method: "GET",
        path: "/healthz",
        route: "/healthz",
        status: 200,
      });
      assertEquals(rest.slice(1).map((e) => e.msg), ["shutting down", "stopped"]);
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

/** Starts main.ts with `args` (and `env` added), its output piped. */
function runMain(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test({
  name: "main refuses to serve without tokens on a non-loopback address, unless --insecure-open",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "wasmroute-main-" });
    try {
      const refused = await (runMain(["--hostname", "0.0.0.0", "--port", "0", "--data-dir", dataDir]))
        .output();
      assertEquals(refused.code, 2);
      assertMatch(new TextDecoder().decode(refused.stderr), /no API tokens are configured.*--insecure-open/);
      const badTokens = await (runMain(["--port", "0", "--data-dir", dataDir], {
        WASMROUTE_TOKENS: '[{"name":"x","token":"secret-token-1","namespaces":[],"role":"reader"}]',
      })).output();
      assertEquals(badTokens.code, 2);
      const stderr = new TextDecoder().decode(badTokens.stderr);
      assertMatch(stderr, /WASMROUTE_TOKENS: entry 0 \("x"\): namespaces must be/);
      assertEquals(stderr.includes("secret-token-1"), false);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "main with a tokens file: API calls need a token, probes do not",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "wasmroute-main-" });
    const tokens = `${dataDir}/tokens.yaml`;
    await Deno.writeTextFile(
      tokens,
      "- {name: ops, token: ops-token-0123456789, namespaces: ['*'], role: operator}\n",
    );
    const child = runMain(["--port", "0", "--data-dir", `${dataDir}/data`, "--tokens-file", tokens]);
    try {
      const lines = linesOf(child.stdout);
      const first = await lines.next();
      if (first.done) throw new Error("the server exited without logging");
      const started = JSON.parse(first.value);
      assertEquals([started.msg, started.tokens], ["listening", 1]);
      const url = started.url;
      assertEquals((await fetch(`${url}/readyz`).then(async (r) => [r.status, await r.json()]))[0], 200);
      const denied = await fetch(`${url}/v1/routes`);
      assertEquals([denied.status, (await denied.json()).reason], [401, "Unauthorized"]);
      const allowed = await fetch(`${url}/v1/routes`, {
        headers: { Authorization: "Bearer ops-token-0123456789" },
      });
      assertEquals(allowed.status, 200);
      await allowed.body?.cancel();
      child.kill("SIGTERM");
      const rest: Record<string, unknown>[] = [];
      for await (const line of lines) rest.push(JSON.parse(line));
      assertEquals(rest.filter((e) => e.msg === "request").map((e) => [e.path, e.status, e.token]), [
        ["/readyz", 200, undefined],
        ["/v1/routes", 401, undefined],
        ["/v1/routes", 200, "ops"],
      ]);
      assertEquals(JSON.stringify(rest).includes("ops-token-0123456789"), false);
      assertEquals((await child.status).code, 0);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      await child.stderr.cancel().catch(() => {});
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "main refuses an empty, foreign or damaged KV file with exit code 2, naming it, and keeps it",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "wasmroute-main-" });
    const file = `${dataDir}/wasmroute.kv`;
    try {
      const foreign = await Deno.openKv(`${dataDir}/foreign.kv`);
      await foreign.set(["sessions", "x"], "another program's data");
      foreign.close();
      const cases: [string, () => Promise<void>, RegExp][] = [
        ["empty", () => Deno.writeFile(file, new Uint8Array()), /is empty \(0 bytes\)/],
        ["text", () => Deno.writeTextFile(file, "x".repeat(4096)), /is not a Deno KV \(SQLite\) database/],
        [
          "another program's KV",
          () => Deno.copyFile(`${dataDir}/foreign.kv`, file),
          /not one wasmroute wrote/,
        ],
      ];
      for (const [name, make, reason] of cases) {
        await make();
        const before = await Deno.readFile(file);
        const out = await runMain(["--port", "0", "--data-dir", dataDir]).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, 2, `${name}: ${stderr}`);
        assertMatch(stderr, reason, name);
        assertMatch(stderr, new RegExp(`^error: ${file} .*Restore it from a backup, or move it away`), name);
        assertEquals(await Deno.readFile(file), before, `${name}: the file was changed`);
        await Deno.remove(file);
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test("serverUrls names the console, API docs and health check where a person reaches them", () => {
  assertEquals(serverUrls("127.0.0.1", 8080), {
    console: "http://127.0.0.1:8080/console",
    docs: "http://127.0.0.1:8080/docs",
    health: "http://127.0.0.1:8080/healthz",
  });
  assertEquals(serverUrls("0.0.0.0", 80).console, "http://localhost:80/console");
  assertEquals(serverUrls("::1", 8080).health, "http://[::1]:8080/healthz");
});
