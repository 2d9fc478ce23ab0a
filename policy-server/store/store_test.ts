import { assert, assertEquals, assertMatch, assertRejects } from "../../tests/assert.ts";
import { sha256Hex } from "../compile/mod.ts";
import { admitResources } from "../model/admit_resources.ts";
import {
  sampleGateway,
  sampleNamespace,
  sampleReferenceGrant,
  sampleRoute,
  sampleService,
  sampleServiceImport,
} from "../model/testing.ts";
import type { HTTPRoute, StoredObject } from "../model/types.ts";
import { StoreConflictError, StoreLimitError } from "./kv_batch.ts";
import { keyOf, Store } from "./store.ts";
import type { StoreOptions } from "./store.ts";

/** A store on a real KV file in a fresh temp dir; reopened with `reopen`, removed at the end. */
async function withStore(
  fn: (store: Store, reopen: () => Promise<Store>, path: string) => Promise<void>,
  options?: StoreOptions,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-store-" });
  const path = `${dir}/wasmroute.kv`;
  const opened: Store[] = [await Store.open(path, options)];
  try {
    await fn(opened[0], async () => {
      opened.at(-1)!.close();
      opened.push(await Store.open(path, options));
      return opened.at(-1)!;
    }, path);
  } finally {
    try {
      opened.at(-1)!.close();
    } catch { /* already closed */ }
    await Deno.remove(dir, { recursive: true });
  }
}

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

