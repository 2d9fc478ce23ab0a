import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { createApp } from "../app.ts";
import { sampleRoute } from "../model/testing.ts";
import { Store } from "../store/store.ts";
import { expectStatus, withApp, withServer } from "../testing.ts";

Deno.test("GET /readyz is 503 until the first compile, then 200 with the generation", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const { compile } = await import("../compile/mod.ts");
  await withApp(async ({ app }) => {
    const body = await expectStatus(await app.request("/readyz"), 503, "ServiceUnavailable");
    assertMatch(body.message, /not ready/);
    release();
    let res = await app.request("/readyz");
    for (let i = 0; i < 50 && res.status !== 200; i++) {
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, 20));
      res = await app.request("/readyz");
    }
    assertEquals([res.status, await res.json()], [200, { status: "ready", generation: 1 }]);
  }, { compile: async (objects, options) => (await gate, compile(objects, options)) });
});

Deno.test("GET /readyz is 503 when the store no longer answers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-readyz-" });
  const store = await Store.open(`${dir}/wasmroute.kv`);
  try {
    const app = createApp({ store, log: () => {}, trustUnseenGateways: true }); // sample routes name an unstored Gateway
    await (await app.request("/v1/routes")).body?.cancel();
    assertEquals((await app.request("/readyz")).status, 200);
    store.close();
    await expectStatus(await app.request("/readyz"), 503, "ServiceUnavailable");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("over HTTP: GET /metrics counts requests by route pattern, validation failures, compiles and the blob", async () => {
  await withServer(async (base) => {
    const post = (body: unknown) =>
      fetch(`${base}/v1/routes`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).then((r) => r.body?.cancel());
    await post(sampleRoute("a"));
    const bad = sampleRoute("bad");
    bad.spec.rules![0].backendRefs![0].port = 0;
    await post(bad);
    await fetch(`${base}/v1/routes/default/a`).then((r) => r.body?.cancel());
    await fetch(`${base}/v1/routes/default/b`).then((r) => r.body?.cancel());
    await fetch(`${base}/nowhere`).then((r) => r.body?.cancel());

    const res = await fetch(`${base}/metrics`);
    assertEquals(res.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const has = (line: string) => assert(text.split("\n").includes(line), `missing ${line} in\n${text}`);
    has('wasmroute_http_requests_total{method="POST",route="/v1/routes",status="201"} 1');
    has('wasmroute_http_requests_total{method="POST",route="/v1/routes",status="422"} 1');
    has('wasmroute_http_requests_total{method="GET",route="/v1/routes/:namespace/:name",status="200"} 1');
    has('wasmroute_http_requests_total{method="GET",route="/v1/routes/:namespace/:name",status="404"} 1');
    has('wasmroute_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    has('wasmroute_validation_failures_total{reason="Invalid"} 1');
    has("wasmroute_blob_generation 2");
    assertMatch(text, /^wasmroute_blob_bytes [1-9]\d*$/m);
    assertMatch(text, /^wasmroute_compile_duration_seconds_count 2$/m);
    assertMatch(text, /^# TYPE wasmroute_pushes_total counter$/m);
    assertMatch(text, /^# TYPE wasmroute_push_failures_total counter$/m);
  });
});
