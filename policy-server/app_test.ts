import { parse as parseYaml } from "yaml";
import { assert, assertEquals, assertMatch } from "../tests/assert.ts";
import { createApp } from "./app.ts";
import { decodeBlob, packSegments, unpackBlob } from "./blob/mod.ts";
import { compile } from "./compile/mod.ts";
import { applyGatewayDefaults, applyHttpRouteDefaults } from "./model/apply_defaults.ts";
import type { CompileFn } from "./delivery/write/publisher.ts";
import {
  sampleGateway,
  sampleNamespace,
  sampleReferenceGrant,
  sampleRoute,
  sampleRouteYaml,
  sampleService,
  sampleServiceImport,
  toYaml,
} from "./model/testing.ts";
import type { KubeObject } from "./model/types.ts";
import { Store } from "./store/store.ts";
import { withApp, withServer } from "./testing.ts";

type Hono = ReturnType<typeof createApp>;

/** The API takes a body as its Content-Type says; the tests declare JSON or YAML by the body's look. */
const typeOf = (body: string) => /^\s*[[{]/.test(body) ? "application/json" : "application/yaml";
const YAML = { "Content-Type": "application/yaml" };
const JSON_TYPE = { "Content-Type": "application/json" };
const post = (app: Hono, body: string, contentType = typeOf(body), path = "/v1/routes") =>
  app.request(path, {
    method: "POST",
    body,
    headers: { "Content-Type": contentType },
  });

/** Everything a request could change. */
const state = async (store: Store) => ({ objects: await store.list(), blob: await store.blobMeta() });

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

Deno.test("GET / leads a browser to the console", async () => {
  await withApp(async ({ app }) => {
    const res = await app.request("/");
    assertEquals([res.status, res.headers.get("location")], [302, "/console"]);
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

Deno.test("POST /v1/routes rejects unsupported kinds with 400 and stores nothing", async () => {
  await withApp(async ({ app, store }) => {
    const deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n";
    const body = await expectStatus(
      await post(app, `${sampleRouteYaml()}---\n${deployment}`),
      400,
      "BadRequest",
    );
    assertEquals(body.message, 'kind "Deployment" in apiVersion "apps/v1" is not supported');
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
      "spec.rules[0].matches[0].path",
      "spec.rules[0].backendRefs[1].port",
    ]);
    assertMatch(
      body.details.causes[0].message,
      /^document 1: Invalid value: "object": value must be an absolute path/,
    );
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

Deno.test("GET /v1/wasmplugin?gateway= renders the gateway flavour beside the Gateway, scoped to it", async () => {
  await withApp(async ({ app }) => {
    const plugin = await (await app.request("/v1/wasmplugin?format=json&gateway=istio-ingress/gateway"))
      .json();
    assertEquals(plugin.metadata.namespace, "istio-ingress");
    assertEquals(plugin.spec.pluginConfig.scope, "gateway:istio-ingress/gateway");
    const mesh = await (await app.request("/v1/wasmplugin?format=json")).json();
    assertEquals(mesh.spec.pluginConfig.scope, undefined);
    await expectStatus(await app.request("/v1/wasmplugin?gateway=../etc"), 400, "BadRequest");
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
          fetch(`${base}/v1/routes`, { method: "POST", headers: YAML, body: sampleRouteYaml(`r${i}`) }).then(
            async (r) => ({
              status: r.status,
              body: await r.json(),
            }),
          ),
      ),
    );
    assertEquals(responses.map((r) => r.status), [201, 201, 201, 201, 201, 201]);
    const generations = responses.map((r) => r.body.blob.generation).sort((a, b) => a - b);
    assertEquals(generations, [2, 3, 4, 5, 6, 7]);
    const final = await store.currentBlob();
    assertEquals(final?.sha256, (await compile(await store.list(), { generation: 7 })).sha256);
  });
});

/** One object of every kind, as a client would POST them. */
const everyKind = (): KubeObject[] => [
  sampleNamespace("default"),
  sampleGateway(),
  sampleRoute(),
  sampleReferenceGrant(),
  sampleService(),
  sampleServiceImport(),
];

const names = (body: { items: KubeObject[] }) =>
  body.items.map((o) =>
    `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`
  );

/** A compiler whose blob depends on every object's kind and name, as one resolving Services would. */
const namesCompiler: CompileFn = async (resources, options) => {
  const real = await compile(resources, options);
  const extra = new TextEncoder().encode(
    resources.map((r) => `${r.kind}/${r.metadata.name}`).sort().join(","),
  );
  const plain = unpackBlob(real.blob);
  const blob = new Uint8Array(plain.length + extra.length);
  blob.set(plain);
  blob.set(extra, plain.length);
  const packed = packSegments(blob);
  return { ...real, blob: packed.bytes, cuts: packed.cuts };
};

Deno.test("POST /v1/resources stores every kind at once and answers 201 with a List of them as stored", async () => {
  await withApp(async ({ app, store }) => {
    const res = await post(app, toYaml(...everyKind()), "application/yaml", "/v1/resources");
    assertEquals([res.status, res.headers.get("X-Wasmroute-Version")], [201, "2"]);
    const body = await res.json();
    assertEquals([body.apiVersion, body.kind], ["v1", "List"]);
    assertEquals(names(body), [
      "Namespace default",
      "Gateway istio-ingress/gateway",
      "HTTPRoute default/web",
      "ReferenceGrant backends/routes-to-backends",
      "Service default/web-v1",
      "ServiceImport default/web-v1",
    ]);
    const [namespace, gateway, route, grant, service] = body.items;
    assert(route.status.parents.length > 0, "HTTPRoutes come with status");
    assertEquals("status" in gateway, false);
    assertEquals(gateway.spec, applyGatewayDefaults(sampleGateway()).spec, "stored with the CRD's defaults");
    assertEquals(grant.apiVersion, "gateway.networking.k8s.io/v1");
    assertEquals(service.spec, { ports: [{ name: "http", port: 8080, protocol: "TCP" }] });
    assertEquals(Object.keys(service.metadata).sort(), [
      "creationTimestamp",
      "generation",
      "labels",
      "name",
      "namespace",
      "resourceVersion",
      "uid",
    ]);
    assertEquals(namespace.metadata.labels["kubernetes.io/metadata.name"], "default");
    assertEquals(body.blob.generation, 2);
    assertEquals((await store.list()).length, 6);

    const again = await post(app, JSON.stringify(everyKind()), "application/json", "/v1/resources");
    assertEquals(again.status, 200);
    assertEquals((await again.json()).blob.changed, false);
  }, { compile: namesCompiler });
});

Deno.test("POST /v1/resources is all or nothing across kinds: one invalid object stores none", async () => {
  await withApp(async ({ app, store }) => {
    await (await post(app, toYaml(sampleRoute("existing")), undefined, "/v1/resources")).body?.cancel();
    const before = await state(store);
    const service = sampleService();
    service.spec.ports[0].port = 0;
    const body = await expectStatus(
      await post(
        app,
        JSON.stringify([sampleGateway(), sampleRoute(), service]),
        "application/json",
        "/v1/resources",
      ),
      422,
      "Invalid",
    );
    assertEquals(body.details.causes.map((c: { field: string }) => c.field), ["spec.ports[0].port"]);
    assertMatch(body.message, /^Service "default\/web-v1" is invalid: spec\.ports\[0\]\.port: /);
    assertEquals(await state(store), before);
    await expectStatus(
      await post(
        app,
        toYaml(sampleGateway(), { ...sampleService(), apiVersion: "apps/v1" }),
        undefined,
        "/v1/resources",
      ),
      400,
      "BadRequest",
    );
    assertEquals(await state(store), before);
  });
});

Deno.test("POST /v1/routes takes the same kinds; a single kind answers with its typed list", async () => {
  await withApp(async ({ app }) => {
    const res = await post(app, toYaml(sampleGateway(), sampleService()));
    assertEquals(res.status, 201);
    assertEquals(names(await res.json()), ["Gateway istio-ingress/gateway", "Service default/web-v1"]);
    const gateways = await (await post(app, toYaml(sampleGateway("other")), undefined, "/v1/resources"))
      .json();
    assertEquals([gateways.apiVersion, gateways.kind], ["gateway.networking.k8s.io/v1", "GatewayList"]);
    const routes = await (await post(app, sampleRouteYaml())).json();
    assertEquals([routes.apiVersion, routes.kind], ["gateway.networking.k8s.io/v1", "HTTPRouteList"]);
  });
});

Deno.test("POST returns admission warnings as Warning headers", async () => {
  await withApp(async ({ app }) => {
    const gateway = sampleGateway();
    gateway.spec.listeners.push({ name: "tcp", port: 9000, protocol: "TCP" }, {
      name: "udp",
      port: 53,
      protocol: "UDP",
    });
    const res = await post(app, toYaml(gateway), undefined, "/v1/resources");
    assertEquals(res.status, 201);
    await res.body?.cancel();
    assertEquals(
      res.headers.get("Warning"),
      '299 - "Gateway \\"istio-ingress/gateway\\": spec.listeners[2].protocol: TCP listeners are stored, but wasmroute routes only HTTP and HTTPS", ' +
        '299 - "Gateway \\"istio-ingress/gateway\\": spec.listeners[3].protocol: UDP listeners are stored, but wasmroute routes only HTTP and HTTPS"',
    );
    const quiet = await post(app, toYaml(sampleGateway("plain")), undefined, "/v1/resources");
    await quiet.body?.cancel();
    assertEquals(quiet.headers.get("Warning"), null);
  });
});

Deno.test("GET /v1/{plural} lists one kind, typed, with ?namespace=; /v1/routes is /v1/httproutes", async () => {
  await withApp(async ({ app }) => {
    await (await post(
      app,
      toYaml(...everyKind(), sampleService("api", "apps"), sampleNamespace("apps"), sampleRoute("b", "apps")),
      undefined,
      "/v1/resources",
    )).body?.cancel();
    const get = async (path: string) => {
      const res = await app.request(path);
      assertEquals(res.status, 200, path);
      return await res.json();
    };
    const cases: [string, string, string, string[]][] = [
      ["httproutes", "gateway.networking.k8s.io/v1", "HTTPRouteList", [
        "HTTPRoute apps/b",
        "HTTPRoute default/web",
      ]],
      ["gateways", "gateway.networking.k8s.io/v1", "GatewayList", ["Gateway istio-ingress/gateway"]],
      ["referencegrants", "gateway.networking.k8s.io/v1", "ReferenceGrantList", [
        "ReferenceGrant backends/routes-to-backends",
      ]],
      ["services", "v1", "ServiceList", ["Service apps/api", "Service default/web-v1"]],
      ["serviceimports", "multicluster.x-k8s.io/v1alpha1", "ServiceImportList", [
        "ServiceImport default/web-v1",
      ]],
      ["namespaces", "v1", "NamespaceList", ["Namespace apps", "Namespace default"]],
    ];
    for (const [plural, apiVersion, kind, expected] of cases) {
      const body = await get(`/v1/${plural}`);
      assertEquals([body.apiVersion, body.kind, names(body)], [apiVersion, kind, expected], plural);
    }
    assertEquals(names(await get("/v1/services?namespace=apps")), ["Service apps/api"]);
    assertEquals(names(await get("/v1/gateways?namespace=default")), []);
    const routes = await get("/v1/httproutes");
    assert(routes.items.every((r: { status?: unknown }) => r.status), "routes are listed with status");
    assertEquals(await get("/v1/routes"), routes);
    assertEquals(await get("/v1/routes?namespace=apps"), await get("/v1/httproutes?namespace=apps"));
    assertEquals(await get("/v1/routes/apps"), await get("/v1/httproutes?namespace=apps"));
    const scoped = await expectStatus(await app.request("/v1/namespaces?namespace=apps"), 400, "BadRequest");
    assertEquals(scoped.message, "Namespace is cluster-scoped: ?namespace= does not apply");
  });
});

Deno.test("GET /v1/{plural}/:namespace/:name reads one object; /v1/namespaces/:name; 404 as a Status naming kind", async () => {
  await withApp(async ({ app }) => {
    await (await post(app, toYaml(...everyKind()), undefined, "/v1/resources")).body?.cancel();
    const one = async (path: string) => {
      const res = await app.request(path);
      assertEquals(res.status, 200, path);
      return await res.json();
    };
    assertEquals((await one("/v1/gateways/istio-ingress/gateway")).spec.listeners.length, 2);
    assertEquals((await one("/v1/referencegrants/backends/routes-to-backends")).spec.to, [{
      group: "",
      kind: "Service",
    }]);
    assertEquals((await one("/v1/services/default/web-v1")).spec.ports[0].port, 8080);
    assertEquals((await one("/v1/serviceimports/default/web-v1")).spec.type, "ClusterSetIP");
    assertEquals((await one("/v1/namespaces/default")).metadata.name, "default");
    const route = await one("/v1/httproutes/default/web");
    assert(route.status, "an HTTPRoute comes with status");
    assertEquals(await one("/v1/routes/default/web"), route);

    const missing: [string, string][] = [
      ["/v1/gateways/default/gateway", 'Gateway "default/gateway" not found'],
      ["/v1/services/default/web", 'Service "default/web" not found'],
      ["/v1/namespaces/nope", 'Namespace "nope" not found'],
      ["/v1/httproutes/default/nope", 'HTTPRoute "default/nope" not found'],
      ["/v1/routes/default/nope", 'HTTPRoute "default/nope" not found'],
    ];
    for (const [path, message] of missing) {
      assertEquals((await expectStatus(await app.request(path), 404, "NotFound")).message, message);
    }
    await expectStatus(await app.request("/v1/namespaces/a/b"), 404, "NotFound");
    await expectStatus(await app.request("/v1/deployments"), 404, "NotFound");
  });
});

Deno.test("DELETE /v1/{plural}/... deletes one object of one kind and recompiles; again is 404", async () => {
  await withApp(async ({ app, store }) => {
    await (await post(app, toYaml(...everyKind(), sampleService("web")), undefined, "/v1/resources")).body
      ?.cancel();
    const before = (await store.blobMeta())!;
    const res = await app.request("/v1/services/default/web-v1", { method: "DELETE" });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("X-Wasmroute-Version"), String(before.generation + 1));
    assertEquals(await res.json(), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: "web-v1", group: "", kind: "services" },
    });
    assertEquals(await store.get("Service", "default", "web-v1"), null);
    assert(await store.get("ServiceImport", "default", "web-v1"), "only that kind is deleted");
    assertEquals((await store.blobMeta())?.generation, before.generation + 1, "the blob no longer has it");

    const ns = await app.request("/v1/namespaces/default", { method: "DELETE" });
    assertEquals((await ns.json()).details, { name: "default", group: "", kind: "namespaces" });
    const gw = await app.request("/v1/gateways/istio-ingress/gateway", { method: "DELETE" });
    assertEquals((await gw.json()).details, {
      name: "gateway",
      group: "gateway.networking.k8s.io",
      kind: "gateways",
    });
    assertEquals((await store.blobMeta())?.generation, before.generation + 3);

    const again = await expectStatus(
      await app.request("/v1/services/default/web-v1", { method: "DELETE" }),
      404,
      "NotFound",
    );
    assertEquals(again.message, 'Service "default/web-v1" not found');
    await expectStatus(await app.request("/v1/namespaces/default", { method: "DELETE" }), 404, "NotFound");
    assertEquals((await store.blobMeta())?.generation, before.generation + 3);
    assertEquals(
      (await store.list()).map((o) => o.kind).sort(),
      ["HTTPRoute", "ReferenceGrant", "Service", "ServiceImport"],
    );
  }, { compile: namesCompiler });
});

Deno.test("DELETE of an object the compiler ignores keeps the blob", async () => {
  await withApp(async ({ app, store }) => {
    await (await post(app, toYaml(sampleRoute(), sampleGateway("unused")), undefined, "/v1/resources")).body
      ?.cancel();
    const before = (await store.blobMeta())!;
    const res = await app.request("/v1/gateways/istio-ingress/unused", { method: "DELETE" });
    assertEquals([res.status, res.headers.get("X-Wasmroute-Version")], [200, String(before.generation)]);
    await res.body?.cancel();
    assertEquals(await store.blobMeta(), before);
    assertEquals(await store.get("Gateway", "istio-ingress", "unused"), null);
  }, {
    // A compiler that reads HTTPRoutes only.
    compile: (resources, options) => compile(resources.filter((r) => r.kind === "HTTPRoute"), options),
  });
});

Deno.test("over HTTP: a Gateway, an HTTPRoute and a Service POSTed as one multi-document YAML read back per kind", async () => {
  await withServer(async (base) => {
    const route = sampleRoute("web", "default");
    route.spec.parentRefs = [{ name: "gateway", namespace: "istio-ingress", sectionName: "http" }];
    route.spec.rules![0].backendRefs = [{ name: "web-v1", port: 8080 }];
    const yaml = `# a Gateway, its route and the route's backend\n---\n${
      toYaml(sampleGateway(), route, sampleService())
    }`;
    const created = await fetch(`${base}/v1/resources`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: yaml,
    });
    assertEquals(created.status, 201);
    const body = await created.json();
    assertEquals(names(body), [
      "Gateway istio-ingress/gateway",
      "HTTPRoute default/web",
      "Service default/web-v1",
    ]);

    const read = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      assertEquals(res.status, 200, path);
      return await res.json();
    };
    const gateway = await read("/v1/gateways/istio-ingress/gateway");
    assertEquals([gateway.kind, gateway.spec], ["Gateway", applyGatewayDefaults(sampleGateway()).spec]);
    assertEquals(gateway.metadata.uid, body.items[0].metadata.uid);
    const stored = await read("/v1/httproutes/default/web");
    assertEquals([stored.kind, stored.spec], ["HTTPRoute", applyHttpRouteDefaults(route).spec]);
    assert(stored.status.parents.length > 0);
    const service = await read("/v1/services/default/web-v1");
    assertEquals([service.kind, service.spec], ["Service", {
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    }]);
    assertEquals(names(await read("/v1/gateways")), ["Gateway istio-ingress/gateway"]);
    assertEquals(names(await read("/v1/httproutes")), ["HTTPRoute default/web"]);
    assertEquals(names(await read("/v1/services?namespace=default")), ["Service default/web-v1"]);
    assertEquals((await read("/v1/namespaces")).items, []);

    const plugin = await read("/v1/wasmplugin?format=json");
    assertEquals(plugin.spec.pluginConfig.version, String(body.blob.generation));
  });
});

// --- Kubernetes object conventions: resourceVersion, PUT, If-Match, dryRun, YAML -------------------

const json = (body: unknown) => ({ method: "POST", headers: JSON_TYPE, body: JSON.stringify(body) });
const put = (app: Hono, path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: "PUT",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", ...headers },
  });

