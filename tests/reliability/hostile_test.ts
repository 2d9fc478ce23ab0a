// Hostile callers and damaged data (issue 19), against real servers: the policy server as a process
// of its own (so its RSS and event loop are its own) or in-process on loopback, real Deno KV files.
// Each test is one item of the issue and prints its measured figure: time to refusal, peak RSS,
// /healthz latency while the attack is refused.
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { stringify as toYaml } from "yaml";
import { sampleRoute } from "../../policy-server/model/testing.ts";
import type { KubeObject } from "../../policy-server/model/types.ts";
import type { TokenSpec } from "../../policy-server/security/parse_tokens.ts";
import { createApp } from "../../policy-server/app.ts";
import { sha256Hex } from "../../policy-server/compile/mod.ts";
import { SessionStore } from "../../policy-server/security/session_store.ts";
import { Store } from "../../policy-server/store/store.ts";
import { emulatorOptions, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import { withServer } from "../../policy-server/testing.ts";

const MAIN = new URL("../../policy-server/main.ts", import.meta.url).pathname;
const TOKENS: TokenSpec[] = [
  { name: "ops", token: "ops-token-0123456789", namespaces: ["*"], role: "operator" },
  { name: "writer-a", token: "writer-token-0123456789", namespaces: ["team-a"], role: "writer" },
  { name: "reader", token: "reader-token-0123456789", namespaces: ["*"], role: "reader" },
];
const [OPS, WRITER, READER] = TOKENS.map((t) => t.token);
const MB = 1 << 20;
const linux = Deno.build.os === "linux";

// --- a server process --------------------------------------------------------------------------

interface ServerProcess {
  url: string;
  pid: number;
  /** What the server logged on stdout before it listened. */
  startup: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Starts main.ts with `args` on a free port; resolves once it logs where it listens. */
async function startServer(dataDir: string, args: string[] = []): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--port", "0", "--data-dir", dataDir, ...args],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const startup: Record<string, unknown>[] = [];
  let buffered = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the server exited before listening");
    buffered += value;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    startup.push(...lines.map((l) => JSON.parse(l)));
    const listening = startup.find((e) => e.msg === "listening");
    if (listening) {
      (async () => {
        try {
          while (!(await reader.read()).done) { /* drain: the server never blocks on a full pipe */ }
        } catch { /* closed */ }
      })();
      return {
        url: listening.url as string,
        pid: child.pid,
        startup,
        async stop() {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
          await child.status;
        },
      };
    }
  }
}

/** VmRSS and VmHWM (peak) of `pid` in MiB; writing 5 to clear_refs resets the peak. */
async function memory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}
const resetPeak = (pid: number) => Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");

/**
 * Polls `/healthz` every 10 ms until stopped: the event loop's figure. The 95th percentile is what a
 * stalled loop moves (a parse that blocks for seconds moves every probe behind it); the worst alone
 * also moves with the machine's other load.
 */
function healthProbe(url: string) {
  let running = true;
  const times: number[] = [];
  const done = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(`${url}/healthz`);
      await res.body?.cancel();
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      times.sort((a, b) => a - b);
      const p95 = times[Math.min(times.length - 1, Math.floor(times.length * 0.95))];
      return { worst: times[times.length - 1], p95, count: times.length };
    },
  };
}

// --- raw HTTP/1.1, for bodies a fetch would not send --------------------------------------------

interface RawAnswer {
  status: number;
  /** Milliseconds from the request's first byte to the status line. */
  ms: number;
  /** The whole answer as read (head and as much body as came before the server closed). */
  text: string;
  /** Whether the server closed the connection within `closeWithinMs` after answering. */
  closed: boolean;
}

interface RawBody {
  /** The body itself (sent whole after the head), instead of generated bytes. */
  data?: string;
  /** Bytes to send after the head, in 64 KiB writes, as long as the server takes them. */
  bytes: number;
  /** Send them as HTTP/1.1 chunks (no Content-Length). */
  chunked?: boolean;
  /** Send only this many bytes, then stall. */
  stallAfter?: number;
}

async function raw(
  url: string,
  head: string,
  body: RawBody = { bytes: 0 },
  closeWithinMs = 2000,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const t0 = performance.now();
  const enc = new TextEncoder();
  let answered = false;
  const writer = (async () => {
    try {
      await write(conn, enc.encode(head.replaceAll("\n", "\r\n") + "\r\n"));
      if (body.data !== undefined) await write(conn, enc.encode(body.data));
      const piece = new Uint8Array(64 * 1024).fill(0x61);
      const limit = Math.min(body.bytes, body.stallAfter ?? Infinity);
      for (let sent = 0; sent < limit && !answered;) {
        const n = Math.min(piece.length, limit - sent);
        const data = body.chunked
          ? concat(enc.encode(`${n.toString(16)}\r\n`), piece.subarray(0, n), enc.encode("\r\n"))
          : piece.subarray(0, n);
        await write(conn, data);
        sent += n;
      }
    } catch { /* the server stopped reading: that is the point */ }
  })();
  const dec = new TextDecoder();
  let text = "", status = 0, ms = 0, closed = false;
  const buf = new Uint8Array(16 * 1024);
  let deadline = Infinity;
  try {
    while (true) {
      const n = await withTimeout(
        conn.read(buf),
        Math.max(1, Math.min(deadline, 60_000) - performance.now()),
      );
      if (n === "timeout") break;
      if (n === null) {
        closed = status > 0;
        break;
      }
      text += dec.decode(buf.subarray(0, n), { stream: true });
      if (!status && /^HTTP\/1\.1 (\d{3})/.test(text)) {
        status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)![1]);
        ms = performance.now() - t0;
        answered = true;
        deadline = performance.now() + closeWithinMs;
      }
    }
  } catch {
    closed = status > 0; // reset by the server
  } finally {
    answered = true;
    try {
      conn.close();
    } catch { /* closed */ }
    await writer;
  }
  return { status, ms, text, closed };
}