Deno.test("Store.putAll stores routes with server metadata and lists them in key order", async () => {
  await withStore(async (store) => {
    const stored = await store.putAll([sampleRoute("b"), sampleRoute("a"), sampleRoute("c", "apps")]);
    const [b] = stored;
    assertEquals(b.metadata.generation, 1);
    assertEquals(b.metadata.resourceVersion, "1");
    assertMatch(b.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assertMatch(b.metadata.uid!, /^[0-9a-f-]{36}$/);
    assertEquals((await store.list()).map((r) => `${r.metadata.namespace}/${r.metadata.name}`), [
      "apps/c",
      "default/a",
      "default/b",
    ]);
    assertEquals((await store.list("HTTPRoute", "apps")).length, 1);
    assertEquals(await store.get("HTTPRoute", "default", "b"), b);
    assertEquals(await store.get("HTTPRoute", "default", "nope"), null);
    assertEquals(await store.get("Gateway", "default", "b"), null, "the kind is part of the key");
  });
});

Deno.test("Store.putAll keeps creationTimestamp and uid on replace, bumps resourceVersion, and generation only on spec change", async () => {
  await withStore(async (store) => {
    const put = async (route: HTTPRoute, now: Date) => {
      const snapshot = await store.snapshot();
      const prepared = store.prepare(snapshot, [route], now);
      await store.commit(snapshot, { put: prepared });
      return prepared;
    };
    const [first] = await put(sampleRoute(), new Date("2026-01-01T00:00:00.123Z"));
    assertEquals(first.metadata.creationTimestamp, "2026-01-01T00:00:00Z");
    const relabelled = { ...sampleRoute(), metadata: { ...sampleRoute().metadata, labels: { team: "a" } } };
    const [second] = await put(relabelled, new Date("2026-01-02T00:00:00Z"));
    assertEquals(second.metadata.creationTimestamp, first.metadata.creationTimestamp);
    assertEquals(second.metadata.uid, first.metadata.uid);
    assertEquals([second.metadata.resourceVersion, second.metadata.generation], ["2", 1]);
    assertEquals(second.metadata.labels, { team: "a" });
    const changed = sampleRoute();
    changed.spec.hostnames = ["other.example.com"];
    const [third] = await store.putAll([changed]);
    assertEquals([third.metadata.resourceVersion, third.metadata.generation], ["3", 2]);
  });
});

Deno.test("Store ignores client-written server fields", async () => {
  await withStore(async (store) => {
    const route: HTTPRoute = { ...sampleRoute(), status: { parents: ["forged"] } };
    route.metadata = {
      ...route.metadata,
      uid: "forged",
      resourceVersion: "999",
      generation: 7,
      creationTimestamp: "2000-01-01T00:00:00Z",
    };
    const [stored] = await store.putAll([route]);
    assert(stored.metadata.uid !== "forged");
    assertEquals([stored.metadata.resourceVersion, stored.metadata.generation], ["1", 1]);
    assert(stored.metadata.creationTimestamp !== "2000-01-01T00:00:00Z");
    assertEquals("status" in stored, false);
  });
});

Deno.test("Store.putAll is all or nothing: one oversized route stores none", async () => {
  await withStore(async (store) => {
    await store.putAll([sampleRoute("keep")]);
    const huge = sampleRoute("huge");
    huge.metadata.annotations = { note: "x".repeat(70_000) };
    const error = await assertRejects(() => store.putAll([sampleRoute("a"), huge, sampleRoute("b")]));
    assert(error instanceof StoreLimitError);
    assertMatch(
      error.message,
      /HTTPRoute default\/huge takes \d+ bytes; a stored value is limited to 65536 bytes/,
    );
    assertEquals((await store.list()).map((r) => r.metadata.name), ["keep"]);
  });
});

Deno.test("Store.putAll refuses more routes than one atomic write can hold, clearly and storing none", async () => {
  await withStore(async (store) => {
    const routes = Array.from({ length: 1000 }, (_, i) => sampleRoute(`r${i}`));
    const error = await assertRejects(() => store.putAll(routes));
    assert(error instanceof StoreLimitError);
    // 1,000 objects, the revision, and the compressed record of what they replaced.
    assertMatch(error.message, /needs 100[23] changes in one atomic operation; the limit is 1000/);
    assertEquals(await store.list(), []);
  });
});

Deno.test("Store.commit fails on a stale snapshot instead of overwriting a concurrent write", async () => {
  await withStore(async (store) => {
    const stale = await store.snapshot();
    await store.putAll([sampleRoute("first")]);
    const error = await assertRejects(() =>
      store.commit(stale, { put: store.prepare(stale, [sampleRoute("second")]) })
    );
    assert(error instanceof StoreConflictError);
    assertEquals((await store.list()).map((r) => r.metadata.name), ["first"]);
  });
});

Deno.test("Store.delete removes one object of one kind and says whether there was one", async () => {
  await withStore(async (store) => {
    await store.putAll([sampleRoute("a"), sampleRoute("b"), sampleService("a")]);
    assertEquals(await store.delete("HTTPRoute", "default", "a"), true);
    assertEquals(await store.delete("HTTPRoute", "default", "a"), false);
    assertEquals((await store.list()).map((o) => `${o.kind} ${o.metadata.name}`), [
      "HTTPRoute b",
      "Service a",
    ]);
  });
});

/** One admitted object of every kind. */
const everyKind = (): StoredObject[] =>
  admitResources([
    sampleRoute(),
    sampleGateway(),
    sampleReferenceGrant(),
    sampleService(),
    sampleServiceImport(),
    sampleNamespace("apps"),
  ]);

Deno.test('Store keys objects by kind, namespace and name; Namespaces under namespace ""', async () => {
  await withStore(async (store, _reopen, path) => {
    await store.putAll(everyKind());
    store.close();
    const kv = await Deno.openKv(path);
    try {
      const keys: Deno.KvKey[] = [];
      for await (const entry of kv.list({ prefix: ["objects"] })) keys.push(entry.key);
      assertEquals(keys, [
        ["objects", "Gateway", "istio-ingress", "gateway"],
        ["objects", "HTTPRoute", "default", "web"],
        ["objects", "Namespace", "", "apps"],
        ["objects", "ReferenceGrant", "backends", "routes-to-backends"],
        ["objects", "Service", "default", "web-v1"],
        ["objects", "ServiceImport", "default", "web-v1"],
      ]);
      assertEquals((await kv.get(["meta", "revision"])).value, 1);
      assertEquals((await kv.list({ prefix: ["routes"] }).next()).done, true, "no keys of the old layout");
    } finally {
      kv.close();
    }
  });
});

Deno.test("Store lists all kinds, one kind, or one kind in one namespace; gets and deletes per kind", async () => {
  await withStore(async (store) => {
    const stored = await store.putAll([
      ...everyKind(),
      sampleService("web-v2", "apps"),
      sampleNamespace("web"),
    ]);
    assertEquals((await store.list()).length, 8);
    assertEquals((await store.list("Service")).map((s) => `${s.metadata.namespace}/${s.metadata.name}`), [
      "apps/web-v2",
      "default/web-v1",
    ]);
    assertEquals((await store.list("Service", "apps")).map((s) => s.metadata.name), ["web-v2"]);
    assertEquals((await store.list("Namespace")).map((n) => n.metadata.name), ["apps", "web"]);
    const namespace = await store.get("Namespace", "", "apps");
    assertEquals(namespace, stored.find((o) => o.kind === "Namespace" && o.metadata.name === "apps"));
    assertEquals("namespace" in namespace!.metadata, false);
    assertEquals(namespace!.metadata.labels, { gateway: "shared", "kubernetes.io/metadata.name": "apps" });
    const service = await store.get("Service", "default", "web-v1");
    assertEquals(service?.spec.ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
    assertEquals(await store.delete("Namespace", "", "apps"), true);
    assertEquals(await store.delete("Service", "default", "web"), false);
    assertEquals((await store.list("Namespace")).map((n) => n.metadata.name), ["web"]);
  });
});

Deno.test("Store stamps metadata on every kind the same way", async () => {
  await withStore(async (store) => {
    const first = await store.putAll(everyKind());
    for (const obj of first) {
      assertEquals([obj.metadata.generation, obj.metadata.resourceVersion], [1, "1"], obj.kind);
      assertMatch(obj.metadata.uid!, /^[0-9a-f-]{36}$/);
    }
    const [gateway] = admitResources([sampleGateway()]);
    (gateway.spec as { gatewayClassName: string }).gatewayClassName = "other";
    const [namespace] = admitResources([sampleNamespace("apps", { team: "b" })]);
    const [g2, n2] = await store.putAll([gateway, namespace]);
    assertEquals([g2.metadata.generation, g2.metadata.resourceVersion, g2.metadata.uid], [
      2,
      "2",
      first[1].metadata.uid,
    ]);
    assertEquals([n2.metadata.generation, n2.metadata.uid], [1, first[5].metadata.uid], "labels are no spec");
  });
});

Deno.test("Store.putAll is atomic across kinds: one oversized object of any kind stores none", async () => {
  await withStore(async (store) => {
    const huge = sampleGateway("huge");
    huge.metadata.annotations = { note: "x".repeat(70_000) };
    const error = await assertRejects(() => store.putAll([...everyKind(), huge]));
    assert(error instanceof StoreLimitError);
    assertMatch(error.message, /^Gateway istio-ingress\/huge takes \d+ bytes/);
    assertEquals(await store.list(), []);
  });
});

Deno.test("Store blob generation increments only when the bytes change", async () => {
  await withStore(async (store) => {
    assertEquals(await store.currentBlob(), null);
    let s = await store.snapshot();
    const one = await store.commit(s, { blob: { generation: 1, bytes: bytes(10, 1) } });
    assertEquals([one.blob?.generation, one.blobChanged], [1, true]);

    s = await store.snapshot();
    const same = await store.commit(s, { blob: { generation: 2, bytes: bytes(10, 1) } });
    assertEquals([same.blob?.generation, same.blobChanged], [1, false]);

    s = await store.snapshot();
    const two = await store.commit(s, { blob: { generation: 2, bytes: bytes(10, 2) } });
    assertEquals([two.blob?.generation, two.blobChanged], [2, true]);

    const current = await store.currentBlob();
    assertEquals([current?.generation, current?.size, current?.blob], [2, 10, bytes(10, 2)]);
    assertEquals(current?.sha256, await sha256Hex(bytes(10, 2)));
    assertEquals((await store.blobAt(1))?.blob, bytes(10, 1));

    s = await store.snapshot();
    await assertRejects(
      () => store.commit(s, { blob: { generation: 5, bytes: bytes(1) } }),
      "the next blob generation is 3",
    );
  });
});

Deno.test("Store keeps blobs larger than a KV value in chunks, and they survive a reopen", async () => {
  await withStore(async (store, reopen) => {
    const big = Uint8Array.from({ length: 150_000 }, (_, i) => (i * 7) % 251);
    await store.commit(await store.snapshot(), { put: [sampleRoute()], blob: { generation: 1, bytes: big } });
    const meta = await store.blobMeta();
    assertEquals([meta?.size, meta?.chunks], [150_000, 3]);
    const again = await reopen();
    assertEquals((await again.currentBlob())?.blob, big);
    assertEquals((await again.list()).length, 1);
  });
});

Deno.test("Store keeps a blob larger than one atomic write in parts written ahead of it", async () => {
  await withStore(async (store, reopen) => {
    await store.commit(await store.snapshot(), { blob: { generation: 1, bytes: bytes(100) } });
    const big = Uint8Array.from({ length: 2_000_000 }, (_, i) => (i * 31) % 253);
    const snapshot = await store.snapshot();
    const put = store.prepare(snapshot, [sampleRoute()]);
    const committed = await store.commit(snapshot, { put, blob: { generation: 2, bytes: big } });
    assertEquals([committed.blob?.size, committed.blob?.chunks], [2_000_000, 34]);
    const again = await reopen();
    assertEquals((await again.currentBlob())?.blob, big);
    assertEquals((await again.blobAt(1))?.blob, bytes(100));
  });
});

Deno.test("Store cuts a blob's parts where its cuts say, so the next version shares the parts it did not change", async () => {
  await withStore(async (store, reopen, path) => {
    const piece = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * seed) % 251);
    const join = (pieces: Uint8Array[]) => {
      const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
      pieces.reduce((at, p) => (out.set(p, at), at + p.length), 0);
      return out;
    };
    const ends = (pieces: Uint8Array[]) =>
      pieces.slice(0, -1).map((_, i) => pieces.slice(0, i + 1).reduce((n, p) => n + p.length, 0));
    // A 130,000-byte segment is cut again every 60,000 bytes; cuts at 0 or past the end are ignored.
    const v1 = [piece(100, 3), piece(30_000, 5), piece(130_000, 7), piece(20_000, 11)];
    const v2 = [piece(90, 13), ...v1.slice(1, 3), piece(25_000, 17)];
    const committed1 = await store.commit(await store.snapshot(), {
      blob: { generation: 1, bytes: join(v1), cuts: [0, ...ends(v1), 999_999] },
    });
    assertEquals(committed1.blob?.chunks, 6);
    await store.commit(await store.snapshot(), { blob: { generation: 2, bytes: join(v2), cuts: ends(v2) } });
    const kv = await Deno.openKv(path);
    try {
      const parts = async (g: number) =>
        (await kv.get<{ parts: string[] }>(["blob", "history", g])).value!.parts;
      const [p1, p2] = [await parts(1), await parts(2)];
      assertEquals(p1[2], await sha256Hex(v1[2].subarray(0, 60_000)));
      assertEquals(p1[4], await sha256Hex(v1[2].subarray(120_000)));
      assertEquals(p2.slice(1, 5), p1.slice(1, 5));
      assert(p2[0] !== p1[0] && p2[5] !== p1[5]);
    } finally {
      kv.close();
    }
    const again = await reopen();
    assertEquals((await again.blobAt(1))?.blob, join(v1));
    assertEquals((await again.currentBlob())?.blob, join(v2));
  });
});

