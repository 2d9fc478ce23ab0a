import { assert, assertEquals, assertRejects } from "../../../tests/assert.ts";
import { kvPath, withStore } from "../../testing.ts";
import { decodeBlob } from "../../blob/mod.ts";
import { compile, IncrementalCompiler, sha256Hex } from "../../compile/mod.ts";
import type { CompileResult } from "../../compile/mod.ts";
import { admitResources } from "../../model/admit_resources.ts";
import { sampleGateway, sampleNamespace, sampleRoute, sampleService } from "../../model/testing.ts";
import type { KubeObject } from "../../model/types.ts";
import { Store } from "../../store/store.ts";
import { Publisher } from "./publisher.ts";
import type { CompileFn } from "./publisher.ts";

Deno.test("Publisher.ready compiles once: generation 1 for an empty store, unchanged on restart", async () => {
  await withStore(async (store, dir) => {
    const blob = await new Publisher(store, compile).ready();
    assertEquals(blob.generation, 1);
    assertEquals(decodeBlob((await store.currentBlob())!.blob).generation, 1);
    // Another process on the same data compiles the same bytes: no new generation.
    const other = await Store.open(kvPath(dir));
    try {
      assertEquals((await new Publisher(other, compile).ready()).generation, 1);
    } finally {
      other.close();
    }
  });
});

Deno.test("Publisher.ready compiles routes stored without a blob and knows their status", async () => {
  await withStore(async (store) => {
    await store.putAll([sampleRoute()]);
    const publisher = new Publisher(store, compile);
    assertEquals(publisher.statusOf({ namespace: "default", name: "web" }), undefined);
    const blob = await publisher.ready();
    assertEquals(blob.generation, 1);
    assertEquals(
      publisher.statusOf({ namespace: "default", name: "web" })?.parents[0].parentRef.name,
      "gateway",
    );
  });
});

Deno.test("Publisher.apply bumps the generation only when the compiled bytes change", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, compile);
    await publisher.ready();
    const first = await publisher.apply({ put: [sampleRoute()] });
    assertEquals([first.created, first.blob.generation, first.blobChanged], [1, 2, true]);
    const again = await publisher.apply({ put: [sampleRoute()] });
    assertEquals([again.created, again.blob.generation, again.blobChanged], [0, 2, false]);
    const relabelled = sampleRoute();
    relabelled.metadata.labels = { team: "a" };
    assertEquals(
      (await publisher.apply({ put: [relabelled] })).blob.generation,
      2,
      "labels do not reach the blob",
    );
    const gone = await publisher.apply({
      delete: [{ kind: "HTTPRoute", namespace: "default", name: "web" }],
    });
    assertEquals([gone.deleted.length, gone.blob.generation], [1, 3]);
    const stored = await store.currentBlob();
    assertEquals(decodeBlob(stored!.blob).generation, 3, "the blob header carries the generation");
  });
});

Deno.test("Publisher.apply writes nothing when compiling fails", async () => {
  await withStore(async (store) => {
    let fail = false;
    const flaky: CompileFn = (resources, options) =>
      fail ? Promise.reject(new Error("compiler bug")) : compile(resources, options);
    const publisher = new Publisher(store, flaky);
    await publisher.apply({ put: [sampleRoute("a")] });
    fail = true;
    await assertRejects(() => publisher.apply({ put: [sampleRoute("b")] }), "compiler bug");
    assertEquals((await store.list()).map((r) => r.metadata.name), ["a"]);
    assertEquals((await store.blobMeta())?.generation, 1);
    fail = false;
    assertEquals(
      (await publisher.apply({ put: [sampleRoute("b")] })).blob.generation,
      2,
      "a failure does not block later writes",
    );
  });
});

Deno.test("Publisher.apply serialises concurrent writes: every route lands, every generation is distinct", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, compile);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => publisher.apply({ put: [sampleRoute(`r${i}`)] })),
    );
    assertEquals(results.map((r) => r.blob.generation), [1, 2, 3, 4, 5, 6, 7, 8]);
    assertEquals((await store.list()).length, 8);
    const expected = await compile(await store.list(), { generation: 8 });
    assertEquals((await store.currentBlob())?.sha256, expected.sha256);
  });
});