async function write(conn: Deno.Conn, data: Uint8Array) {
  for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) out.set(p, (off += p.length) - p.length);
  return out;
}
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), ms))]);
  } finally {
    clearTimeout(timer);
  }
}

const hostOf = (url: string) => new URL(url).host;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

async function withDataDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-hostile-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function withTokensServer(fn: (server: ServerProcess) => Promise<void>) {
  await withDataDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/tokens.json`, JSON.stringify(TOKENS));
    const server = await startServer(`${dir}/data`, ["--tokens-file", `${dir}/tokens.json`]);
    try {
      await fn(server);
    } finally {
      await server.stop();
    }
  });
}

// --- 1. one request budget ----------------------------------------------------------------------

Deno.test({
  name: "hostile: 50-200 MB bodies to the console and the API are refused at the size limit; RSS stays flat",
  ignore: !linux,
  async fn() {
    await withTokensServer(async (server) => {
      const host = hostOf(server.url);
      const before = await memory(server.pid);
      await resetPeak(server.pid);
      const probe = healthProbe(server.url);
      const cases: { name: string; head: string; body: RawBody; want: number }[] = [
        {
          name: "50 MB form to /console/edit, unauthenticated",
          head:
            `POST /console/edit HTTP/1.1\nHost: ${host}\nContent-Type: application/x-www-form-urlencoded\n` +
            `Content-Length: ${50 * MB}\n`,
          body: { bytes: 50 * MB },
          want: 413,
        },
        {
          name: "50 MB chunked form to /console/edit",
          head:
            `POST /console/edit HTTP/1.1\nHost: ${host}\nContent-Type: application/x-www-form-urlencoded\n` +
            `Transfer-Encoding: chunked\n`,
          body: { bytes: 50 * MB, chunked: true },
          want: 413,
        },
        {
          name: "50 MB multipart to /console/login",
          head: `POST /console/login HTTP/1.1\nHost: ${host}\n` +
            `Content-Type: multipart/form-data; boundary=x\nContent-Length: ${50 * MB}\n`,
          body: { bytes: 50 * MB },
          want: 413,
        },
        {
          name: "200 MB chunked YAML to /v1/routes with an operator token",
          head: `POST /v1/routes HTTP/1.1\nHost: ${host}\nAuthorization: Bearer ${OPS}\n` +
            `Content-Type: application/yaml\nTransfer-Encoding: chunked\n`,
          body: { bytes: 200 * MB, chunked: true },
          want: 413,
        },
      ];
      const problems: string[] = [];
      let slowest = 0;
      for (const c of cases) {
        const res = await raw(server.url, c.head, c.body);
        slowest = Math.max(slowest, res.ms);
        console.log(`  ${c.name}: ${res.status} in ${res.ms.toFixed(1)} ms`);
        if (res.status !== c.want) problems.push(`${c.name}: ${res.status}, expected ${c.want}`);
      }
      const health = await probe.stop();
      const after = await memory(server.pid);
      const growth = after.peak - before.rss;
      console.log(
        `hostile bodies: cases tried ${cases.length}, failures ${problems.length}, slowest refusal ${
          slowest.toFixed(1)
        } ms, peak RSS ${after.peak.toFixed(0)} MB (+${growth.toFixed(0)} MB over ${
          before.rss.toFixed(0)
        } MB), /healthz worst ${health.worst.toFixed(1)} ms of ${health.count}`,
      );
      assertEquals(problems, []);
      assert(growth < 40, `peak RSS grew by ${growth.toFixed(0)} MB`);
      assert(slowest < 1000, `a refusal took ${slowest.toFixed(0)} ms`);
    });
  },
});

Deno.test({
  name:
    "hostile: 500,000 nested [ is refused in milliseconds, a reader's before parsing; /healthz stays under 50 ms",
  ignore: !linux,
  async fn() {
    await withTokensServer(async (server) => {
      const nested = "[".repeat(500_000);
      const cases: { name: string; token: string; type: string; want: number }[] = [
        { name: "reader, JSON", token: READER, type: "application/json", want: 403 },
        { name: "writer, JSON", token: WRITER, type: "application/json", want: 400 },
        { name: "writer, YAML", token: WRITER, type: "application/yaml", want: 400 },
        { name: "writer, no media type", token: WRITER, type: "text/plain", want: 415 },
        { name: "operator, YAML flow mappings", token: OPS, type: "application/yaml", want: 400 },
        { name: "operator, 500,000 block sequence levels", token: OPS, type: "application/yaml", want: 400 },
      ];
      const bodies = [nested, nested, nested, nested, "{a: ".repeat(200_000), "- ".repeat(500_000)];
      const problems: string[] = [];
      let slowest = 0, sent = 0;
      const attack = async (i: number) => {
        const c = cases[i];
        const t0 = performance.now();
        const res = await fetch(`${server.url}/v1/routes`, {
          method: "POST",
          headers: { ...auth(c.token), "Content-Type": c.type },
          body: bodies[i],
        });
        await res.body?.cancel();
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        sent++;
        if (res.status !== c.want) problems.push(`${c.name}: ${res.status}, expected ${c.want}`);
        return { status: res.status, ms };
      };
      for (const [i, c] of cases.entries()) {
        const { status, ms } = await attack(i);
        console.log(`  ${c.name}: ${status} in ${ms.toFixed(1)} ms`);
      }
      // Then two attackers cycle through them for two seconds while /healthz is asked every 10 ms.
      const probe = healthProbe(server.url);
      const until = performance.now() + 2000;
      await Promise.all([0, 1].map(async (k) => {
        for (let n = k; performance.now() < until; n++) await attack(n % cases.length);
      }));
      const health = await probe.stop();
      console.log(
        `hostile parse: cases tried ${sent}, failures ${problems.length}, slowest refusal ${
          slowest.toFixed(1)
        } ms, /healthz p95 ${health.p95.toFixed(1)} ms, worst ${
          health.worst.toFixed(1)
        } ms of ${health.count} during the attack`,
      );
      assertEquals(problems, []);
      assert(health.p95 < 50, `/healthz p95 ${health.p95.toFixed(1)} ms`);
      assert(health.worst < 250, `/healthz took ${health.worst.toFixed(1)} ms: the loop stalled`);
    });
  },
});

Deno.test({
  name:
    "hostile: a 999-route (690 KB) YAML write is parsed off the event loop; /healthz p95 stays under 50 ms",
  ignore: !linux,
  async fn() {
    await withTokensServer(async (server) => {
      const docs = Array.from({ length: 999 }, (_, i) => "---\n" + toYaml(sampleRoute(`r${i}`, "team-a")));
      const body = docs.join("");
      const probe = healthProbe(server.url);
      await new Promise((r) => setTimeout(r, 100));
      const times: number[] = [];
      for (let round = 0; round < 3; round++) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/v1/routes?dryRun=All`, {
          method: "POST",
          headers: { ...auth(OPS), "Content-Type": "application/yaml" },
          body,
        });
        await res.body?.cancel();
        times.push(performance.now() - t0);
      }
      const health = await probe.stop();
      console.log(
        `hostile large YAML: cases tried 3, failures 0, ${body.length} B of YAML answered in ${
          times.map((t) => t.toFixed(0)).join("/")
        } ms, /healthz p95 ${health.p95.toFixed(1)} ms, worst ${
          health.worst.toFixed(1)
        } ms of ${health.count}`,
      );
      assert(health.p95 < 50, `/healthz p95 ${health.p95.toFixed(1)} ms`);
      // The worst is not asserted: validating and compiling 999 routes (about 100-300 ms on this
      // machine under load) still runs on the loop; the parse, the part that grows with the bytes,
      // does not. Parsed in place, every write held /healthz for the whole parse (about 560 ms).
    });
  },
});

