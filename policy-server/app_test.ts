import { parse as parseYaml } from "yaml";
import { assert, assertEquals, assertMatch } from "../tests/assert.ts";
import { createApp } from "./app.ts";
import type { AppDeps } from "./app.ts";
import { decodeBlob } from "./blob/mod.ts";
import { compile } from "./compile/mod.ts";
import { sampleRoute, sampleRouteYaml } from "./model/testing.ts";
import { Store } from "./store/store.ts";

type Hono = ReturnType<typeof createApp>;

interface Ctx {
  app: Hono;
  store: Store;
  logs: Record<string, unknown>[];
}

/** An app over a real KV file in a temp dir. */
async function withApp(fn: (ctx: Ctx) => Promise<void>, deps: Partial<AppDeps> = {}): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-app-" });
  const store = await Store.open(`${dir}/wasmroute.kv`);
  const logs: Record<string, unknown>[] = [];
  try {
    await fn({ app: createApp({ store, log: (e) => logs.push(e), ...deps }), store, logs });
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The same, served over HTTP on a loopback port. */
async function withServer(fn: (base: string, ctx: Ctx) => Promise<void>): Promise<void> {
  await withApp(async (ctx) => {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, ctx.app.fetch);
    try {
      await fn(`http://127.0.0.1:${server.addr.port}`, ctx);
    } finally {
      await server.shutdown();
    }
  });
}

const post = (app: Hono, body: string, contentType?: string) =>
  app.request("/v1/routes", {
    method: "POST",
    body,
    headers: contentType ? { "Content-Type": contentType } : {},
  });

/** Everything a request could change. */
const state = async (store: Store) => ({ routes: await store.list(), blob: await store.blobMeta() });

async function expectStatus(res: Response, code: number, reason: string) {
  assertEquals(res.status, code);
  const body = await res.json();
  assertEquals([body.kind, body.apiVersion, body.status, body.code, body.reason], [
    "Status",
    "v1",
    "Failure",
    code,
    reason,
  ]);
  for (const cause of body.details?.causes ?? []) {
    assertEquals(Object.keys(cause).sort(), ["field", "message", "reason"]);
  }
  return body;
}

Deno.test("GET /healthz answers ok", async () => {
  await withApp(async ({ app }) => {
    const res = await app.request("/healthz");
    assertEquals([res.status, await res.json()], [200, { status: "ok" }]);
  });
});

Deno.test("POST /v1/routes rejects malformed YAML with 400 and stores nothing", async () => {
  await withApp(async ({ app, store }) => {
    await (await post(app, sampleRouteYaml("existing"), "application/yaml")).body?.cancel();
    const before = await state(store);
    const res = await post(
      app,
      `${sampleRouteYaml("new")}---\nkind: HTTPRoute\nspec: {rules: [}\n`,
      "application/yaml",
    );
    const body = await expectStatus(res, 400, "BadRequest");
    assertMatch(body.message, /invalid YAML in document 1 at line \d+/);
    assertEquals(await state(store), before);
  });
});

Deno.test("POST /v1/routes rejects malformed JSON with 400 and stores nothing", async () => {
  await withApp(async ({ app, store }) => {
    await (await app.request("/v1/routes")).body?.cancel(); // first compile
    const before = await state(store);
    const body = await expectStatus(
      await post(app, '{"apiVersion": "gateway.networking.k8s.io/v1",', "application/json"),
      400,
      "BadRequest",
    );
    assertMatch(body.message, /^invalid JSON/);
    assertEquals(await state(store), before);
  });
});

Deno.test("POST /v1/routes rejects kinds other than HTTPRoute with 400 and stores nothing", async () => {
  await withApp(async ({ app, store }) => {
    const service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n";
    const body = await expectStatus(
      await post(app, `${sampleRouteYaml()}---\n${service}`),
      400,
      "BadRequest",
    );
    assertEquals(body.message, 'kind "Service" is not supported (only HTTPRoute)');
    assertEquals(body.details.causes[0].field, "kind");
    assertEquals(await store.list(), []);
  });
});