Deno.test("Store refuses, naming it, a blob part that is missing or fails its digest", async () => {
  await withStore(async (store, _reopen, path) => {
    const big = Uint8Array.from({ length: 130_000 }, (_, i) => i % 256);
    await store.commit(await store.snapshot(), { blob: { generation: 1, bytes: big } });
    const kv = await Deno.openKv(path);
    try {
      const parts = (await kv.get<{ parts: string[] }>(["blob", "history", 1])).value!.parts;
      assertEquals(parts.length, 3);
      assertEquals(parts[1], await sha256Hex(big.subarray(60_000, 120_000)));
      const part = (await kv.get<Uint8Array>(["blob", "parts", parts[1]])).value!;
      part[5] ^= 1;
      await kv.set(["blob", "parts", parts[1]], part);
      const fresh = new Store(kv);
      await assertRejects(() => fresh.blobAt(1), `blob 1 is damaged: its bytes hash to`);
      await assertRejects(() => fresh.currentBlob(), `in part 1, not the ${parts[1]}`);
      part[5] ^= 1;
      await kv.set(["blob", "parts", parts[1]], part);
      await kv.delete(["blob", "parts", parts[2]]);
      await assertRejects(() => fresh.blobAt(1), `blob 1 is incomplete: part 2 (${parts[2]}) is missing`);
    } finally {
      kv.close();
    }
  });
});

