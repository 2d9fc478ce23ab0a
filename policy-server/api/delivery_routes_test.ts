// Pull delivery through the real app on a loopback port: ETag/304, long-poll, the config format,
// the filter module.
import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { createApp } from "../app.ts";
import { sha256Hex } from "../compile/mod.ts";
import { sampleRouteYaml } from "../model/testing.ts";
import { Store } from "../store/store.ts";
import { BlobFeed } from "../delivery/transports/blob_feed.ts";
import { FilterModule } from "../delivery/transports/filter_module.ts";
import { MAX_WAIT_MS, parseWait } from "./delivery_routes.ts";
import { blobUrlOptions } from "../delivery/wasmplugin/render_wasmplugin.ts";
import type { WasmPluginOptions } from "../delivery/wasmplugin/render_wasmplugin.ts";

interface Ctx {
  base: string;
  store: Store;
  feed: BlobFeed;
  dir: string;
  post: (name?: string) => Promise<number>;
}

async function withServer(
  fn: (ctx: Ctx) => Promise<void>,
  module?: (dir: string) => string,
  plugin?: WasmPluginOptions,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-pull-" });
  const store = await Store.open(`${dir}/wasmroute.kv`);
  const feed = new BlobFeed(store);
  const filterModule = module ? new FilterModule(module(dir)) : undefined;
  // The sample route names a Gateway it does not store.
  const app = createApp({
    store,
    log: () => {},
    delivery: { feed, filterModule },
    trustUnseenGateways: true,
    plugin,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const post = async (name = "web") => {
    const res = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: sampleRouteYaml(name),
    });
    assert(res.ok, `POST answered ${res.status}`);
    return (await res.json()).blob.generation;
  };
  try {
    await (await fetch(`${base}/v1/delivery`)).body?.cancel(); // the first /v1 call compiles: generation 1
    await fn({ base, store, feed, dir, post });
  } finally {
    feed.close();
    await server.shutdown();
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());

Deno.test("GET /v1/blob: the raw blob with its ETag; a matching If-None-Match is a 304", async () => {
  await withServer(async ({ base, store }) => {
    const res = await fetch(`${base}/v1/blob`);
    const body = await bytes(res);
    const current = (await store.currentBlob())!;
    assertEquals([res.status, res.headers.get("etag"), res.headers.get("x-wasmroute-version")], [
      200,
      `"${current.sha256}"`,
      String(current.generation),
    ]);
    assertEquals([res.headers.get("content-type"), res.headers.get("cache-control")], [
      "application/octet-stream",
      "no-cache",
    ]);
    assertEquals(body, current.blob);
    for (const tag of [`"${current.sha256}"`, `W/"${current.sha256}"`, `"x", "${current.sha256}"`, "*"]) {
      const again = await fetch(`${base}/v1/blob`, { headers: { "If-None-Match": tag } });
      await again.body?.cancel();
      assertEquals([again.status, again.headers.get("etag")], [304, `"${current.sha256}"`], tag);
    }
    const stale = await fetch(`${base}/v1/blob`, { headers: { "If-None-Match": '"old"' } });
    assertEquals([stale.status, (await bytes(stale)).length], [200, current.size]);
  });
});

Deno.test("GET /v1/blob?wait=: a waiting client gets the new blob well under a second after the POST", async () => {
  await withServer(async ({ base, store, feed, post }) => {
    const first = (await store.blobMeta())!;
    const waiting = fetch(`${base}/v1/blob?wait=30s`, { headers: { "If-None-Match": `"${first.sha256}"` } })
      .then(async (res) => ({ res, body: await bytes(res), at: performance.now() }));
    while (feed.waiting === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100)); // it is really held

    const postedAt = performance.now();
    const generation = await post();
    const { res, body, at } = await waiting;
    const latency = at - postedAt;
    const current = (await store.currentBlob())!;
    assertEquals([res.status, res.headers.get("etag"), res.headers.get("x-wasmroute-version")], [
      200,
      `"${current.sha256}"`,
      String(generation),
    ]);
    assertEquals(body, current.blob);
    assert(latency < 1000, `the new blob took ${Math.round(latency)} ms to arrive`);
    assertEquals(feed.waiting, 0);
  });
});

