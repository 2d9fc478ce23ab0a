/**
 * The filter's allocator for buffers the host fills (filter/assembly/abi/host_buffers.ts), compiled
 * with the filter's flags into a small test module: short buffers come from one region that
 * rewinds when its last buffer is freed, long ones from the heap, and no two live buffers overlap
 * whatever the order of frees.
 */
import { instantiateTestModule } from "../../compile_assemblyscript.ts";
import { assert, assertEquals } from "../../../tests/assert.ts";
import { prng } from "../../../tests/prng.ts";

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  alloc_host(size: number): number;
  free_host(ptr: number): void;
  heap_churn(size: number): number;
  take_host(ptr: number, size: number): number;
  collect_now(): void;
}

const REGION_BYTES = 8192;
const WHOLE_BYTES = 64 * 1024;

function entry(): Promise<Exports> {
  return instantiateTestModule("filter/assembly/abi/testdata/host_buffers_entry", {
    cacheName: "wasmroute-host-buffers-entry",
    sources: ["filter/assembly/abi/host_buffers.ts"],
  });
}

Deno.test("a request's header buffers come from the region and reuse it once freed", async () => {
  const x = await entry();
  const authority = x.alloc_host(28), path = x.alloc_host(60);
  assertEquals(authority % 16, 0);
  assertEquals(path, authority + 32);
  x.free_host(authority);
  x.free_host(path);
  // The next request gets the same addresses: nothing was left behind.
  assertEquals(x.alloc_host(28), authority);
  assertEquals(x.alloc_host(60), path);
});

Deno.test("a buffer larger than the region is left comes from the heap", async () => {
  const x = await entry();
  const small = x.alloc_host(16);
  const large = x.alloc_host(REGION_BYTES);
  assert(large < small || large >= small + REGION_BYTES, "the large buffer is outside the region");
  x.free_host(large);
  x.free_host(small);
  assertEquals(x.alloc_host(16), small);
});

Deno.test("a buffer never freed keeps the region from rewinding, and nothing breaks", async () => {
  const x = await entry();
  const kept = x.alloc_host(100);
  for (let i = 0; i < 10_000; i++) {
    const p = x.alloc_host(64);
    assert(p !== 0);
    assert(p + 64 <= kept || p >= kept + 100, "no overlap with the kept buffer");
    x.free_host(p);
    x.heap_churn(64);
  }
});

Deno.test("live buffers never overlap, whatever the sizes and the order of frees", async () => {
  const x = await entry();
  const rng = prng(71);
  const live: { ptr: number; size: number; fill: number }[] = [];
  for (let step = 0; step < 20_000; step++) {
    if (live.length > 0 && rng() < 0.5) {
      const [b] = live.splice(Math.floor(rng() * live.length), 1);
      // What the host wrote is still there when the module frees it.
      const bytes = new Uint8Array(x.memory.buffer, b.ptr, b.size);
      assert(bytes.every((v) => v === b.fill), `buffer at ${b.ptr} was overwritten`);
      x.free_host(b.ptr);
    } else {
      const r = rng();
      const size = r < 0.9
        ? Math.floor(rng() * 300)
        : r < 0.98
        ? Math.floor(rng() * 20_000)
        : Math.floor(rng() * 200_000);
      const ptr = x.alloc_host(size);
      const fill = step & 0xff;
      new Uint8Array(x.memory.buffer, ptr, size).fill(fill);
      if (size > 0) live.push({ ptr, size, fill });
    }
    if (step % 100 === 0) x.heap_churn(Math.floor(rng() * 1000));
    if (step % 1000 === 0) x.collect_now();
  }
});

Deno.test("a long buffer is kept as it is when taken, a short one copied, and a collection between frees neither", async () => {
  const x = await entry();
  const long = x.alloc_host(WHOLE_BYTES), short = x.alloc_host(100);
  new Uint8Array(x.memory.buffer, long, WHOLE_BYTES).fill(7);
  new Uint8Array(x.memory.buffer, short, 100).fill(9);
  // The host holds both across a collection: what it wrote must still be there.
  x.collect_now();
  x.heap_churn(WHOLE_BYTES);
  assertEquals(x.take_host(long, WHOLE_BYTES), long, "the long buffer is handed over itself");
  const copy = x.take_host(short, 100);
  assert(copy !== short, "the short buffer is copied out of the region");
  x.collect_now();
  assert(new Uint8Array(x.memory.buffer, long, WHOLE_BYTES).every((v) => v === 7));
  assert(new Uint8Array(x.memory.buffer, copy, 100).every((v) => v === 9));
  // Fewer bytes than the buffer holds: a copy of them; the buffer itself goes with the next collection.
  const longer = x.alloc_host(WHOLE_BYTES * 2);
  new Uint8Array(x.memory.buffer, longer, 10).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const part = x.take_host(longer, 10);
  assert(part !== longer);
  assertEquals([...new Uint8Array(x.memory.buffer, part, 10)], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  x.collect_now();
  x.heap_churn(64);
  x.free_host(x.alloc_host(WHOLE_BYTES));
});
