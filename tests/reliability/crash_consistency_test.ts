// Crash consistency: the policy server is killed with SIGKILL in the middle of many concurrent
// writes and started again on the same data. Every write that got a 2xx must be there, the store
// must open cleanly, and the served blob must equal a fresh compile of the stored routes.
import { assert, assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import type { KubeObject } from "../../policy-server/model/types.ts";

const MAIN = new URL("../../policy-server/main.ts", import.meta.url).pathname;
const WRITERS = 8;

/** Starts the server as a process of its own; resolves when it logs where it listens. */
async function start(dataDir: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--port", "0", "--data-dir", dataDir],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the server exited before listening");
    buffered += value;
    const line = buffered.split("\n").find((l) => l.includes('"listening"'));
    if (line) {
      // Keep draining stdout so the server never blocks on a full pipe.
      (async () => {
        try {
          while (!(await reader.read()).done) { /* drain */ }
        } catch { /* closed */ }
      })();
      return { child, url: JSON.parse(line).url as string };
    }
  }
}

const route = (writer: number, n: number) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: `r-${writer}-${n}`, namespace: `team-${writer}` },
  spec: {
    parentRefs: [{ name: "web", kind: "Service", group: "", port: 80 }],
    rules: [{
      matches: [{ path: { type: "PathPrefix", value: `/w${writer}/n${n}` } }],
      backendRefs: [{ name: "web", port: 80 }],
    }],
  },
});

Deno.test({
  name:
    "a SIGKILL during concurrent writes loses no acknowledged write and leaves a blob equal to a fresh compile",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "wasmroute-crash-" });
    const acknowledged = new Set<string>();
    let attempted = 0, failed = 0;
    try {
      const first = await start(dataDir);
      let stop = false;
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; !stop; n++) {
          attempted++;
          try {
            const res = await fetch(`${first.url}/v1/routes`, {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify(route(w, n)),
            });
            await res.body?.cancel();
            if (res.ok) acknowledged.add(`team-${w}/r-${w}-${n}`);
          } catch {
            failed++; // the connection died with the server: not acknowledged
            return;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 1500));
      first.child.kill("SIGKILL");
      stop = true;
      await Promise.all(writers);
      await first.child.status;

      const second = await start(dataDir);
      try {
        const list = await (await fetch(`${second.url}/v1/routes`)).json();
        const stored = new Set(
          (list.items as KubeObject[]).map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
        );
        const lost = [...acknowledged].filter((k) => !stored.has(k));
        const blobRes = await fetch(`${second.url}/v1/blob`);
        const generation = Number(blobRes.headers.get("X-Wasmroute-Version"));
        const served = new Uint8Array(await blobRes.arrayBuffer());
        const fresh = await compile(list.items, { generation });
        console.log(
          `crash: ${attempted} writes tried, ${acknowledged.size} acknowledged, ${failed} cut off by the kill, ` +
            `${stored.size} stored after restart, ${lost.length} lost`,
        );
        assertEquals(lost, [], "acknowledged writes lost in the crash");
        assert(acknowledged.size > 0, "no write was acknowledged before the kill");
        assertEquals(served, fresh.blob, "the served blob differs from a fresh compile of the stored routes");
      } finally {
        second.child.kill("SIGTERM");
        await second.child.status;
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