Deno.test("Publisher.apply retries when another process wrote meanwhile", async () => {
  await withStore(async (store, dir) => {
    const other = await Store.open(kvPath(dir));
    try {
      let raced = false;
      // Land a write from "another process" between this publisher's read and its commit, once.
      const racing: CompileFn = async (resources, options) => {
        if (!raced) {
          raced = true;
          await other.putAll([sampleRoute("theirs")]);
        }
        return compile(resources, options);
      };
      const result = await new Publisher(store, racing).apply({ put: [sampleRoute("mine")] });
      assert(raced);
      assertEquals((await store.list()).map((r) => r.metadata.name), ["mine", "theirs"]);
      const expected = await compile(await store.list(), { generation: result.blob.generation });
      assertEquals(result.blob.sha256, expected.sha256, "the blob covers both writes");
    } finally {
      other.close();
    }
  });
});

/** Counts compiles and remembers what each one was given. */
function spy(inner: CompileFn = compile) {
  const calls: { kinds: string[]; generation: number }[] = [];
  const fn: CompileFn = (resources, options) => {
    calls.push({ kinds: resources.map((r) => r.kind), generation: options.generation });
    return inner(resources, options);
  };
  return { fn, calls };
}

Deno.test("Publisher.apply compiles once per change, at the next generation, whether or not the rules changed", async () => {
  await withStore(async (store) => {
    const { fn, calls } = spy();
    const publisher = new Publisher(store, fn);
    await publisher.ready();
    await publisher.apply({ put: [sampleRoute()] });
    await publisher.apply({ put: [sampleRoute()] });
    await publisher.apply({ put: [sampleRoute("other")] });
    assertEquals(calls.map((c) => c.generation), [1, 2, 3, 3]);
    assertEquals((await store.blobMeta())?.generation, 3);
  });
});

Deno.test("Publisher.apply keeps the current blob's bytes when the rules did not change", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, compile);
    await publisher.apply({ put: [sampleRoute()] });
    const before = await store.currentBlob();
    const same = await publisher.apply({ put: [sampleRoute()] });
    assertEquals([same.blobChanged, same.blob], [false, before && (({ blob: _, ...meta }) => meta)(before)]);
    assertEquals((await store.currentBlob())?.blob, before?.blob);
    assertEquals(decodeBlob(before!.blob).generation, 1);
  });
});

Deno.test("Publisher after a restart bumps the generation only for writes that change rules, compared with its own segments or the stored bytes", async () => {
  await withStore(async (store, dir) => {
    await new Publisher(store, compile).apply({ put: [sampleRoute()] });
    const other = await Store.open(kvPath(dir));
    try {
      const publisher = new Publisher(other, new IncrementalCompiler());
      // The start-up compile holds the stored rules: compared with the stored bytes, no new blob.
      assertEquals((await publisher.ready()).generation, 1);
      // Then writes are compared with the start-up compile's segments.
      for (let i = 0; i < 2; i++) {
        assertEquals((await publisher.apply({ put: [sampleRoute()] })).blobChanged, false);
      }
      const moved = sampleRoute();
      moved.spec.rules![0].backendRefs![0].port = 9090;
      assertEquals((await publisher.apply({ put: [moved] })).blob.generation, 2);
      assertEquals((await publisher.apply({ put: [moved] })).blobChanged, false);
      assertEquals((await publisher.apply({ put: [sampleRoute()] })).blob.generation, 3);
      assertEquals(decodeBlob((await other.currentBlob())!.blob).generation, 3);
    } finally {
      other.close();
    }
  });
});

Deno.test("Publisher compiles every stored kind together and stores them all", async () => {
  await withStore(async (store) => {
    const { fn, calls } = spy();
    const publisher = new Publisher(store, fn);
    const objects = admitResources([
      sampleNamespace("apps"),
      sampleGateway(),
      sampleRoute(),
      sampleService(),
    ]);
    const result = await publisher.apply({ put: objects });
    assertEquals([result.created, result.objects.map((o) => o.kind)], [4, [
      "Namespace",
      "Gateway",
      "HTTPRoute",
      "Service",
    ]]);
    assertEquals(calls.at(-1)!.kinds.sort(), ["Gateway", "HTTPRoute", "Namespace", "Service"]);
    assertEquals((await store.list()).length, 4);
    assert(publisher.statusOf({ namespace: "default", name: "web" }), "routes still get a status");
    const gone = await publisher.apply({ delete: [{ kind: "Namespace", namespace: "", name: "apps" }] });
    assertEquals(gone.deleted, [{ kind: "Namespace", namespace: "", name: "apps" }]);
    assertEquals(calls.at(-1)!.kinds.sort(), ["Gateway", "HTTPRoute", "Service"]);
  });
});