Deno.test("every stored object carries a resourceVersion, and GET answers it as the ETag", async () => {
  await withApp(async ({ app }) => {
    const res = await app.request(
      "/v1/resources",
      json([sampleRoute(), sampleGateway(), sampleNamespace("apps")]),
    );
    const { items } = await res.json();
    for (const item of items) assertMatch(item.metadata.resourceVersion, /^\d+$/);
    const one = await app.request("/v1/httproutes/default/web");
    assertEquals(one.headers.get("ETag"), `"${(await one.json()).metadata.resourceVersion}"`);
  });
});

Deno.test("PUT replaces one object; a stale resourceVersion or If-Match is a 409 and changes nothing", async () => {
  await withApp(async ({ app, store }) => {
    await (await app.request("/v1/routes", json(sampleRoute()))).body?.cancel();
    const stored = await (await app.request("/v1/routes/default/web")).json();
    const rv = stored.metadata.resourceVersion;

    const changed = { ...stored, metadata: { ...stored.metadata, labels: { tier: "gold" } } };
    const res = await put(app, "/v1/httproutes/default/web", changed, { "If-Match": `"${rv}"` });
    assertEquals(res.status, 200);
    const replaced = await res.json();
    assertEquals(replaced.metadata.labels, { tier: "gold" });
    assert(Number(replaced.metadata.resourceVersion) > Number(rv));
    assertEquals(replaced.metadata.uid, stored.metadata.uid);
    assertEquals(replaced.status.parents.length, 1, "served with its status");
    assertMatch(res.headers.get("X-Wasmroute-Blob-Sha256")!, /^[0-9a-f]{64}$/);

    const before = await store.list();
    // The body still says the old version: stale.
    const stale = await expectStatus(await put(app, "/v1/httproutes/default/web", changed), 409, "Conflict");
    assertMatch(
      stale.message,
      /the object has been modified; please apply your changes to the latest version/,
    );
    // So does If-Match, on PUT and on POST.
    const { resourceVersion: _rv, ...metadata } = changed.metadata;
    await expectStatus(
      await put(app, "/v1/routes/default/web", { ...changed, metadata }, { "If-Match": `"${rv}"` }),
      409,
      "Conflict",
    );
    await expectStatus(
      await app.request("/v1/routes", {
        ...json({ ...changed, metadata }),
        headers: { ...JSON_TYPE, "If-Match": `"${rv}"` },
      }),
      409,
      "Conflict",
    );
    // A POST whose body names an old version, among others: the whole request is refused.
    await expectStatus(await app.request("/v1/resources", json([sampleGateway(), changed])), 409, "Conflict");
    assertEquals(await store.list(), before);
  });
});

