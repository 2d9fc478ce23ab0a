import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/assert.ts";
import { isBusy, KvBatch, StoreLimitError } from "./kv_batch.ts";

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

/** A batch of `n` values of `size` bytes under keys as long as `keyLength`. */
function batchOf(kv: Deno.Kv, n: number, size: number, keyLength = 8): KvBatch {
  const batch = new KvBatch(kv).check({ key: ["rev"], versionstamp: null });
  for (let i = 0; i < n; i++) batch.set(["k".repeat(keyLength), i], new Uint8Array(size));
  return batch;
}

Deno.test("KvBatch.probe() agrees with commit() at KV's exact size limit, writing nothing", async () => {
  await withKv(async (kv) => {
    // Find the largest value KV takes in a 13-value batch by bisection on the probe alone...
    let lo = 60_000, hi = 65_536;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try {
        await batchOf(kv, 13, mid).probe();
        lo = mid;
      } catch (error) {
        assert(error instanceof StoreLimitError, String(error));
        hi = mid - 1;
      }
    }
    assertEquals([...await Array.fromAsync(kv.list({ prefix: [] }))].length, 0, "a probe wrote");
    // ...then the real commit takes exactly that, and one byte more is refused by both.
    await assertRejects(() => batchOf(kv, 13, lo + 1).commit(), "Total mutation size too large");
    assertEquals(await batchOf(kv, 13, lo).commit(), true);
  });
});

Deno.test("KvBatch refuses a write of many keys by KV's total key size, in the probe as in the commit", async () => {
  await withKv(async (kv) => {
    await assertRejects(() => batchOf(kv, 900, 1, 100).probe(), "Total key size too large");
    await assertRejects(() => batchOf(kv, 900, 1, 100).commit(), "Total key size too large");
  });
});

Deno.test("KvBatch names an oversized value and counts mutations before KV does", async () => {
  await withKv(async (kv) => {
    const batch = new KvBatch(kv);
    const error = assertThrows(
      () => batch.set(["x"], new Uint8Array(70_000), "blob chunk 0"),
      StoreLimitError,
    );
    assertEquals(error.message, "blob chunk 0 takes 70000 bytes; a stored value is limited to 65536 bytes");
    await assertRejects(() => batchOf(kv, 1001, 1).probe(), "needs 1001 changes");
  });
});

Deno.test("isBusy() knows SQLite's busy answer from every other error", () => {
  assertEquals(isBusy(new TypeError("database is locked")), true);
  assertEquals(isBusy(new TypeError("Total mutation size too large (max 819200 bytes)")), false);
  assertEquals(isBusy(new Error("database is locked")), false, "KV reports it as a TypeError");
});
