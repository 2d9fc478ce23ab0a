import { assertEquals } from "../../tests/assert.ts";
import { failFastOrder, importClosure, namedEntries } from "./fail_fast_tests.ts";

Deno.test("namedEntries finds the AssemblyScript entries a test file compiles", () => {
  const source = `instantiateTestModule("filter/assembly/core/testdata/hash_entry", {
    sources: ["filter/assembly/core/hash.ts"] });
  compileTestModule('filter/assembly/abi/testdata/heap_entry', {});
  const other = "tests/conformance/httproute-weight/resources.yaml";`;
  assertEquals(namedEntries(source), [
    "filter/assembly/core/testdata/hash_entry.ts",
    "filter/assembly/abi/testdata/heap_entry.ts",
  ]);
});

Deno.test("importClosure follows relative imports through every file, once, as AssemblyScript resolves them", () => {
  const files: Record<string, string> = {
    "core/testdata/e_entry.ts": `import { a } from "../a";\nimport "../lib";`,
    "core/a.ts": `export { b } from "./b";\nimport { c } from './c';\nimport { x } from "~lib/x";`,
    "core/b.ts": `import { a } from "./a";`,
    "core/c.ts": "",
    "core/lib/index.ts": `import { c } from "../c";`,
    "core/unused.ts": "",
  };
  assertEquals(
    [...importClosure("core/testdata/e_entry.ts", (p) => files[p])].sort(),
    ["core/a.ts", "core/b.ts", "core/c.ts", "core/lib/index.ts", "core/testdata/e_entry.ts"],
  );
});

Deno.test("failFastOrder puts the tests whose closure holds the mutated file first and keeps every test", () => {
  const closures: Record<string, string[]> = {
    "hash_test.ts": ["hash.ts", "scan.ts"],
    "regex_test.ts": ["regex.ts"],
    "scenarios_test.ts": [],
    "pick_test.ts": ["pick.ts", "hash.ts"],
  };
  const tests = Object.keys(closures);
  const closureOf = (t: string) => new Set(closures[t]);
  assertEquals(failFastOrder(tests, "hash.ts", closureOf), [
    "hash_test.ts",
    "pick_test.ts",
    "regex_test.ts",
    "scenarios_test.ts",
  ]);
  assertEquals(failFastOrder(tests, "regex.ts", closureOf), [
    "regex_test.ts",
    "hash_test.ts",
    "scenarios_test.ts",
    "pick_test.ts",
  ]);
  assertEquals(failFastOrder(tests, "cors.ts", closureOf), tests);
});