Deno.test("PUT of a missing object is 404; of another name, kind or namespace than the path, 400", async () => {
  await withApp(async ({ app, store }) => {
    await expectStatus(await put(app, "/v1/httproutes/default/web", sampleRoute()), 404, "NotFound");
    await (await app.request("/v1/routes", json(sampleRoute()))).body?.cancel();
    const rename = await expectStatus(
      await put(app, "/v1/httproutes/default/web", sampleRoute("other")),
      400,
      "BadRequest",
    );
    assertEquals(rename.message, "the name of the object (other) does not match the name on the URL (web)");
    await expectStatus(
      await put(app, "/v1/httproutes/default/web", sampleRoute("web", "apps")),
      400,
      "BadRequest",
    );
    await expectStatus(await put(app, "/v1/gateways/default/web", sampleRoute()), 400, "BadRequest");
    await expectStatus(
      await put(app, "/v1/httproutes/default/web", [sampleRoute(), sampleRoute()]),
      400,
      "BadRequest",
    );
    // A body without metadata takes its name and namespace from the path; invalid fields are 422.
    const { metadata: _m, ...bare } = sampleRoute();
    assertEquals((await put(app, "/v1/httproutes/default/web", bare)).status, 200);
    const bad = sampleRoute();
    bad.spec.rules![0].backendRefs![0].port = 0;
    await expectStatus(await put(app, "/v1/httproutes/default/web", bad), 422, "Invalid");
    assertEquals((await store.list()).length, 1);
  });
});