Deno.test("hostile: bodies that stall, long polls beyond the cap and 5,000-route writes are refused early", async () => {
  await withServer(async (base, { store }) => {
    const host = hostOf(base);
    const problems: string[] = [];
    // Stalled bodies: announced 1,000 bytes, sent 3. Without a token: 401 at once, body unread.
    const t0 = performance.now();
    const stalling = Promise.all(Array.from({ length: 200 }, (_, i) =>
      raw(
        base,
        `POST /v1/routes HTTP/1.1\nHost: ${host}\n${i % 2 ? `Authorization: Bearer ${WRITER}\n` : ""}` +
          `Content-Type: application/yaml\nContent-Length: 1000\n`,
        { bytes: 1000, stallAfter: 3 },
      )));
    // Meanwhile a valid writer is served: the stalled bodies hold no slot it needs past its deadline.
    await new Promise((r) => setTimeout(r, 1200));
    const tw = performance.now();
    const valid = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { ...auth(WRITER), "Content-Type": "application/json" },
      body: JSON.stringify(sampleRoute("valid", "team-a")),
    });
    await valid.body?.cancel();
    const validMs = performance.now() - tw;
    if (valid.status !== 201) problems.push(`a valid write during the stall: ${valid.status}`);
    const stalled = await stalling;
    const stalledMs = performance.now() - t0;
    const unauth = stalled.filter((_, i) => i % 2 === 0), writers = stalled.filter((_, i) => i % 2 === 1);
    if (unauth.some((r) => r.status !== 401)) {
      problems.push(`unauthenticated: ${unauth.map((r) => r.status)}`);
    }
    // A writer's stalled body holds one of the bodies read at once (32) until its deadline, the rest
    // wait for a turn within theirs: every one is a 408 at its deadline.
    if (writers.some((r) => r.status !== 408)) {
      problems.push(`stalled writers: ${writers.map((r) => r.status)}`);
    }
    const open = stalled.filter((r) => !r.closed).length;
    // Deno.serve (2.9) has no read timeout and keeps a connection whose body never ends open after
    // the answer, Connection: close or not: measured here, not asserted (docs/configuration.md).
    const slowest401 = Math.max(...unauth.map((r) => r.ms)),
      slowest408 = Math.max(...writers.map((r) => r.ms));
    console.log(
      `  200 stalled bodies: 401 within ${slowest401.toFixed(0)} ms, 408 within ${
        slowest408.toFixed(0)
      } ms, ` +
        `a valid write meanwhile ${valid.status} in ${
          validMs.toFixed(0)
        } ms, ${open} sockets left open by Deno.serve`,
    );

    // Long polls: the cap (here 50) holds; the next is a 429 at once, and those held still hear news.
    const blob = await fetch(`${base}/v1/blob`, { headers: auth(OPS) });
    const etag = blob.headers.get("ETag")!;
    await blob.body?.cancel();
    const held = Array.from(
      { length: 50 },
      () => fetch(`${base}/v1/blob?wait=30s`, { headers: { ...auth(OPS), "If-None-Match": etag } }),
    );
    await new Promise((r) => setTimeout(r, 200));
    const t1 = performance.now();
    const over = await Promise.all(
      Array.from(
        { length: 10 },
        () => fetch(`${base}/v1/blob?wait=30s`, { headers: { ...auth(OPS), "If-None-Match": etag } }),
      ),
    );
    const overMs = performance.now() - t1;
    for (const res of over) await res.body?.cancel();
    if (over.some((r) => r.status !== 429 || r.headers.get("Retry-After") !== "5")) {
      problems.push(`long polls over the cap: ${over.map((r) => r.status)}`);
    }
    const write = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { ...auth(OPS), "Content-Type": "application/json" },
      body: JSON.stringify(sampleRoute("news", "team-a")),
    });
    await write.body?.cancel();
    const heard = await Promise.all(held.map(async (p) => {
      const res = await p;
      await res.body?.cancel();
      return res.status;
    }));
    if (heard.some((s) => s !== 200)) problems.push(`held long polls: ${heard}`);
    console.log(
      `  long polls: 50 held, 10 more refused 429 in ${overMs.toFixed(1)} ms, 50 answered 200 on news`,
    );

    // 5,000 routes in one POST (under a raised body limit): 413 before validation and compile.
    const routes = Array.from({ length: 5000 }, (_, i) => sampleRoute(`r${i}`, "team-a"));
    const t2 = performance.now();
    const big = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { ...auth(OPS), "Content-Type": "application/json" },
      body: JSON.stringify(routes),
    });
    const bigMs = performance.now() - t2;
    const bigBody = await big.json();
    if (big.status !== 413) problems.push(`5,000 routes: ${big.status} ${bigBody.message}`);
    console.log(`  5,000 routes in one POST: ${big.status} in ${bigMs.toFixed(0)} ms (${bigBody.message})`);
    assertEquals((await store.list()).map((o) => o.metadata.name).sort(), ["news", "valid"]);
    console.log(
      `hostile resources: cases tried ${
        200 + 10 + 1
      }, failures ${problems.length}, stalled bodies answered in ${
        stalledMs.toFixed(0)
      } ms, long-poll refusal ${overMs.toFixed(1)} ms, 5,000 routes refused in ${bigMs.toFixed(0)} ms`,
    );
    assertEquals(problems, []);
    assert(bigMs < 1000, `5,000 routes took ${bigMs.toFixed(0)} ms to refuse`);
  }, { tokenSpecs: TOKENS, budget: { bodyTimeoutMs: 1000, maxBodyBytes: 8 * MB }, maxLongPolls: 50 });
});