Deno.test("GET /v1/blob?wait=: 304 when nothing changes within the wait; no wait without a matching ETag", async () => {
  await withServer(async ({ base, store }) => {
    const current = (await store.blobMeta())!;
    const t0 = performance.now();
    const held = await fetch(`${base}/v1/blob?wait=300ms`, {
      headers: { "If-None-Match": `"${current.sha256}"` },
    });
    await held.body?.cancel();
    const ms = performance.now() - t0;
    assertEquals([held.status, held.headers.get("etag")], [304, `"${current.sha256}"`]);
    assert(ms >= 280 && ms < 2000, `held ${ms} ms`);

    const t1 = performance.now();
    const stale = await fetch(`${base}/v1/blob?wait=30s`, {
      headers: { "If-None-Match": '"something-else"' },
    });
    await stale.body?.cancel();
    assertEquals(stale.status, 200);
    assert(performance.now() - t1 < 1000, "an out-of-date client is answered at once");

    const noEtag = await fetch(`${base}/v1/blob?wait=30s`);
    await noEtag.body?.cancel();
    assertEquals(noEtag.status, 200);

    const bad = await fetch(`${base}/v1/blob?wait=soon`);
    assertEquals([bad.status, (await bad.json()).reason], [400, "BadRequest"]);
  });
});

Deno.test("GET /v1/blob?wait=: a client that goes away stops waiting", async () => {
  await withServer(async ({ base, store, feed }) => {
    const current = (await store.blobMeta())!;
    const gone = new AbortController();
    const request = fetch(`${base}/v1/blob?wait=60s`, {
      headers: { "If-None-Match": `"${current.sha256}"` },
      signal: gone.signal,
    }).catch((e) => e);
    while (feed.waiting === 0) await new Promise((r) => setTimeout(r, 5));
    gone.abort();
    await request;
    const t0 = performance.now();
    while (feed.waiting > 0 && performance.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
    assertEquals(feed.waiting, 0);
  });
});

Deno.test("GET /v1/blob?format=config: the pluginConfig the filter's configure takes", async () => {
  await withServer(async ({ base, store, post }) => {
    await post();
    const current = (await store.currentBlob())!;
    const res = await fetch(`${base}/v1/blob?format=config`);
    assertEquals([res.status, res.headers.get("etag")], [200, `"${current.sha256}"`]);
    assert(res.headers.get("content-type")?.startsWith("application/json"));
    const config = await res.json();
    assertEquals(config, {
      blob: current.blob.toBase64(),
      version: String(current.generation),
      sha256: current.sha256,
    });
    assertEquals(Uint8Array.fromBase64(config.blob), current.blob);

    const scoped = await (await fetch(`${base}/v1/blob?format=config&gateway=istio-ingress/gateway`)).json();
    assertEquals(scoped.scope, "gateway:istio-ingress/gateway");

    // Long-poll works the same for the config format.
    const held = fetch(`${base}/v1/blob?format=config&wait=30s`, {
      headers: { "If-None-Match": `"${current.sha256}"` },
    });
    await new Promise((r) => setTimeout(r, 50));
    const generation = await post("other");
    assertEquals((await (await held).json()).version, String(generation));

    for (
      const query of [
        "format=xml",
        "gateway=a/b",
        "format=config&gateway=../../x",
        "format=config&gateway=NS/x",
      ]
    ) {
      const bad = await fetch(`${base}/v1/blob?${query}`);
      assertEquals(bad.status, 400, query);
      await bad.body?.cancel();
    }
  });
});

Deno.test("a blob past the inline limit is named by URL, and served by its sha256 while it is kept", async () => {
  const blobUrl = blobUrlOptions("policy.wasmroute-system.svc.cluster.local:8080", 0, "proxy-secret");
  await withServer(
    async ({ base, store, post }) => {
      await post();
      const first = (await store.currentBlob())!;
      await post("other");
      const current = (await store.currentBlob())!;
      const config = await (await fetch(`${base}/v1/blob?format=config`)).json();
      assertEquals(config, {
        blobCluster: "outbound|8080||policy.wasmroute-system.svc.cluster.local",
        blobAuthority: "policy.wasmroute-system.svc.cluster.local:8080",
        blobPath: `/v1/blob/sha256/${current.sha256}`,
        blobToken: "proxy-secret",
        version: String(current.generation),
        sha256: current.sha256,
      });
      const plugin = await (await fetch(`${base}/v1/wasmplugin?format=json`)).json();
      assertEquals(plugin.spec.pluginConfig, config);

      for (const kept of [current, first]) {
        const res = await fetch(`${base}/v1/blob/sha256/${kept.sha256}`);
        assertEquals(
          [res.status, res.headers.get("etag"), res.headers.get("x-wasmroute-version")],
          [200, `"${kept.sha256}"`, String(kept.generation)],
        );
        assertEquals(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
        assertEquals(await bytes(res), kept.blob);
        assertEquals(await sha256Hex(kept.blob), kept.sha256);
      }
      const again = await fetch(`${base}/v1/blob/sha256/${current.sha256}`, {
        headers: { "If-None-Match": `"${current.sha256}"` },
      });
      assertEquals(again.status, 304);
      await again.body?.cancel();
      const unknown = await fetch(`${base}/v1/blob/sha256/${"0".repeat(64)}`);
      assertEquals(unknown.status, 404);
      assertEquals((await unknown.json()).message, `no kept blob generation has sha256 ${"0".repeat(64)}`);
      // Only 64 lowercase hex digits name a blob.
      for (const bad of [current.sha256.toUpperCase(), current.sha256.slice(1), "g".repeat(64)]) {
        const res = await fetch(`${base}/v1/blob/sha256/${bad}`);
        assertEquals(res.status, 404, bad);
        await res.body?.cancel();
      }
    },
    undefined,
    { blobUrl },
  );
});

Deno.test("parseWait: durations, bare seconds, capped at 60 s", () => {
  assertEquals(
    ["30s", "500ms", "1m", "45", "0", "120s", "10m", undefined, ""].map(parseWait),
    [30_000, 500, 60_000, 45_000, 0, MAX_WAIT_MS, MAX_WAIT_MS, undefined, undefined],
  );
  for (const bad of ["-1s", "1h", "1.5s", "s", "30 s", "9999999999"]) assertThrows(() => parseWait(bad));
});

/** A small valid module: the magic, version 1, and a custom section so each one differs. */
const wasm = (tag: string) =>
  new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    0,
    tag.length + 1,
    tag.length,
    ...new TextEncoder().encode(tag),
  ]);