Deno.test("If-Match: * needs the object to exist; a malformed If-Match is 400; DELETE honours it too", async () => {
  await withApp(async ({ app, store }) => {
    await expectStatus(
      await app.request("/v1/routes", { ...json(sampleRoute()), headers: { ...JSON_TYPE, "If-Match": "*" } }),
      404,
      "NotFound",
    );
    await (await app.request("/v1/routes", json(sampleRoute()))).body?.cancel();
    const rv = (await store.get("HTTPRoute", "default", "web"))!.metadata.resourceVersion;
    await expectStatus(
      await app.request("/v1/routes", {
        ...json(sampleRoute()),
        headers: { ...JSON_TYPE, "If-Match": '"1", "2"' },
      }),
      400,
      "BadRequest",
    );
    await expectStatus(
      await app.request("/v1/resources", {
        ...json([sampleRoute(), sampleGateway()]),
        headers: { ...JSON_TYPE, "If-Match": "*" },
      }),
      400,
      "BadRequest",
    );
    await expectStatus(
      await app.request("/v1/routes/default/web", { method: "DELETE", headers: { "If-Match": '"999"' } }),
      409,
      "Conflict",
    );
    const res = await app.request("/v1/routes/default/web", {
      method: "DELETE",
      headers: { "If-Match": `"${rv}"` },
    });
    assertEquals(res.status, 200);
    assertEquals(await store.list(), []);
  });
});