// --- 2. open mode on a laptop ----------------------------------------------------------------------

Deno.test({
  name:
    "hostile: open mode answers loopback Hosts only and refuses cross-site writes, and says so at startup",
  ignore: !linux,
  async fn() {
    await withDataDir(async (dir) => {
      const server = await startServer(`${dir}/data`);
      try {
        const warning = server.startup.find((e) => e.level === "warn");
        assertMatch(String(warning?.msg), /open to this machine only.*loopback Host.*Origin, Sec-Fetch-Site/);
        const route = JSON.stringify(sampleRoute("evil", "default"));
        const port = new URL(server.url).port;
        const rebound = `evil.example:${port}`;
        const cases: { name: string; head: string; body?: string; want: number }[] = [
          {
            name: "cross-origin text/plain POST of routes",
            head: `POST /v1/routes HTTP/1.1\nHost: 127.0.0.1:${port}\nOrigin: http://evil.example\n` +
              `Content-Type: text/plain;charset=UTF-8\nSec-Fetch-Site: cross-site\nContent-Length: ${route.length}\n`,
            body: route,
            want: 403,
          },
          {
            name: "text/plain POST of routes from a script",
            head: `POST /v1/routes HTTP/1.1\nHost: 127.0.0.1:${port}\nContent-Type: text/plain\n` +
              `Content-Length: ${route.length}\n`,
            body: route,
            want: 415,
          },
          {
            name: "cross-origin rollback",
            head: `POST /v1/blob/rollback HTTP/1.1\nHost: 127.0.0.1:${port}\nOrigin: http://evil.example\n` +
              `Content-Type: text/plain\nContent-Length: 16\n`,
            body: '{"generation":1}',
            want: 403,
          },
          {
            name: "same-site page on another port",
            head: `POST /v1/routes HTTP/1.1\nHost: 127.0.0.1:${port}\nOrigin: http://127.0.0.1:3000\n` +
              `Content-Type: application/json\nContent-Length: ${route.length}\n`,
            body: route,
            want: 403,
          },
          {
            name: "DNS rebinding: the console's edit page",
            head: `GET /console/edit HTTP/1.1\nHost: ${rebound}\n`,
            want: 403,
          },
          {
            name: "DNS rebinding: a console POST",
            head:
              `POST /console/edit HTTP/1.1\nHost: ${rebound}\nContent-Type: application/x-www-form-urlencoded\n` +
              `Content-Length: 12\n`,
            body: "action=apply",
            want: 403,
          },
          { name: "DNS rebinding: the API", head: `GET /v1/routes HTTP/1.1\nHost: ${rebound}\n`, want: 403 },
          {
            name: "DNS rebinding: a JSON write",
            head: `POST /v1/routes HTTP/1.1\nHost: ${rebound}\nContent-Type: application/json\n` +
              `Content-Length: ${route.length}\n`,
            body: route,
            want: 403,
          },
        ];
        const problems: string[] = [];
        let slowest = 0;
        for (const c of cases) {
          const res = await raw(server.url, c.head, { bytes: 0, data: c.body });
          slowest = Math.max(slowest, res.ms);
          if (res.status !== c.want) problems.push(`${c.name}: ${res.status}, expected ${c.want}`);
          if (/_csrf/.test(res.text)) problems.push(`${c.name}: the answer carries a CSRF token`);
        }
        const stored = await (await fetch(`${server.url}/v1/routes`)).json();
        if (stored.items.length) {
          problems.push(`stored: ${stored.items.map((o: KubeObject) => o.metadata.name)}`);
        }
        const local = await fetch(`${server.url}/v1/routes`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: route,
        });
        await local.body?.cancel();
        if (local.status !== 201) problems.push(`a local script's write: ${local.status}`);
        console.log(
          `hostile open mode: cases tried ${cases.length + 1}, failures ${problems.length}, slowest refusal ${
            slowest.toFixed(1)
          } ms`,
        );
        assertEquals(problems, []);
      } finally {
        await server.stop();
      }
    });
  },
});