Deno.test("GET /v1/filter.wasm: the module with application/wasm, ETag and X-Wasm-Sha256", async () => {
  await withServer(async ({ base, dir }) => {
    const path = `${dir}/filter.wasm`;
    const missing = await fetch(`${base}/v1/filter.wasm`);
    assertEquals(missing.status, 404);
    assert((await missing.json()).message.includes("build:filter"));

    const module = wasm("one");
    await Deno.writeFile(path, module);
    const sha = await sha256Hex(module);
    const res = await fetch(`${base}/v1/filter.wasm`);
    assertEquals(
      [
        res.status,
        res.headers.get("content-type"),
        res.headers.get("etag"),
        res.headers.get("x-wasm-sha256"),
      ],
      [200, "application/wasm", `"${sha}"`, sha],
    );
    const body = await bytes(res);
    assertEquals(body, module);
    assertEquals(await sha256Hex(body), sha, "what Istio checks a WasmPlugin's sha256 against");
    assert(WebAssembly.validate(body as Uint8Array<ArrayBuffer>));

    const cached = await fetch(`${base}/v1/filter.wasm`, { headers: { "If-None-Match": `"${sha}"` } });
    await cached.body?.cancel();
    assertEquals(cached.status, 304);

    const head = await fetch(`${base}/v1/filter.wasm`, { method: "HEAD" });
    assertEquals([head.status, head.headers.get("x-wasm-sha256")], [200, sha]);

    // A rebuilt module is served (and hashed) anew.
    const rebuilt = wasm("two, a bit longer");
    await Deno.writeFile(path, rebuilt);
    const next = await fetch(`${base}/v1/filter.wasm`);
    assertEquals([next.headers.get("x-wasm-sha256"), await bytes(next)], [await sha256Hex(rebuilt), rebuilt]);

    await Deno.writeTextFile(path, "not a module");
    const broken = await fetch(`${base}/v1/filter.wasm`);
    await broken.body?.cancel();
    assertEquals(broken.status, 500);
  }, (dir) => `${dir}/filter.wasm`);
});

Deno.test("GET /v1/delivery without push targets: no targets, the waiting count", async () => {
  await withServer(async ({ base }) => {
    assertEquals(await (await fetch(`${base}/v1/delivery`)).json(), {
      flavours: [],
      waiting: 0,
      targets: [],
    });
  });
});
