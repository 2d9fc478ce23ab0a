/**
 * The reservation a table is built into (filter/assembly/core/reserve.ts), compiled with the
 * filter's flags: arrays allocated one by one in a full heap double linear memory, and after a
 * reservation of their size memory grows by that size once.
 */
import { instantiateTestModule } from "../../compile_assemblyscript.ts";
import { assert } from "../../../tests/assert.ts";

interface Exports {
  _initialize(): void;
  memory_bytes(): number;
  keep(bytes: number, piece: number, reserving: boolean): void;
  kept_intact(): number;
}

const MIB = 1 << 20;

function entry(): Promise<Exports> {
  return instantiateTestModule("filter/assembly/core/testdata/reserve_entry", {
    cacheName: "wasmroute-reserve-entry",
    sources: ["filter/assembly/core/reserve.ts"],
  });
}

/** Linear memory after keeping 4 MiB, then 6 MiB more in arrays of `piece` bytes. */
async function grownBy(piece: number, reserving: boolean): Promise<{ before: number; after: number }> {
  const x = await entry();
  x.keep(4 * MIB, 64 * 1024, false);
  const before = x.memory_bytes();
  x.keep(6 * MIB, piece, reserving);
  assert(x.kept_intact() === 1, "an array kept was overwritten");
  return { before, after: x.memory_bytes() };
}

for (const piece of [4096, 256 * 1024, 3 * MIB]) {
  Deno.test(`a reservation grows memory once by what follows, in arrays of ${piece} bytes`, async () => {
    const { before, after } = await grownBy(piece, true);
    // The 6 MiB and their headers, with the allocator's rounding of a large block up to its size
    // class (a sixteenth at most): not the heap's size again.
    assert(after - before <= (6 * MIB * 17) / 16 + 64 * 1024, `grew by ${after - before} from ${before}`);
  });
}

Deno.test("without a reservation the same arrays double memory", async () => {
  const { before, after } = await grownBy(256 * 1024, false);
  assert(after - before >= before, `grew by ${after - before} from ${before}`);
});