// --- 3. console sessions and hardened headers -------------------------------------------------------

Deno.test("hostile: console sessions are server-side ids that expire and die at logout; every answer is hardened", async () => {
  const sessions = new SessionStore({ ttlMs: 300 });
  await withServer(async (base) => {
    const problems: string[] = [];
    const login = async () => {
      const page = await fetch(`${base}/console/login`);
      const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await page.text())![1];
      const sid = page.headers.getSetCookie().find((c) =>
        c.startsWith("wasmroute_console_sid=")
      )!.split(";")[0];
      const res = await fetch(`${base}/console/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: sid },
        body: new URLSearchParams({ _csrf: csrf, token: OPS, next: "/console" }),
      });
      await res.body?.cancel();
      const session = res.headers.getSetCookie().find((c) => c.startsWith("wasmroute_console_session="))!;
      const newSid = res.headers.getSetCookie().find((c) => c.startsWith("wasmroute_console_sid="))!;
      return { session, cookie: `${session.split(";")[0]}; ${newSid.split(";")[0]}` };
    };
    const status = async (cookie: string) => {
      const res = await fetch(`${base}/console`, { redirect: "manual", headers: { Cookie: cookie } });
      await res.body?.cancel();
      return res.status;
    };
    const first = await login();
    if (first.session.includes(OPS)) problems.push("the cookie holds the token");
    if (!/Max-Age=\d+/.test(first.session)) problems.push(`no expiry: ${first.session}`);
    if (await status(first.cookie) !== 200) problems.push("a fresh session is not accepted");
    const page = await (await fetch(`${base}/console/edit`, { headers: { Cookie: first.cookie } })).text();
    const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(page)![1];
    const out = await fetch(`${base}/console/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: first.cookie },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    await out.body?.cancel();
    if (await status(first.cookie) !== 303) problems.push("a logged-out session still works when replayed");
    const second = await login();
    await new Promise((r) => setTimeout(r, 350));
    if (await status(second.cookie) !== 303) problems.push("an expired session still works");

    // Hardened headers on answers, refusals, the console's error pages and the docs alike.
    const answers: [string, RequestInit][] = [
      ["/healthz", {}],
      ["/docs", {}],
      ["/openapi.json", {}],
      ["/console/login", {}],
      ["/console/nope", { headers: { Authorization: `Bearer ${OPS}` } }],
      ["/v1/routes", {}], // 401
      ["/v1/blob/history", { headers: auth(WRITER) }], // 403
      ["/console/edit", { method: "POST", headers: { Authorization: `Bearer ${READER}` } }], // 403 page
      ["/nowhere", {}], // 404
    ];
    for (const [path, init] of answers) {
      const res = await fetch(`${base}${path}`, { redirect: "manual", ...init });
      await res.body?.cancel();
      const h = (n: string) => res.headers.get(n) ?? "";
      if (!/default-src 'self'/.test(h("Content-Security-Policy")) || h("X-Frame-Options") !== "DENY") {
        problems.push(
          `${path} (${res.status}): CSP "${h("Content-Security-Policy")}", XFO "${h("X-Frame-Options")}"`,
        );
      }
      if (h("Cache-Control") !== "no-store") {
        problems.push(
          `${path} (${res.status}): Cache-Control "${h("Cache-Control")}"`,
        );
      }
    }
    console.log(
      `hostile sessions: cases tried ${
        4 + answers.length
      }, failures ${problems.length}, sessions left ${sessions.size}`,
    );
    assertEquals(problems, []);
  }, { tokenSpecs: TOKENS, sessions });
});

// --- 4. stored data checked ---------------------------------------------------------------------