Deno.test("Store collects the parts of versions gone from history and of failed writes, keeping shared ones", async () => {
  await withStore(async (store, _reopen, path) => {
    const blob = (g: number) => {
      const out = new Uint8Array(150_000).fill(7); // parts 0 and 1 the same in every version
      out[149_999] = g;
      return out;
    };
    for (let g = 1; g <= 3; g++) {
      await store.commit(await store.snapshot(), { blob: { generation: g, bytes: blob(g) } });
    }
    const kv = await Deno.openKv(path);
    const stored = async () => {
      const out: string[] = [];
      for await (const e of kv.list({ prefix: ["blob", "parts"] })) out.push(e.key[2] as string);
      return out.sort();
    };
    try {
      const expected = async (...gs: number[]) =>
        [
          ...new Set(
            await Promise.all(
              [0, 60_000, 120_000].flatMap((at) =>
                gs.map((g) => sha256Hex(blob(g).subarray(at, at + 60_000)))
              ),
            ),
          ),
        ].sort();
      assertEquals(await stored(), await expected(2, 3), "generation 1's last part went with it");
      // A write that loses its race has written its parts: the next collection removes them.
      const stale = await store.snapshot();
      await store.commit(await store.snapshot(), { put: store.prepare(stale, [sampleRoute()]) });
      const lost = await assertRejects(() =>
        store.commit(stale, { blob: { generation: 4, bytes: blob(4) } })
      );
      assert(lost instanceof StoreConflictError);
      assertEquals((await stored()).length, 4);
      assertEquals(await store.collectParts(), 1);
      assertEquals(await stored(), await expected(2, 3));
      assertEquals((await store.blobAt(2))?.blob, blob(2));
    } finally {
      kv.close();
    }
  }, { historyLimit: 2 });
});