Deno.test("POST /v1/routes rejects invalid fields with 422 naming their path, storing none of the request", async () => {
  await withApp(async ({ app, store }) => {
    const bad = sampleRoute("bad");
    bad.spec.rules![0].backendRefs![1].port = 0;
    bad.spec.rules![0].matches![0].path!.value = "no-slash";
    const body = await expectStatus(
      await post(app, JSON.stringify([sampleRoute("good"), bad])),
      422,
      "Invalid",
    );
    assertEquals(body.details.causes.map((c: { field: string }) => c.field), [
      "spec.rules[0].matches[0].path.value",
      "spec.rules[0].backendRefs[1].port",
    ]);
    assertMatch(body.details.causes[0].message, /^document 1: Invalid value: "no-slash"/);
    assertMatch(body.message, /^HTTPRoute "default\/bad" is invalid: /);
    assertEquals(await store.list(), []);
  });
});

Deno.test("POST /v1/routes stores routes with status and answers 201, then 200 with the same blob", async () => {
  await withApp(async ({ app, logs }) => {
    const res = await post(
      app,
      `${sampleRouteYaml("a")}---\n${sampleRouteYaml("b", "apps")}`,
      "application/yaml",
    );
    assertEquals(res.status, 201);
    assertEquals(res.headers.get("X-Wasmroute-Version"), "2");
    const body = await res.json();
    assertEquals(body.kind, "HTTPRouteList");
    assertEquals(body.items.map((r: { metadata: { name: string } }) => r.metadata.name), ["a", "b"]);
    const conditions = body.items[0].status.parents[0].conditions;
    assertEquals(conditions.find((c: { type: string }) => c.type === "Accepted").status, "True");
    assertEquals(body.items[1].metadata.namespace, "apps");
    assertEquals([body.blob.generation, body.blob.changed], [2, true]);
    assert(logs.some((e) => e.msg === "blob published" && e.generation === 2));

    const again = await post(app, sampleRouteYaml("a"));
    assertEquals(again.status, 200);
    const second = await again.json();
    assertEquals([second.blob.generation, second.blob.changed, second.blob.sha256], [
      2,
      false,
      body.blob.sha256,
    ]);
    assertEquals(second.items[0].metadata.creationTimestamp, body.items[0].metadata.creationTimestamp);
  });
});

Deno.test("GET /v1/routes lists stored routes with status; GET one; 404 as a Status", async () => {
  await withApp(async ({ app }) => {
    await (await post(app, JSON.stringify([sampleRoute("a"), sampleRoute("b", "apps")]), "application/json"))
      .body?.cancel();
    const list = await (await app.request("/v1/routes")).json();
    assertEquals(list.items.map((r: { metadata: { name: string } }) => r.metadata.name), ["b", "a"]);
    assert(list.items.every((r: { status?: unknown }) => r.status));
    assertEquals((await (await app.request("/v1/routes/apps")).json()).items.length, 1);
    const one = await (await app.request("/v1/routes/default/a")).json();
    assertEquals([one.metadata.name, one.metadata.resourceVersion], ["a", "2"]);
    const missing = await expectStatus(await app.request("/v1/routes/default/zzz"), 404, "NotFound");
    assertEquals(missing.message, 'HTTPRoute "default/zzz" not found');
    await expectStatus(await app.request("/v2/anything"), 404, "NotFound");
  });
});

Deno.test("DELETE /v1/routes/:namespace/:name recompiles; deleting again is 404", async () => {
  await withApp(async ({ app, store }) => {
    await (await post(app, JSON.stringify([sampleRoute("a"), sampleRoute("b")]))).body?.cancel();
    const res = await app.request("/v1/routes/default/a", { method: "DELETE" });
    assertEquals([res.status, res.headers.get("X-Wasmroute-Version")], [200, "3"]);
    assertEquals((await res.json()).status, "Success");
    assertEquals((await store.list()).map((r) => r.metadata.name), ["b"]);
    assertEquals(
      (await compile(await store.list(), { generation: 3 })).sha256,
      (await store.blobMeta())?.sha256,
    );
    await expectStatus(await app.request("/v1/routes/default/a", { method: "DELETE" }), 404, "NotFound");
    assertEquals((await store.blobMeta())?.generation, 3);
  });
});

Deno.test("GET /v1/wasmplugin renders YAML by default and JSON on request", async () => {
  await withApp(async ({ app }) => {
    const yaml = await app.request("/v1/wasmplugin");
    assertEquals(yaml.headers.get("Content-Type"), "application/yaml; charset=utf-8");
    const plugin = parseYaml(await yaml.text());
    assertEquals([plugin.kind, plugin.metadata.namespace, plugin.spec.pluginConfig.version], [
      "WasmPlugin",
      "istio-system",
      "1",
    ]);
    const byAccept = await (await app.request("/v1/wasmplugin", { headers: { Accept: "application/json" } }))
      .json();
    const byQuery = await (await app.request("/v1/wasmplugin?format=json")).json();
    assertEquals(byAccept, plugin);
    assertEquals(byQuery, plugin);
    await expectStatus(await app.request("/v1/wasmplugin?format=xml"), 400, "BadRequest");
  }, { plugin: { namespace: "istio-system" } });
});