Deno.test({
  name: "hostile: an empty, truncated, foreign or damaged KV file stops the server with exit 2, naming it",
  ignore: !linux,
  async fn() {
    await withDataDir(async (dir) => {
      // A real store with a few generations, to truncate and to damage.
      const good = await startServer(`${dir}/good`, ["--trust-unseen-gateways"]);
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${good.url}/v1/routes`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(sampleRoute(`r${i}`, "team-a")),
        });
        await res.body?.cancel();
      }
      await fetch(`${good.url}/healthz`).then((r) => r.body?.cancel());
      await good.stop();
      // Killed, the server left its writes in the WAL; closing a handle checkpoints them into the file.
      (await Deno.openKv(`${dir}/good/wasmroute.kv`)).close();
      const bytes = await Deno.readFile(`${dir}/good/wasmroute.kv`);
      const damagedDir = `${dir}/damaged`;
      await Deno.mkdir(damagedDir);
      await Deno.copyFile(`${dir}/good/wasmroute.kv`, `${damagedDir}/wasmroute.kv`);
      for (const suffix of ["-wal", "-shm"]) {
        await Deno.copyFile(`${dir}/good/wasmroute.kv${suffix}`, `${damagedDir}/wasmroute.kv${suffix}`).catch(
          () => {},
        );
      }
      const kv = await Deno.openKv(`${damagedDir}/wasmroute.kv`);
      const [part] = (await kv.get<{ parts: string[] }>(["blob", "history", 2])).value!.parts;
      const chunk = (await kv.get<Uint8Array>(["blob", "parts", part])).value!;
      chunk[10] ^= 0xff;
      await kv.set(["blob", "parts", part], chunk);
      kv.close();
      const foreign = await Deno.openKv(`${dir}/foreign.kv`);
      await foreign.set(["users", "alice"], { admin: true });
      foreign.close();

      const cases: [string, (file: string) => Promise<void>, RegExp][] = [
        ["empty file", (f) => Deno.writeFile(f, new Uint8Array()), /is empty \(0 bytes\)/],
        [
          "half-truncated",
          (f) => Deno.writeFile(f, bytes.subarray(0, bytes.length >> 1)),
          /truncated|cannot be read whole|cannot be opened/,
        ],
        [
          "truncated mid-page",
          (f) => Deno.writeFile(f, bytes.subarray(0, (bytes.length >> 1) + 100)),
          /not a whole number of its 4096-byte pages/,
        ],
        [
          "foreign file",
          (f) => Deno.writeTextFile(f, "not a database\n".repeat(100)),
          /is not a Deno KV \(SQLite\) database/,
        ],
        ["another program's KV", (f) => Deno.copyFile(`${dir}/foreign.kv`, f), /not one wasmroute wrote/],
      ];
      const problems: string[] = [];
      let slowest = 0;
      const run = async (name: string, dataDir: string, reason: RegExp) => {
        const t0 = performance.now();
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", MAIN, "--port", "0", "--data-dir", dataDir],
          stdout: "null",
          stderr: "piped",
        }).spawn();
        // A server that starts on a damaged file would serve forever: stop it, the case has failed.
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        const out = await child.output();
        clearTimeout(timer);
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        const stderr = new TextDecoder().decode(out.stderr);
        const file = `${dataDir}/wasmroute.kv`;
        if (out.code !== 2) problems.push(`${name}: exit ${out.code}`);
        if (!reason.test(stderr) || !stderr.includes(file) || !/Restore it from a backup/.test(stderr)) {
          problems.push(`${name}: ${stderr.slice(0, 300)}`);
        }
        if (/^\s+at /m.test(stderr)) problems.push(`${name}: a stack trace`);
        console.log(`  ${name}: exit ${out.code} in ${ms.toFixed(0)} ms`);
      };
      for (const [name, make, reason] of cases) {
        const caseDir = `${dir}/${name.replaceAll(/\W/g, "-")}`;
        await Deno.mkdir(caseDir);
        await make(`${caseDir}/wasmroute.kv`);
        await run(name, caseDir, reason);
      }
      await run("a blob whose bytes fail their digest", damagedDir, /blob 2 is damaged: its bytes hash to/);
      console.log(
        `hostile stored data: cases tried ${cases.length + 1}, failures ${problems.length}, slowest refusal ${
          slowest.toFixed(0)
        } ms (process start included)`,
      );
      assertEquals(problems, []);
    });
  },
});

Deno.test("hostile: a history blob damaged after start is answered 500, never served under its ETag", async () => {
  await withDataDir(async (dir) => {
    const store = await Store.open(`${dir}/wasmroute.kv`);
    const logs: Record<string, unknown>[] = [];
    const app = createApp({ store, log: (e) => logs.push(e), trustUnseenGateways: true });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    try {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${base}/v1/routes`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(sampleRoute(`r${i}`, "team-a")),
        });
        await res.body?.cancel();
      }
      const before = await fetch(`${base}/v1/blob/2`);
      const good = new Uint8Array(await before.arrayBuffer());
      assertEquals(before.headers.get("ETag"), `"${await sha256Hex(good)}"`);
      // Damage generation 2's bytes behind the server's back, through a second handle.
      const kv = await Deno.openKv(`${dir}/wasmroute.kv`);
      const [part] = (await kv.get<{ parts: string[] }>(["blob", "history", 2])).value!.parts;
      const chunk = (await kv.get<Uint8Array>(["blob", "parts", part])).value!;
      chunk[10] ^= 0xff;
      await kv.set(["blob", "parts", part], chunk);
      kv.close();
      const t0 = performance.now();
      const after = await fetch(`${base}/v1/blob/2`);
      const ms = performance.now() - t0;
      const body = await after.json();
      const logged = logs.some((e) => String(e.error).includes("blob 2 is damaged: its bytes hash to"));
      console.log(
        `hostile served blob: cases tried 1, failures ${
          after.status === 500 && logged ? 0 : 1
        }, damaged generation ` +
          `answered ${after.status} in ${ms.toFixed(1)} ms (${body.message})`,
      );
      assertEquals([after.status, after.headers.get("ETag"), logged], [500, null, true]);
    } finally {
      await server.shutdown();
      store.close();
    }
  });
});