Deno.test("Store fails a blob write whose parts a collection may have taken since its snapshot", async () => {
  await withStore(async (store, _reopen, path) => {
    await store.commit(await store.snapshot(), { blob: { generation: 1, bytes: bytes(10, 1) } });
    const snapshot = await store.snapshot();
    // Another process collects an orphaned part between this write's snapshot and its commit.
    const kv = await Deno.openKv(path);
    const other = new Store(kv);
    try {
      await kv.set(["blob", "parts", "f".repeat(64)], bytes(3));
      await kv.set(["blob", "part-index", "f".repeat(64)], 3);
      assertEquals(await other.collectParts(), 1);
    } finally {
      other.close();
    }
    const error = await assertRejects(() =>
      store.commit(snapshot, { blob: { generation: 2, bytes: bytes(10, 2) } })
    );
    assert(error instanceof StoreConflictError);
    await store.commit(await store.snapshot(), { blob: { generation: 2, bytes: bytes(10, 2) } });
    assertEquals((await store.currentBlob())?.blob, bytes(10, 2));
  });
});

Deno.test("Store keeps a bounded blob history", async () => {
  await withStore(async (store) => {
    for (let g = 1; g <= 4; g++) {
      await store.commit(await store.snapshot(), { blob: { generation: g, bytes: bytes(70_000, g) } });
    }
    assertEquals(await store.blobAt(1), null);
    assertEquals(await store.blobAt(2), null);
    assertEquals((await store.blobAt(3))?.blob, bytes(70_000, 3));
    assertEquals((await store.currentBlob())?.generation, 4);
  }, { historyLimit: 2 });
});

Deno.test("Store.blobHistory lists kept versions newest first, with createdBy and rollbackOf as written", async () => {
  await withStore(async (store) => {
    for (let g = 1; g <= 4; g++) {
      await store.commit(await store.snapshot(), {
        blob: {
          generation: g,
          bytes: bytes(10, g),
          createdBy: `user${g}`,
          ...(g === 4 && { rollbackOf: 2 }),
        },
      });
    }
    const history = await store.blobHistory();
    assertEquals(history.map((m) => [m.generation, m.createdBy, m.rollbackOf]), [
      [4, "user4", 2],
      [3, "user3", undefined],
      [2, "user2", undefined],
    ]);
  }, { historyLimit: 3 });
});

