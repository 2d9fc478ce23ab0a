import { assert, assertEquals } from "../tests/assert.ts";
import { checkAbiSurface, FILTER_KEY, FILTER_WASM, filterSourceKey, reusableFilter } from "./build_filter.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** A copy of what the key reads: deno.build.json, the filter's sources and build files. */
async function copyOfSources(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-key-" });
  await new Deno.Command("cp", {
    args: [
      "-r",
      "--parents",
      "deno.build.json",
      "filter/assembly",
      "filter/compile_assemblyscript.ts",
      "filter/managed_bytes_transform.ts",
      "tools/build_filter.ts",
      dir,
    ],
    cwd: ROOT,
  }).output();
  return dir;
}

Deno.test("the source key changes with any source byte, the compiler's pinned version and the build mode", async () => {
  const dir = await copyOfSources();
  try {
    const base = await filterSourceKey({ root: dir });
    assertEquals(await filterSourceKey({ root: dir }), base, "stable");
    assert(base !== await filterSourceKey({ root: dir, debug: true }), "debug and release differ");
    const unoptimized = await filterSourceKey({ root: dir, unoptimized: true });
    assert(unoptimized !== base, "an unoptimized build is not the release build");
    assert(unoptimized !== await filterSourceKey({ root: dir, debug: true }), "nor a debug build");
    await Deno.writeTextFile(`${dir}/filter/assembly/filter.ts`, "\n", { append: true });
    const edited = await filterSourceKey({ root: dir });
    assert(edited !== base, "a source edit changes the key");
    const config = await Deno.readTextFile(`${dir}/deno.build.json`);
    await Deno.writeTextFile(
      `${dir}/deno.build.json`,
      config.replace(/assemblyscript@[\d.]+\/asc/, "assemblyscript@0.0.1/asc"),
    );
    assert(await filterSourceKey({ root: dir }) !== edited, "another compiler changes the key");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the source key leaves out the unit tests beside the sources and their testdata", async () => {
  const dir = await copyOfSources();
  try {
    const base = await filterSourceKey({ root: dir });
    await Deno.writeTextFile(`${dir}/filter/assembly/core/hash_test.ts`, "\n", { append: true });
    await Deno.writeTextFile(`${dir}/filter/assembly/core/testdata/hash_entry.ts`, "\n", { append: true });
    await Deno.writeTextFile(`${dir}/filter/assembly/abi/new_test.ts`, "");
    assertEquals(await filterSourceKey({ root: dir }), base);
    await Deno.writeTextFile(`${dir}/filter/assembly/core/decide.ts`, "\n", { append: true });
    assert(await filterSourceKey({ root: dir }) !== base, "the module's own source still counts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the built module is reused only under its own key, and is loadable by Envoy", async () => {
  // `deno task test` builds first, so the module and its key are there.
  const reused = await reusableFilter();
  assert(reused, `${FILTER_WASM.pathname} is not current: its key ${FILTER_KEY.pathname} differs`);
  assertEquals(reused, await Deno.readFile(FILTER_WASM));
  assertEquals(checkAbiSurface(new WebAssembly.Module(reused)), []);
  assertEquals(await reusableFilter({ debug: true }), null, "a release module is not a debug build");
  assertEquals(await reusableFilter({ unoptimized: true }), null, "nor an unoptimized one");
});
