/**
 * Which rule table generations the filter takes (filter/assembly/core/generation.ts), compiled with
 * the filter's flags into a small test module and called through @assemblyscript/loader: a pulled
 * table never rewinds the one serving unless a rollback made it. tests/e2e/pull_rewind_test.ts shows
 * the same in a real Envoy; this is every edge of the rule, fast.
 */
import * as loader from "@assemblyscript/loader";
import { compileTestModule } from "../../compile_assemblyscript.ts";
import { assertEquals } from "../../../tests/assert.ts";

interface Exports extends Record<string, unknown> {
  _initialize(): void;
  rewind_of(serving: number, incoming: number, rollback: number): number;
}

async function entry() {
  const wasm = await compileTestModule("filter/assembly/core/testdata/generation_entry", {
    cacheName: "wasmroute-generation-entry",
    sources: ["filter/assembly/core/generation.ts"],
    flags: ["--exportRuntime"],
  });
  const { exports: x } = await loader.instantiate<Exports>(wasm, {});
  x._initialize();
  return (serving: number, incoming: number, rollback = false) =>
    x.__getString(x.rewind_of(serving, incoming, rollback ? 1 : 0));
}

Deno.test("rewindOf refuses an older generation and says which, against which one serving", async () => {
  const rewindOf = await entry();
  assertEquals(
    rewindOf(7, 6),
    "generation 6 is older than generation 7 serving, and not marked as a rollback",
  );
  assertEquals(
    rewindOf(7, 1),
    "generation 1 is older than generation 7 serving, and not marked as a rollback",
  );
  assertEquals(
    rewindOf(4294967295, 0),
    "generation 0 is older than generation 4294967295 serving, and not marked as a rollback",
  );
});

Deno.test("rewindOf takes the same, a newer or a rolled-back generation, and anything over the empty table", async () => {
  const rewindOf = await entry();
  assertEquals(rewindOf(7, 7), "", "the same generation again");
  assertEquals(rewindOf(7, 8), "", "newer");
  assertEquals(rewindOf(7, 6, true), "", "older, made by a rollback");
  assertEquals(rewindOf(7, 7, true), "", "a rollback to the same");
  assertEquals(rewindOf(0, 0), "", "the empty table before the first");
  assertEquals(rewindOf(0, 3), "", "the first table");
});
