import { assert, assertEquals } from "../../../tests/assert.ts";
import { kvPath, withStore } from "../../testing.ts";
import { compile } from "../../compile/mod.ts";
import { sampleRoute } from "../../model/testing.ts";
import { Store } from "../../store/store.ts";
import type { BlobMeta } from "../../store/store.ts";
import { BlobFeed } from "./blob_feed.ts";
import { Publisher } from "../write/publisher.ts";

Deno.test("BlobFeed.waitForChange resolves as soon as a new generation is committed", async () => {
  await withStore(async (store) => {
    const publisher = new Publisher(store, compile);
    const first = await publisher.ready();
    const feed = new BlobFeed(store);
    const waiting = feed.waitForChange(first.sha256, 10_000);
    await new Promise((r) => setTimeout(r, 20));
    assertEquals(feed.waiting, 1);
    const t0 = performance.now();
    const { blob } = await publisher.apply({ put: [sampleRoute()] });
    const next = await waiting;
    const ms = performance.now() - t0;
    assertEquals([next?.generation, next?.sha256], [blob.generation, blob.sha256]);
    assert(ms < 200, `took ${ms} ms`);
    assertEquals(feed.waiting, 0);
    feed.close();
  });
});

Deno.test("BlobFeed.waitForChange answers at once when the client's blob is already stale", async () => {
  await withStore(async (store) => {
    const current = await new Publisher(store, compile).ready();
    const feed = new BlobFeed(store);
    assertEquals((await feed.waitForChange("0".repeat(64), 10_000))?.sha256, current.sha256);
    feed.close();
  });
});

Deno.test("BlobFeed.waitForChange gives null when the wait ends, the client goes or the feed closes", async () => {
  await withStore(async (store) => {
    const current = await new Publisher(store, compile).ready();
    const feed = new BlobFeed(store);
    const t0 = performance.now();
    assertEquals(await feed.waitForChange(current.sha256, 50), null);
    assert(performance.now() - t0 >= 45);

    const gone = new AbortController();
    const aborted = feed.waitForChange(current.sha256, 10_000, gone.signal);
    gone.abort();
    assertEquals(await aborted, null);

    const held = feed.waitForChange(current.sha256, 10_000);
    await new Promise((r) => setTimeout(r, 10));
    feed.close();
    assertEquals(await held, null);
    assertEquals(
      await feed.waitForChange(current.sha256, 10_000),
      null,
      "a closed feed does not hold anyone",
    );
    assertEquals(feed.waiting, 0);
  });
});

Deno.test("BlobFeed finds a generation written by another process by polling while clients wait", async () => {
  await withStore(async (store, dir) => {
    const current = await new Publisher(store, compile).ready();
    const feed = new BlobFeed(store, { pollMs: 30 });
    const waiting = feed.waitForChange(current.sha256, 10_000);
    const other = await Store.open(kvPath(dir));
    try {
      const { blob } = await new Publisher(other, compile).apply({ put: [sampleRoute("theirs")] });
      assertEquals((await waiting)?.generation, blob.generation);
    } finally {
      other.close();
      feed.close();
    }
  });
});

Deno.test("BlobFeed.subscribe hears each new generation once, whether committed here or found by refresh", async () => {
  await withStore(async (store, dir) => {
    const publisher = new Publisher(store, compile);
    const feed = new BlobFeed(store);
    const heard: BlobMeta[] = [];
    const unsubscribe = feed.subscribe((meta) => heard.push(meta));
    await publisher.ready();
    await feed.refresh(); // the same generation again: not news
    await publisher.apply({ put: [sampleRoute("a")] });
    const other = await Store.open(kvPath(dir));
    try {
      await new Publisher(other, compile).apply({ put: [sampleRoute("b")] });
    } finally {
      other.close();
    }
    assertEquals(heard.map((m) => m.generation), [1, 2]);
    await feed.refresh();
    assertEquals(heard.map((m) => m.generation), [1, 2, 3]);
    unsubscribe();
    await publisher.apply({ put: [sampleRoute("c")] });
    assertEquals(heard.length, 3);
    feed.close();
  });
});