/** A compiler whose blob (header + names) depends on every object, as one that resolves Services does. */
const namesCompiler: CompileFn = async (resources: KubeObject[], { generation }) => {
  const body = new TextEncoder().encode(
    resources.map((r) => `${r.kind}/${r.metadata.name}`).sort().join(","),
  );
  const blob = new Uint8Array(32 + body.length);
  new DataView(blob.buffer).setUint32(16, generation, true);
  blob.set(body, 32);
  return { blob, sha256: await sha256Hex(blob), statuses: [], table: {} } as unknown as CompileResult;
};

Deno.test("Publisher publishes a new blob when an object of another kind changes what compiles", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, namesCompiler);
    await publisher.ready();
    const [service] = admitResources([sampleService()]);
    const added = await publisher.apply({ put: [service] });
    assertEquals([added.blobChanged, added.blob.generation], [true, 2]);
    const again = await publisher.apply({ put: [service] });
    assertEquals([again.blobChanged, again.blob.generation], [false, 2]);
    const gone = await publisher.apply({
      delete: [{ kind: "Service", namespace: "default", name: "web-v1" }],
    });
    assertEquals([gone.blobChanged, gone.blob.generation], [true, 3]);
  });
});

Deno.test("Publisher.ready replaces a blob whose rules the current compiler would not write", async () => {
  await withStore(async (store) => {
    const stale = new Uint8Array(64).fill(9);
    await store.commit(await store.snapshot(), { blob: { generation: 1, bytes: stale } });
    assertEquals((await new Publisher(store, compile).ready()).generation, 2);
    assertEquals(decodeBlob((await store.currentBlob())!.blob).generation, 2);
  });
});

Deno.test("Publisher.apply checks preconditions in the same critical section as the write", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, compile);
    const [stored] = (await publisher.apply({ put: [sampleRoute()] })).objects;
    const key = { kind: "HTTPRoute" as const, namespace: "default", name: "web" };
    const rv = stored.metadata.resourceVersion!;
    // Two writers based on the same version: exactly one wins.
    const results = await Promise.allSettled([
      publisher.apply({ put: [sampleRoute()], preconditions: [{ key, resourceVersion: rv }] }),
      publisher.apply({ put: [sampleRoute()], preconditions: [{ key, resourceVersion: rv }] }),
    ]);
    assertEquals(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  });
});

Deno.test("Publisher.apply dryRun compiles and reports statuses without storing or changing served status", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, compile);
    await publisher.ready();
    const dry = await publisher.apply({ put: [sampleRoute("web")] }, { dryRun: true, actor: "ci" });
    assertEquals([dry.dryRun, dry.blobChanged, dry.blob.generation, dry.blob.createdBy], [
      true,
      true,
      2,
      "ci",
    ]);
    assertEquals(dry.statuses.get("default/web")?.length, 1);
    assertEquals(publisher.statusOf({ namespace: "default", name: "web" }), undefined);
    assertEquals([await store.list(), (await store.blobMeta())?.generation], [[], 1]);
  });
});

Deno.test("Publisher records who wrote each blob: the actor, or system at start-up", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, compile);
    await publisher.ready();
    await publisher.apply({ put: [sampleRoute()] }, { actor: "ci" });
    assertEquals((await store.blobHistory()).map((m) => m.createdBy), ["ci", "system"]);
    assert(publisher.isReady);
  });
});

/** The weights the current blob gives the backends of `route`'s rule 0. */
async function servedWeights(store: Store, route: string): Promise<number[]> {
  const table = decodeBlob((await store.currentBlob())!.blob);
  for (const vhost of table.vhosts) {
    const entry = vhost.routes.find((e) => e.action.route === route && e.action.rule === 0);
    if (entry) return entry.action.backends.map((b) => b.weight);
  }
  throw new Error(`${route} is not served`);
}

const withWeights = (name: string, v1: number, v2: number) => {
  const route = sampleRoute(name);
  route.spec.rules![0].backendRefs = [{ name: "web-v1", port: 8080, weight: v1 }, {
    name: "web-v2",
    port: 8080,
    weight: v2,
  }];
  return route;
};