Deno.test("Store.commit with dryRun checks limits and answers as a write would, writing nothing", async () => {
  await withStore(async (store) => {
    const snapshot = await store.snapshot();
    const put = store.prepare(snapshot, [sampleRoute()]);
    const dry = await store.commit(snapshot, { put, blob: { generation: 1, bytes: bytes(10) } }, new Date(), {
      dryRun: true,
    });
    assertEquals([dry.blobChanged, dry.blob?.generation], [true, 1]);
    assertEquals([await store.list(), await store.blobMeta(), await store.blobHistory()], [[], null, []]);
    // A blob larger than one atomic operation: no part is written either.
    const large = await store.commit(
      snapshot,
      { blob: { generation: 1, bytes: bytes(900_000) } },
      new Date(),
      {
        dryRun: true,
      },
    );
    assertEquals([large.blob?.size, large.blob?.chunks, await store.collectParts()], [900_000, 15, 0]);
    // The snapshot is still good for a real write.
    await store.commit(snapshot, { put });
    assertEquals((await store.list()).length, 1);
  });
});

Deno.test("Store.blobFor gives each generation's own bytes: kept from this handle's commit, read after another's", async () => {
  await withStore(async (store, _reopen, path) => {
    await store.commit(await store.snapshot(), { blob: { generation: 1, bytes: bytes(100, 1) } });
    const first = (await store.blobMeta())!;
    assertEquals((await store.blobFor(first))?.blob, bytes(100, 1));
    // A dry run keeps nothing.
    await store.commit(
      await store.snapshot(),
      { blob: { generation: 2, bytes: bytes(100, 9) } },
      new Date(),
      {
        dryRun: true,
      },
    );
    assertEquals((await store.blobFor(first))?.blob, bytes(100, 1));
    // Another process writes the next generations; this handle reads them, never its older bytes.
    const other = await Store.open(path, { historyLimit: 2 });
    try {
      for (let g = 2; g <= 4; g++) {
        await other.commit(await other.snapshot(), { blob: { generation: g, bytes: bytes(100, g) } });
        const meta = (await store.blobMeta())!;
        assertEquals([meta.generation, (await store.blobFor(meta))?.blob], [g, bytes(100, g)]);
      }
      // A generation gone from history is gone here too.
      assertEquals(await store.blobFor(first), null);
    } finally {
      other.close();
    }
  }, { historyLimit: 2 });
});

Deno.test("Store.objectsAt gives the objects as a past write left them, from the writes' before-images", async () => {
  await withStore(async (store) => {
    const [a1] = await store.putAll([sampleRoute("a")]);
    const first = (await store.snapshot()).revision;
    const changed = sampleRoute("a");
    changed.spec.hostnames = ["changed.example"];
    await store.putAll([changed, sampleRoute("b")]);
    await store.delete("HTTPRoute", "default", "a");
    const now = (await store.snapshot()).revision;

    assertEquals(await store.objectsAt(first), [a1]);
    assertEquals(
      (await store.objectsAt(first + 1))!.map((o) => [o.metadata.name, (o as HTTPRoute).spec.hostnames]),
      [
        ["a", ["changed.example"]],
        ["b", ["web.example.com"]],
      ],
    );
    assertEquals(await store.objectsAt(now), await store.list());
    assertEquals(await store.objectsAt(0), [], "before the first write there was nothing");
  });
});

Deno.test("Store keeps the change records only as long as a kept blob generation needs them", async () => {
  await withStore(async (store) => {
    for (let i = 1; i <= 4; i++) {
      const snapshot = await store.snapshot();
      const put = store.prepare(snapshot, [sampleRoute(`r${i}`)]);
      const generation = (snapshot.blob?.generation ?? 0) + 1;
      await store.commit(snapshot, { put, blob: { generation, bytes: new Uint8Array([i]) } });
    }
    const kept = await store.blobHistory();
    assertEquals(kept.map((b) => b.generation), [4, 3]);
    assertEquals((await store.objectsAt(kept[1].revision!))!.length, 3);
    assertEquals(await store.objectsAt(1), null, "generation 1's records are gone with it");
  }, { historyLimit: 2 });
});