Deno.test("POST /v1/routes refuses bodies over the limit with 413", async () => {
  await withApp(async ({ app, store }) => {
    const body = await expectStatus(
      await post(app, sampleRouteYaml().repeat(10)),
      413,
      "RequestEntityTooLarge",
    );
    assertMatch(body.message, /larger than 1000 bytes/);
    assertEquals(await store.list(), []);
  }, { maxBodyBytes: 1000 });
});

Deno.test("POST /v1/routes refuses more routes than one atomic write holds with 413, storing none", async () => {
  await withApp(async ({ app, store }) => {
    const routes = Array.from({ length: 1000 }, (_, i) => sampleRoute(`r${i}`));
    const body = await expectStatus(await post(app, JSON.stringify(routes)), 413, "RequestEntityTooLarge");
    assertMatch(body.message, /the limit is 1000/);
    assertEquals(await store.list(), []);
  }, { maxBodyBytes: 4 << 20 });
});

Deno.test("a compiler failure answers 500, is logged and stores nothing", async () => {
  let broken = false;
  await withApp(async ({ app, store, logs }) => {
    await (await app.request("/v1/routes")).body?.cancel();
    broken = true;
    const body = await expectStatus(await post(app, sampleRouteYaml()), 500, "InternalError");
    assertEquals(body.message, "internal error; see the server log");
    assertMatch(String(logs.find((e) => e.level === "error")?.error), /compiler exploded/);
    assertEquals(await store.list(), []);
  }, {
    compile: (resources, options) =>
      broken ? Promise.reject(new Error("compiler exploded")) : compile(resources, options),
  });
});

Deno.test("over HTTP: a stored route is served as a blob with ETag and 304, and as a WasmPlugin carrying the same bytes", async () => {
  await withServer(async (base) => {
    const created = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: sampleRouteYaml(),
    });
    assertEquals(created.status, 201);
    const { blob: summary } = await created.json();

    const res = await fetch(`${base}/v1/blob`);
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("Content-Type"), "application/octet-stream");
    assertEquals(res.headers.get("ETag"), `"${summary.sha256}"`);
    assertEquals(res.headers.get("X-Wasmroute-Version"), String(summary.generation));
    const bytes = new Uint8Array(await res.arrayBuffer());
    assertEquals(bytes.length, summary.size);
    const table = decodeBlob(bytes);
    assertEquals(table.generation, summary.generation);
    assert(JSON.stringify(table).includes("web.example.com"), "the route reached the table");

    const cached = await fetch(`${base}/v1/blob`, {
      headers: { "If-None-Match": `W/"other", "${summary.sha256}"` },
    });
    assertEquals([cached.status, await cached.text()], [304, ""]);
    const stale = await fetch(`${base}/v1/blob`, { headers: { "If-None-Match": '"other"' } });
    assertEquals(stale.status, 200);
    await stale.body?.cancel();

    const plugin = await (await fetch(`${base}/v1/wasmplugin?format=json`)).json();
    assertEquals(Uint8Array.fromBase64(plugin.spec.pluginConfig.blob), bytes);
    assertEquals(plugin.spec.pluginConfig.sha256, summary.sha256);
    assertEquals(plugin.spec.pluginConfig.version, String(summary.generation));
  });
});

Deno.test("over HTTP: concurrent POSTs are serialised and all land in the final blob", async () => {
  await withServer(async (base, { store }) => {
    const responses = await Promise.all(
      Array.from(
        { length: 6 },
        (_, i) =>
          fetch(`${base}/v1/routes`, { method: "POST", body: sampleRouteYaml(`r${i}`) }).then(async (r) => ({
            status: r.status,
            body: await r.json(),
          })),
      ),
    );
    assertEquals(responses.map((r) => r.status), [201, 201, 201, 201, 201, 201]);
    const generations = responses.map((r) => r.body.blob.generation).sort((a, b) => a - b);
    assertEquals(generations, [2, 3, 4, 5, 6, 7]);
    const final = await store.currentBlob();
    assertEquals(final?.sha256, (await compile(await store.list(), { generation: 7 })).sha256);
  });
});
