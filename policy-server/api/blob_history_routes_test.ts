import { assert, assertEquals } from "../../tests/assert.ts";
import { decodeBlob } from "../blob/mod.ts";
import { compile } from "../compile/mod.ts";
import { Publisher } from "../delivery/write/publisher.ts";
import { sameRules } from "../delivery/write/same_rules.ts";
import { sampleRoute } from "../model/testing.ts";
import { Store } from "../store/store.ts";
import { expectStatus, withApp, withServer } from "../testing.ts";
import type { App } from "../testing.ts";

const postRoute = async (app: App, name: string) => {
  const res = await app.request("/v1/routes", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(sampleRoute(name)),
  });
  assertEquals(res.status, 201);
  await res.body?.cancel();
};
const rollback = (app: App, body: unknown, query = "") =>
  app.request(`/v1/blob/rollback${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

Deno.test("GET /v1/blob/history lists every kept version newest first, with who wrote it", async () => {
  await withApp(async ({ app }) => {
    await postRoute(app, "a");
    await postRoute(app, "b");
    const res = await app.request("/v1/blob/history");
    const history = await res.json();
    assertEquals([history.kind, history.current], ["BlobHistory", 3]);
    assertEquals(history.items.map((i: { generation: number }) => i.generation), [3, 2, 1]);
    assertEquals(history.items.map((i: { createdBy: string }) => i.createdBy), [
      "anonymous",
      "anonymous",
      "system",
    ]);
    for (const item of history.items) {
      assertEquals(Object.keys(item).sort(), [
        "createdAt",
        "createdBy",
        "generation",
        "resourceVersion",
        "sha256",
        "size",
      ]);
    }
  });
});

Deno.test("GET /v1/blob/:generation serves a kept version's bytes; 404 for one not kept", async () => {
  await withApp(async ({ app, store }) => {
    await postRoute(app, "a");
    const res = await app.request("/v1/blob/1");
    const meta = (await store.blobHistory()).find((m) => m.generation === 1)!;
    assertEquals([res.status, res.headers.get("ETag"), res.headers.get("X-Wasmroute-Version")], [
      200,
      `"${meta.sha256}"`,
      "1",
    ]);
    assertEquals(decodeBlob(new Uint8Array(await res.arrayBuffer())).generation, 1);
    await expectStatus(await app.request("/v1/blob/99"), 404, "NotFound");
  });
});

Deno.test("POST /v1/blob/rollback makes an old generation's rules current as a new generation", async () => {
  await withApp(async ({ app, store, logs }) => {
    await postRoute(app, "a"); // generation 2
    await postRoute(app, "b"); // generation 3
    const res = await rollback(app, { generation: 2 });
    assertEquals([res.status, res.headers.get("X-Wasmroute-Version")], [200, "4"]);
    const body = await res.json();
    assertEquals([body.generation, body.rollbackOf, body.createdBy, body.dryRun], [4, 2, "anonymous", false]);

    // Same rules as generation 2, but a blob of its own: header, checksum and sha name generation 4.
    const current = (await store.currentBlob())!;
    const two = (await store.blobAt(2))!;
    assert(sameRules(current.blob, two.blob));
    assert(current.sha256 !== two.sha256);
    assertEquals(decodeBlob(current.blob).generation, 4);
    const served = await app.request("/v1/blob");
    assertEquals(served.headers.get("ETag"), `"${current.sha256}"`);
    await served.body?.cancel();

    // The objects generation 2 was compiled from are back: b, created since, is gone.
    assertEquals(body.objectsRecorded, true);
    assertEquals(body.objects.map((o: { name: string; action: string }) => [o.action, o.name]), [[
      "deleted",
      "b",
    ]]);
    assertEquals((await store.list("HTTPRoute")).map((r) => r.metadata.name), ["a"]);
    const history = await (await app.request("/v1/blob/history")).json();
    assertEquals(history.items[0].rollbackOf, 2);
    assert(logs.some((l) => l.msg === "blob rolled back" && l.rollbackOf === 2));

    // The next write compiles the restored routes with it: a and c serve, b stays rolled away.
    await postRoute(app, "c");
    const after = (await store.currentBlob())!;
    assertEquals([after.generation, after.rollbackOf], [5, undefined]);
    const compiled = await compile(await store.list(), { generation: 5 });
    assert(sameRules(after.blob, compiled.blob));
  });
});

Deno.test("POST /v1/blob/rollback refuses bad bodies, unknown and current generations; dryRun stores nothing", async () => {
  await withApp(async ({ app, store }) => {
    await postRoute(app, "a");
    for (const body of [{}, { generation: "1" }, { generation: 0 }, { generation: 1.5 }, null]) {
      await expectStatus(await rollback(app, body), 400, "BadRequest");
    }
    await expectStatus(
      await app.request("/v1/blob/rollback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{",
      }),
      400,
      "BadRequest",
    );
    await expectStatus(await rollback(app, { generation: 7 }), 404, "NotFound");
    await expectStatus(await rollback(app, { generation: 2 }), 409, "Conflict");
    const before = await store.blobHistory();
    const dry = await rollback(app, { generation: 1 }, "?dryRun=All");
    const body = await dry.json();
    assertEquals([dry.status, body.generation, body.rollbackOf, body.dryRun], [200, 3, 1, true]);
    assertEquals(await store.blobHistory(), before);
  });
});

Deno.test("a rolled-back blob stays current across a restart, until the next write", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-rollback-" });
  try {
    let store = await Store.open(`${dir}/wasmroute.kv`);
    let publisher = new Publisher(store, compile);
    await publisher.ready();
    const two = await publisher.apply({ put: [sampleRoute("a")] });
    await publisher.apply({ put: [sampleRoute("b")] });
    const rolled = await publisher.rollback(two.blob.generation, { actor: "ops" });
    store.close();

    store = await Store.open(`${dir}/wasmroute.kv`);
    publisher = new Publisher(store, compile);
    assertEquals(await publisher.ready(), rolled.blob);
    assertEquals(
      publisher.statusOf({ namespace: "default", name: "a" })?.parents.length,
      1,
      "status still known",
    );
    const next = await publisher.apply({ put: [sampleRoute("c")] });
    assertEquals([next.blob.generation, next.blob.rollbackOf], [rolled.blob.generation + 1, undefined]);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("over HTTP: roll back, then the blob endpoint serves the rolled-back rules", async () => {
  await withServer(async (base) => {
    for (const name of ["a", "b"]) {
      const res = await fetch(`${base}/v1/routes`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(sampleRoute(name)),
      });
      await res.body?.cancel();
    }
    const old = new Uint8Array(await (await fetch(`${base}/v1/blob/2`)).arrayBuffer());
    const res = await fetch(`${base}/v1/blob/rollback`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ generation: 2 }),
    });
    assertEquals(res.status, 200);
    await res.body?.cancel();
    const now = new Uint8Array(await (await fetch(`${base}/v1/blob`)).arrayBuffer());
    assert(sameRules(now, old));
  });
});

Deno.test("over HTTP: 90/10, then 50/50, rolled back, then an unrelated write: the route and the blob say 90/10", async () => {
  await withServer(async (base) => {
    const post = async (route: unknown) => {
      const res = await fetch(`${base}/v1/routes`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(route),
      });
      assert(res.ok, await res.text());
      return Number(res.headers.get("X-Wasmroute-Version"));
    };
    const weighted = (v1: number, v2: number) => {
      const route = sampleRoute("web");
      route.spec.rules![0].backendRefs = [{ name: "web-v1", port: 8080, weight: v1 }, {
        name: "web-v2",
        port: 8080,
        weight: v2,
      }];
      return route;
    };
    const weights = async () => {
      const blob = decodeBlob(new Uint8Array(await (await fetch(`${base}/v1/blob`)).arrayBuffer()));
      const entry = blob.vhosts.flatMap((v) => v.routes).find((e) => e.action.route === "default/web")!;
      const stored = await (await fetch(`${base}/v1/routes/default/web`)).json();
      return {
        served: entry.action.backends.map((b) => b.weight),
        stored: stored.spec.rules[0].backendRefs.map((b: { weight: number }) => b.weight),
      };
    };
    const ninety = await post(weighted(90, 10));
    await post(weighted(50, 50));
    assertEquals(await weights(), { served: [50, 50], stored: [50, 50] });

    const res = await fetch(`${base}/v1/blob/rollback`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ generation: ninety }),
    });
    const body = await res.json();
    assertEquals(body.objects.map((o: { action: string; name: string }) => [o.action, o.name]), [[
      "restored",
      "web",
    ]]);
    assertEquals(await weights(), { served: [90, 10], stored: [90, 10] });

    await post(sampleRoute("unrelated"));
    assertEquals(await weights(), { served: [90, 10], stored: [90, 10] });
  });
});

Deno.test("GET /v1/blob/N/objects and /v1/blob/diff give a generation's objects and what changed between two", async () => {
  await withApp(async ({ app }) => {
    await postRoute(app, "a"); // generation 2
    await postRoute(app, "b"); // generation 3
    const changed = sampleRoute("a");
    changed.spec.hostnames = ["changed.example"];
    const res = await app.request("/v1/routes", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(changed),
    });
    assertEquals(res.status, 200); // generation 4
    await res.body?.cancel();

    const two = await (await app.request("/v1/blob/2/objects")).json();
    assertEquals(two.items.map((o: { metadata: { name: string } }) => o.metadata.name), ["a"]);
    const diff = await (await app.request("/v1/blob/diff?from=2&to=4")).json();
    assertEquals(
      diff.objects.map((o: { name: string; change: string; toSpec?: { hostnames: string[] } }) => [
        o.change,
        o.name,
        o.toSpec?.hostnames,
      ]),
      [["changed", "a", ["changed.example"]], ["added", "b", ["web.example.com"]]],
    );
    await expectStatus(await app.request("/v1/blob/9/objects"), 404, "NotFound");
    await expectStatus(await app.request("/v1/blob/diff?from=2"), 400, "BadRequest");
  });
});