Deno.test("?dryRun=All validates and compiles POST, PUT and DELETE, answering the would-be blob, storing nothing", async () => {
  await withApp(async ({ app, store }) => {
    await (await app.request("/v1/routes", json(sampleRoute()))).body?.cancel();
    const before = {
      objects: await store.list(),
      blob: await store.blobMeta(),
      history: await store.blobHistory(),
    };

    const dry = await app.request("/v1/routes?dryRun=All", json([sampleRoute("new"), sampleGateway()]));
    assertEquals([dry.status, dry.headers.get("X-Wasmroute-Dry-Run")], [201, "All"]);
    const body = await dry.json();
    assertEquals(body.dryRun, true);
    assertEquals([body.blob.generation, body.blob.changed], [before.blob!.generation + 1, true]);
    assertMatch(body.blob.sha256, /^[0-9a-f]{64}$/);
    assert(body.blob.sha256 !== before.blob!.sha256);
    const route = body.items.find((o: KubeObject) => o.kind === "HTTPRoute");
    assertEquals(
      route.status.parents[0].conditions.find((c: { type: string }) => c.type === "Accepted").status,
      "True",
    );
    assertMatch(route.metadata.uid, /^[0-9a-f-]{36}$/);

    // The dry run's statuses did not leak into what the server serves.
    assertEquals((await app.request("/v1/routes/default/new")).status, 404);

    const replaced = sampleRoute();
    replaced.spec.hostnames = ["other.example.com"];
    const dryPut = await put(app, "/v1/routes/default/web?dryRun=All", replaced);
    assertEquals([dryPut.status, dryPut.headers.get("X-Wasmroute-Blob-Changed")], [200, "true"]);
    assertEquals((await dryPut.json()).spec.hostnames, ["other.example.com"]);

    const dryDelete = await app.request("/v1/routes/default/web?dryRun=All", { method: "DELETE" });
    assertEquals([dryDelete.status, (await dryDelete.json()).status], [200, "Success"]);
    assertEquals(dryDelete.headers.get("X-Wasmroute-Version"), String(before.blob!.generation + 1));

    // Invalid input fails a dry run just as it fails a write.
    const bad = sampleRoute("bad");
    bad.spec.rules![0].backendRefs![0].port = 0;
    await expectStatus(await app.request("/v1/routes?dryRun=All", json(bad)), 422, "Invalid");
    await expectStatus(await app.request("/v1/routes?dryRun=true", json(sampleRoute())), 400, "BadRequest");

    assertEquals({
      objects: await store.list(),
      blob: await store.blobMeta(),
      history: await store.blobHistory(),
    }, before);
  });
});

