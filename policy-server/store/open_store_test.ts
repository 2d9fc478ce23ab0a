import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { compile } from "../compile/mod.ts";
import { sampleRoute } from "../model/testing.ts";
import { openStore } from "./open_store.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-open-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A store with one route and two blob generations, closed. */
async function seeded(path: string): Promise<void> {
  const store = await openStore(path);
  for (const generation of [1, 2]) {
    const snapshot = await store.snapshot();
    const { blob } = await compile([sampleRoute(`r${generation}`)], { generation });
    await store.commit(snapshot, {
      put: store.prepare(snapshot, [sampleRoute(`r${generation}`)]),
      blob: { generation, bytes: blob },
    });
  }
  store.close();
}

Deno.test("openStore() creates a new store and opens it again, its data whole", async () => {
  await withDir(async (dir) => {
    await seeded(`${dir}/s.kv`);
    const store = await openStore(`${dir}/s.kv`);
    assertEquals([(await store.list()).length, (await store.blobMeta())?.generation], [2, 2]);
    store.close();
  });
});

Deno.test("openStore() refuses an empty file instead of starting a fresh store over it", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/s.kv`, new Uint8Array());
    await assertRejects(() => openStore(`${dir}/s.kv`), `${dir}/s.kv is empty (0 bytes)`);
    assertEquals((await Deno.stat(`${dir}/s.kv`)).size, 0, "left as it was");
  });
});

Deno.test("openStore() refuses a truncated file, a foreign file and another program's KV", async () => {
  await withDir(async (dir) => {
    await seeded(`${dir}/good.kv`);
    const bytes = await Deno.readFile(`${dir}/good.kv`);
    await Deno.writeFile(`${dir}/half.kv`, bytes.subarray(0, bytes.length >> 1));
    await Deno.writeFile(`${dir}/tiny.kv`, bytes.subarray(0, 50));
    await Deno.writeTextFile(`${dir}/text.kv`, "apiVersion: v1\n".repeat(100));
    const other = await Deno.openKv(`${dir}/other.kv`);
    await other.set(["users", 1], { name: "x" });
    other.close();
    await assertRejects(() => openStore(`${dir}/tiny.kv`), "shorter than a database header");
    await assertRejects(() => openStore(`${dir}/text.kv`), "is not a Deno KV (SQLite) database");
    await assertRejects(() => openStore(`${dir}/other.kv`), "not one wasmroute wrote");
    await assertRejects(() => openStore(`${dir}/half.kv`), `${dir}/half.kv`);
  });
});

Deno.test("openStore() refuses a store whose kept blob bytes fail their digest", async () => {
  await withDir(async (dir) => {
    await seeded(`${dir}/s.kv`);
    const kv = await Deno.openKv(`${dir}/s.kv`);
    const [part] = (await kv.get<{ parts: string[] }>(["blob", "history", 1])).value!.parts;
    const chunk = (await kv.get<Uint8Array>(["blob", "parts", part])).value!;
    chunk[chunk.length - 1] ^= 1;
    await kv.set(["blob", "parts", part], chunk);
    kv.close();
    await assertRejects(() => openStore(`${dir}/s.kv`), "blob 1 is damaged: its bytes hash to");
  });
});

Deno.test("openStore() accepts a store written before the marker, and marks it", async () => {
  await withDir(async (dir) => {
    const kv = await Deno.openKv(`${dir}/s.kv`);
    await kv.set(["meta", "revision"], 3);
    kv.close();
    (await openStore(`${dir}/s.kv`)).close();
    const again = await Deno.openKv(`${dir}/s.kv`);
    assertEquals((await again.get(["meta", "store"])).value, { program: "wasmroute", format: 1 });
    again.close();
  });
});