Deno.test("snapshot() answers what a scan of the store would, across this handle's writes and another's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-store-" });
  const path = `${dir}/wasmroute.kv`;
  const mine = await Store.open(path);
  const theirs = await Store.open(path);
  try {
    const scan = async (store: Store) => {
      const snapshot = await store.snapshot();
      assertEquals(snapshot.objects, await store.list());
      for (const obj of snapshot.objects) assertEquals(snapshot.get(keyOf(obj)), obj);
      assertEquals(snapshot.get({ kind: "HTTPRoute", namespace: "default", name: "zz" }), undefined);
      return snapshot;
    };
    await mine.putAll([sampleRoute("b"), sampleRoute("d")]);
    await scan(mine);
    // Written through this handle: the view follows without a scan, in key order.
    await mine.putAll([sampleRoute("c"), sampleRoute("a", "apps")]);
    const before = await scan(mine);
    await mine.delete("HTTPRoute", "default", "d");
    await scan(mine);
    // A snapshot handed out earlier keeps what it saw.
    assertEquals(before.objects.map((o) => o.metadata.name), ["a", "b", "c", "d"]);
    // Written by another handle (another process): the next snapshot reads it.
    await theirs.putAll([sampleRoute("e")]);
    assertEquals((await scan(mine)).objects.map((o) => o.metadata.name), ["a", "b", "c", "e"]);
    // A write based on a stale snapshot still conflicts.
    const stale = await mine.snapshot();
    await theirs.putAll([sampleRoute("f")]);
    const error = await assertRejects(() =>
      mine.commit(stale, { put: mine.prepare(stale, [sampleRoute("g")]) })
    );
    assert(error instanceof StoreConflictError);
    assertEquals((await scan(mine)).objects.map((o) => o.metadata.name), ["a", "b", "c", "e", "f"]);
  } finally {
    mine.close();
    theirs.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Store reads a blob stored in chunks before parts existed, and drops its chunks when it leaves history", async () => {
  await withStore(async (_store, reopen, path) => {
    const old = Uint8Array.from({ length: 70_000 }, (_, i) => i % 199);
    const kv = await Deno.openKv(path);
    const meta = {
      generation: 1,
      sha256: await sha256Hex(old),
      size: old.length,
      createdAt: "2026-01-01T00:00:00.000Z",
      chunks: 2,
      revision: 0,
    };
    await kv.atomic().set(["blob", "current"], meta).set(["blob", "history", 1], meta)
      .set(["blob", "chunks", 1, 0], old.slice(0, 60_000)).set(["blob", "chunks", 1, 1], old.slice(60_000))
      .commit();
    try {
      const store = await reopen();
      assertEquals((await store.currentBlob())?.blob, old);
      await store.commit(await store.snapshot(), { blob: { generation: 2, bytes: bytes(10) } });
      assertEquals((await store.blobAt(1))?.blob, old);
      await store.commit(await store.snapshot(), { blob: { generation: 3, bytes: bytes(11) } });
      assertEquals(await store.blobAt(1), null);
      assertEquals((await kv.get(["blob", "chunks", 1, 0])).value, null);
      assertEquals((await store.blobAt(2))?.blob, bytes(10));
    } finally {
      kv.close();
    }
  }, { historyLimit: 2 });
});

Deno.test("Two handles writing blobs at once (two server processes) leave every kept version whole", async () => {
  await withStore(async (mine, _reopen, path) => {
    const theirs = await Store.open(path, { historyLimit: 2 });
    const blob = (seed: number) =>
      Uint8Array.from({ length: 130_000 }, (_, i) => (i * seed + (i >> 9)) % 251);
    const write = async (store: Store, seed: number) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const snapshot = await store.snapshot();
        const generation = (snapshot.blob?.generation ?? 0) + 1;
        try {
          return await store.commit(snapshot, { blob: { generation, bytes: blob(seed) } });
        } catch (error) {
          if (!(error instanceof StoreConflictError)) throw error;
        }
      }
      throw new Error("no attempt got through");
    };
    try {
      for (let round = 1; round <= 8; round++) {
        await Promise.all([write(mine, 2 * round), write(theirs, 2 * round + 1)]);
      }
      const kept = await mine.blobHistory();
      assertEquals(kept.length, 2);
      for (const meta of kept) {
        const record = await theirs.blobAt(meta.generation);
        assertEquals(record?.sha256, meta.sha256);
      }
      await mine.collectParts();
      const kv = await Deno.openKv(path);
      try {
        const stored: string[] = [];
        for await (const e of kv.list({ prefix: ["blob", "parts"] })) stored.push(e.key[2] as string);
        const listed = new Set<string>();
        for (const g of kept.map((m) => m.generation)) {
          const record = (await kv.get<{ parts: string[] }>(["blob", "history", g])).value!;
          record.parts.forEach((p) => listed.add(p));
        }
        assertEquals(stored.sort(), [...listed].sort(), "only the kept versions' parts are left");
      } finally {
        kv.close();
      }
    } finally {
      theirs.close();
    }
  }, { historyLimit: 2 });
});
