/**
 * The filter's collection policy (filter/assembly/abi/heap.ts), compiled with the filter's flags into
 * a small test module: under the minimal runtime nothing collects unless the module does, so the
 * outermost callback must collect once its budget is spent, a nested one never, and what globals
 * hold must survive.
 */
import { instantiateTestModule } from "../../compile_assemblyscript.ts";
import { assert, assertEquals } from "../../../tests/assert.ts";

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  managed_bytes(): number;
  callback(bytes: number): void;
  nested(outer: number, inner: number): number;
  collect_now(): void;
  kept_intact(): number;
  kept_count(): number;
}

const MIB = 1 << 20;

function entry(): Promise<Exports> {
  return instantiateTestModule("filter/assembly/abi/testdata/heap_entry", {
    cacheName: "wasmroute-heap-entry",
    sources: ["filter/assembly/abi/heap.ts"],
  });
}

Deno.test("managedBytes is the runtime's count of bytes held by objects", async () => {
  const x = await entry();
  const before = x.managed_bytes();
  x.callback(64 * 1024);
  // 64 buffers of 1 KiB and one short string, each with the runtime's header.
  const grown = x.managed_bytes() - before;
  assert(grown >= 64 * 1024 && grown < 64 * 1024 + 64 * 64 + 256, `grew by ${grown}`);
  x.collect_now();
  assert(x.managed_bytes() - before < 1024, `${x.managed_bytes() - before} bytes left after collecting`);
});

Deno.test("the outermost callback collects once the garbage passes the budget, not before", async () => {
  const x = await entry();
  x.collect_now();
  const live = x.managed_bytes();
  x.callback(MIB / 2);
  assert(x.managed_bytes() >= live + MIB / 2, "collected under budget");
  x.callback(MIB / 2 + 4096);
  assert(x.managed_bytes() < live + 4096, `${x.managed_bytes() - live} bytes left over budget`);
  assertEquals(x.kept_intact(), 1);
});

Deno.test("a callback nested in another never collects; the outer one does as it returns", async () => {
  const x = await entry();
  x.collect_now();
  const live = x.managed_bytes();
  // The inner callback alone passes the budget: it must leave the outer one's objects alone.
  assertEquals(x.nested(MIB / 2, 2 * MIB), 1, "the inner callback freed an object the outer one held");
  assert(x.managed_bytes() < live + 4096, "the outer callback did not collect");
  assertEquals(x.kept_intact(), 1);
  assertEquals(x.kept_count(), 1);
});

Deno.test("memory stays flat over many garbage-making callbacks, and what globals hold survives", async () => {
  const x = await entry();
  for (let i = 0; i < 200; i++) x.callback(64 * 1024);
  const settled = x.memory.buffer.byteLength;
  for (let i = 0; i < 2000; i++) x.callback(64 * 1024);
  assertEquals(x.memory.buffer.byteLength, settled);
  assertEquals(x.kept_count(), 2200);
  assertEquals(x.kept_intact(), 1);
});