// --- 5. the size check is exact -----------------------------------------------------------------------

/** `n` routes in `namespace`, each with an annotation of `bytes` bytes. */
const annotated = (n: number, bytes: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => {
    const route = sampleRoute(`${prefix}-${i}`, "team-a");
    route.metadata.annotations = { note: "x".repeat(bytes) };
    return route;
  });

Deno.test("hostile: a dry run and the real write agree on every size around the store's limit", async () => {
  await withServer(async (base) => {
    const post = async (routes: KubeObject[], dryRun: boolean) => {
      const res = await fetch(`${base}/v1/routes${dryRun ? "?dryRun=All" : ""}`, {
        method: "POST",
        headers: { ...auth(OPS), "Content-Type": "application/json" },
        body: JSON.stringify(routes),
      });
      const body = await res.json();
      return { status: res.status, message: body.message as string | undefined };
    };
    const problems: string[] = [];
    // The issue's case (990 routes, 440-byte annotations), then sizes that cross KV's byte limit.
    const crossing = [130, 150, 170, 190, 210, 230].map((n): [number, number] => [n, 4000]);
    const cases: [number, number][] = [[990, 440], ...crossing];
    const seen = new Set<number>();
    let slowest = 0;
    for (const [i, [n, bytes]] of cases.entries()) {
      const routes = annotated(n, bytes, `s${i}`);
      const t0 = performance.now();
      const dry = await post(routes, true);
      const real = await post(routes, false);
      slowest = Math.max(slowest, performance.now() - t0);
      seen.add(real.status);
      console.log(`  ${n} routes × ${bytes} B: dry run ${dry.status}, real ${real.status}`);
      if (dry.status !== real.status) {
        problems.push(
          `${n}×${bytes}: dry run ${dry.status} (${dry.message}), real ${real.status} (${real.message})`,
        );
      }
      if (real.status >= 500) problems.push(`${n}×${bytes}: ${real.status} ${real.message}`);
    }
    // At the very edge: the largest annotation the dry run takes for 160 routes is the largest the
    // real write takes, byte for byte.
    let lo = 2000, hi = 6000;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((await post(annotated(160, mid, "edge"), true)).status === 201) lo = mid;
      else hi = mid - 1;
    }
    const over = await post(annotated(160, lo + 1, "edge"), false);
    const at = await post(annotated(160, lo, "edge"), false);
    console.log(
      `  160 routes: the dry run takes ${lo} B annotations; real write at ${
        lo + 1
      } B ${over.status}, at ${lo} B ${at.status}`,
    );
    if (over.status !== 413 || at.status !== 201) {
      problems.push(
        `edge ${lo} B: real ${at.status} (${at.message}), one byte more ${over.status} (${over.message})`,
      );
    }
    const statuses = [...seen].join(",");
    console.log(
      `hostile size check: cases tried ${
        cases.length + 2
      }, failures ${problems.length}, statuses seen ${statuses}, ` +
        `edge at ${lo} B per annotation, slowest pair ${slowest.toFixed(0)} ms`,
    );
    assertEquals(problems, []);
    assert(
      seen.has(413) && [...seen].some((s) => s < 300),
      `the cases did not cross the limit: ${[...seen]}`,
    );
  }, { tokenSpecs: TOKENS, maxBodyBytes: 4 * MB });
});

// --- 6. references and the weaker spots ------------------------------------------------------------