Deno.test("a rollback restores the routes too: 90/10 -> 50/50 -> rollback -> an unrelated write keeps 90/10", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, compile);
    await publisher.ready();
    const ninety = await publisher.apply({ put: [withWeights("web", 90, 10)] });
    const fifty = await publisher.apply({ put: [withWeights("web", 50, 50)] });
    assertEquals(await servedWeights(store, "default/web"), [50, 50]);

    const rolled = await publisher.rollback(ninety.blob.generation);
    assertEquals([rolled.blob.rollbackOf, rolled.objectsRecorded], [ninety.blob.generation, true]);
    assertEquals(rolled.objects.map((o) => [o.action, o.key.name]), [["restored", "web"]]);
    assertEquals(await servedWeights(store, "default/web"), [90, 10]);
    const stored = (await store.get("HTTPRoute", "default", "web"))!;
    assertEquals(stored.spec.rules![0].backendRefs!.map((b) => b.weight), [90, 10]);
    assertEquals(stored.metadata.uid, fifty.objects[0].metadata.uid, "the same object, written back");
    assert(
      Number(stored.metadata.resourceVersion) > Number(fifty.objects[0].metadata.resourceVersion),
      "a new resourceVersion",
    );

    await publisher.apply({ put: [sampleRoute("other")] });
    assertEquals(await servedWeights(store, "default/web"), [90, 10], "the unrelated write kept 90/10");

    // A writer still holding the 50/50 version gets a conflict instead of undoing the rollback.
    await assertRejects(
      () =>
        publisher.apply({
          put: [withWeights("web", 50, 50)],
          preconditions: [{
            key: { kind: "HTTPRoute", namespace: "default", name: "web" },
            resourceVersion: fifty.objects[0].metadata.resourceVersion!,
          }],
        }),
      "resourceVersion",
    );
  });
});

Deno.test("a rollback recreates objects deleted since and deletes objects created since; dry, it only says so", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, compile);
    await publisher.ready();
    const base = await publisher.apply({ put: [sampleRoute("a"), sampleRoute("b")] });
    await publisher.apply({ delete: [{ kind: "HTTPRoute", namespace: "default", name: "a" }] });
    await publisher.apply({ put: [sampleRoute("c")] });
    const before = await store.snapshot();

    const dry = await publisher.rollback(base.blob.generation, { dryRun: true });
    assertEquals(dry.objects.map((o) => [o.action, o.key.name]), [["recreated", "a"], ["deleted", "c"]]);
    const after = await store.snapshot();
    assertEquals([after.revision, after.objects, after.blob], [before.revision, before.objects, before.blob]);

    await publisher.rollback(base.blob.generation);
    assertEquals((await store.list("HTTPRoute")).map((r) => r.metadata.name), ["a", "b"]);
    assertEquals(publisher.statusOf({ namespace: "default", name: "c" }), undefined, "status follows");
    assert(publisher.statusOf({ namespace: "default", name: "a" }));
  });
});

for (
  const [kind, make] of [["compile", () => compile], [
    "IncrementalCompiler",
    () => new IncrementalCompiler(),
  ]] as const
) {
  Deno.test(`Publisher (${kind}): a dry run answers the statuses it would give and leaves the stored ones`, async () => {
    await withStore(async (store) => {
      const publisher = new Publisher(store, make());
      await publisher.ready();
      await publisher.apply({ put: [sampleRoute("web"), sampleRoute("api")] });
      const moved = sampleRoute("web");
      moved.spec.parentRefs = [{ name: "other" }];
      const dry = await publisher.apply({ put: [moved] }, { dryRun: true });
      assertEquals(dry.statuses.get("default/web")?.[0].parentRef.name, "other");
      assertEquals([...dry.statuses.keys()], ["default/web"], "the statuses of the routes written");
      const ref = (name: string) =>
        publisher.statusOf({ namespace: "default", name })?.parents[0].parentRef.name;
      assertEquals([ref("web"), ref("api")], ["gateway", "gateway"]);
      const real = await publisher.apply({ put: [moved] });
      assertEquals([real.statuses.get("default/web")?.[0].parentRef.name, ref("web")], ["other", "other"]);
      await publisher.apply({ delete: [{ kind: "HTTPRoute", namespace: "default", name: "web" }] });
      assertEquals([ref("web"), ref("api")], [undefined, "gateway"]);
    });
  });
}