Deno.test("Accept: application/yaml answers objects, lists and Status errors in YAML", async () => {
  await withApp(async ({ app }) => {
    const yaml = { Accept: "application/yaml" };
    const created = await app.request("/v1/routes", {
      method: "POST",
      body: toYaml(sampleRoute()),
      headers: { ...yaml, ...YAML },
    });
    assertEquals(created.headers.get("Content-Type"), "application/yaml; charset=utf-8");
    const list = parseYaml(await created.text());
    assertEquals([list.kind, list.items[0].metadata.name], ["HTTPRouteList", "web"]);

    const one = parseYaml(await (await app.request("/v1/routes/default/web", { headers: yaml })).text());
    assertEquals([one.kind, one.status.parents.length], ["HTTPRoute", 1]);

    const missing = await app.request("/v1/routes/default/nope", { headers: yaml });
    assertEquals([missing.status, parseYaml(await missing.text()).reason], [404, "NotFound"]);

    // JSON stays the default, and wins when the client prefers it.
    const preferJson = await app.request("/v1/routes", {
      headers: { Accept: "application/json, application/yaml;q=0.5" },
    });
    assertEquals(preferJson.headers.get("Content-Type"), "application/json");
    await preferJson.body?.cancel();
  });
});

Deno.test("over HTTP: 20 concurrent clients updating one route with If-Match lose no update", async () => {
  await withServer(async (base, { store }) => {
    const created = await fetch(`${base}/v1/routes`, json(sampleRoute()));
    assertEquals(created.status, 201);
    await created.body?.cancel();
    const CLIENTS = 20;
    let conflicts = 0;
    const client = async (id: number) => {
      // Read, change, write with the version read; on 409 read again. Bounded so a bug cannot hang.
      for (let attempt = 0; attempt < 200; attempt++) {
        const res = await fetch(`${base}/v1/httproutes/default/web`);
        const etag = res.headers.get("ETag")!;
        const route = await res.json();
        const count = Number(route.metadata.annotations?.count ?? 0);
        const seen = route.metadata.annotations?.clients ?? "";
        route.metadata.annotations = { count: String(count + 1), clients: `${seen}${id},` };
        delete route.status;
        delete route.metadata.resourceVersion;
        const write = await fetch(`${base}/v1/httproutes/default/web`, {
          method: "PUT",
          body: JSON.stringify(route),
          headers: { "Content-Type": "application/json", "If-Match": etag },
        });
        await write.body?.cancel();
        if (write.status === 200) return;
        assertEquals(write.status, 409);
        conflicts++;
      }
      throw new Error(`client ${id} never got its update in`);
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    const final = (await store.get("HTTPRoute", "default", "web"))!;
    assertEquals(final.metadata.annotations!.count, String(CLIENTS));
    const ids = final.metadata.annotations!.clients.split(",").filter(Boolean).map(Number).sort((a, b) =>
      a - b
    );
    assertEquals(ids, Array.from({ length: CLIENTS }, (_, i) => i));
    assert(conflicts > 0, "the clients should have raced");
  });
});

Deno.test("a typo'd field is refused with kubectl's words by default, and nothing is stored", async () => {
  await withServer(async (base, { store }) => {
    const typo = sampleRouteYaml("web").replace("headers:", "header:").replace("backendRefs:", "bakendRefs:");
    const res = await fetch(`${base}/v1/routes`, {
      method: "POST",
      body: typo,
      headers: { "Content-Type": "application/yaml" },
    });
    const body = await expectStatus(res, 400, "BadRequest");
    assertEquals(
      body.message,
      'HTTPRoute in version "v1" cannot be handled as a HTTPRoute: strict decoding error: ' +
        'unknown field "spec.rules[0].matches[0].header", unknown field "spec.rules[0].bakendRefs"',
    );
    assertEquals(await store.list(), []);
  });
});

Deno.test("?fieldValidation=Warn stores the route without the unknown field and says so in Warning headers", async () => {
  await withServer(async (base, { store }) => {
    const typo = sampleRouteYaml("web").replace("hostnames:", "hostname:");
    const res = await fetch(`${base}/v1/routes?fieldValidation=Warn`, {
      method: "POST",
      body: typo,
      headers: { "Content-Type": "application/yaml" },
    });
    assertEquals(res.status, 201);
    await res.body?.cancel();
    assertEquals(res.headers.get("Warning"), '299 - "unknown field \\"spec.hostname\\""');
    const [stored] = await store.list("HTTPRoute");
    assertEquals([stored.spec.hostnames, "hostname" in stored.spec], [undefined, false]);
    const ignored = await fetch(`${base}/v1/routes?fieldValidation=Ignore`, {
      method: "POST",
      headers: YAML,
      body: typo,
    });
    assertEquals([ignored.status, ignored.headers.get("Warning")], [200, null]);
    await ignored.body?.cancel();
    await expectStatus(
      await fetch(`${base}/v1/routes?fieldValidation=Loose`, { method: "POST", headers: YAML, body: typo }),
      400,
      "BadRequest",
    );
  });
});