Deno.test("hostile: unseen Gateways are not trusted by default; HEAD, Vary, duplicate keys, bad UTF-8, CR/LF", async () => {
  await withServer(async (base) => {
    const problems: string[] = [];
    const post = (body: BodyInit, type = "application/json", query = "") =>
      fetch(`${base}/v1/routes${query}`, {
        method: "POST",
        headers: { ...auth(OPS), "Content-Type": type },
        body,
      });

    // A writer's route on a Gateway nobody stored: stored, but not Accepted, and the status says why.
    const taken = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { ...auth(WRITER), "Content-Type": "application/json" },
      body: JSON.stringify(sampleRoute("takeover", "team-a")),
    });
    await taken.body?.cancel();
    const route = await (await fetch(`${base}/v1/routes/team-a/takeover`, { headers: auth(OPS) })).json();
    const accepted = route.status?.parents?.[0]?.conditions?.find((c: { type: string }) =>
      c.type === "Accepted"
    );
    if (accepted?.status !== "False" || accepted?.reason !== "NoMatchingParent") {
      problems.push(`unseen Gateway: Accepted ${JSON.stringify(accepted)}`);
    }
    const blob = await fetch(`${base}/v1/blob?format=config`, { headers: auth(OPS) });
    await blob.body?.cancel();

    // HEAD has the Content-Length of its GET; JSON answers vary by Accept.
    const get = await fetch(`${base}/v1/routes/team-a/takeover`, { headers: auth(OPS) });
    const length = (await get.arrayBuffer()).byteLength;
    const head = await fetch(`${base}/v1/routes/team-a/takeover`, { method: "HEAD", headers: auth(OPS) });
    if (head.headers.get("Content-Length") !== String(length)) {
      problems.push(`HEAD Content-Length ${head.headers.get("Content-Length")}, GET body ${length}`);
    }
    if (!/Accept/.test(get.headers.get("Vary") ?? "")) problems.push(`Vary: ${get.headers.get("Vary")}`);

    // Duplicate JSON keys, bytes that are not UTF-8, CR/LF in a header value a filter sets.
    const dup = await post(
      JSON.stringify(sampleRoute("dup", "team-a")).replace('"metadata":{', '"metadata":{"name":"a",'),
    );
    const dupBody = await dup.json();
    if (dup.status < 400 || dup.status >= 500) {
      problems.push(`duplicate key: ${dup.status} ${dupBody.message}`);
    }
    const utf8 = new TextEncoder().encode(
      JSON.stringify(sampleRoute("utf", "team-a")).replace("web.example.com", "web.example.\u00e9"),
    );
    const bad = new Uint8Array([...utf8.subarray(0, 40), 0xc3, 0x28, ...utf8.subarray(40)]);
    const badRes = await post(bad);
    const badBody = await badRes.json();
    if (badRes.status !== 400 || badBody.message !== "the body is not valid UTF-8") {
      problems.push(`invalid UTF-8: ${badRes.status} ${badBody.message}`);
    }
    const crlf = sampleRoute("crlf", "team-a");
    crlf.spec.rules![0].filters = [{
      type: "RequestHeaderModifier",
      requestHeaderModifier: { set: [{ name: "x-a", value: "a\r\nx-injected: 1" }] },
    }];
    const crlfRes = await post(JSON.stringify(crlf));
    const crlfBody = await crlfRes.json();
    const field = crlfBody.details?.causes?.[0]?.field;
    if (crlfRes.status !== 422 || field !== "spec.rules[0].filters[0].requestHeaderModifier.set[0].value") {
      problems.push(`CR/LF: ${crlfRes.status} ${field}`);
    }
    console.log(`hostile weaker spots: cases tried 6, failures ${problems.length}`);
    assertEquals(problems, []);
  }, { tokenSpecs: TOKENS, trustUnseenGateways: false });
});

// --- 7. the filter never goes back ------------------------------------------------------------------

Deno.test("hostile: a pulling filter refuses the generation 1 of a server that lost its store, unless rolled back", async () => {
  const host = newHostEmulator(
    emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(JSON.stringify({
      pullCluster: "outbound|8080||wasmroute.wasmroute-system.svc.cluster.local",
      pullAuthority: "127.0.0.1",
      pullPath: "/v1/blob?wait=1s",
    })),
  );
  assert(host.startPlugin(), host.getErrors().join("\n"));
  /** One pull from `base`, answered to the filter; returns the generation the filter then serves. */
  const pull = async (base: string) => {
    if (host.getPendingHttpCalls().length === 0) host.tick();
    const [call] = host.getPendingHttpCalls();
    const res = await fetch(`${base}/v1/blob`);
    const body = new Uint8Array(await res.arrayBuffer());
    host.callOnHttpCallResponse(
      call.token,
      [[":status", String(res.status)], ...res.headers.entries()],
      body,
    );
    const served = host.getLogMessages().filter((m) => m.includes("serving rule table generation")).at(-1);
    return Number(/generation (\d+)/.exec(served ?? "")?.[1]);
  };
  const post = async (base: string, name: string) => {
    const res = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        ...sampleRoute(name, "team-a"),
        spec: {
          ...sampleRoute(name, "team-a").spec,
          parentRefs: [{ name: "web", kind: "Service", group: "", port: 80 }],
        },
      }),
    });
    await res.body?.cancel();
  };
  const problems: string[] = [];
  await withServer(async (first) => {
    for (let i = 0; i < 5; i++) await post(first, `r${i}`); // generation 6
    if (await pull(first) !== 6) problems.push("the first server's generation 6 was not taken");
  });
  await withServer(async (second) => {
    await post(second, "new"); // a new store: generation 2
    const refusedBefore = host.getLogMessages().filter((m) => m.includes("refused pulled blob")).length;
    const served = await pull(second);
    const refused = host.getLogMessages().filter((m) => m.includes("refused pulled blob")).length -
      refusedBefore;
    if (served !== 6 || refused !== 1) {
      problems.push(`a new store's generation 2: serving ${served}, refusals ${refused}`);
    }
    await post(second, "newer"); // generation 3
    const rolled = await fetch(`${second}/v1/blob/rollback`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ generation: 2 }),
    });
    await rolled.body?.cancel();
    const after = await pull(second); // generation 4, marked as a rollback
    if (after !== 4) problems.push(`the rollback's generation 4 was not taken: serving ${after}`);
  });
  console.log(
    `hostile rewind: cases tried 3, failures ${problems.length}, generations served 6, kept 6, then 4 (rollback)`,
  );
  assertEquals(problems, []);
});
