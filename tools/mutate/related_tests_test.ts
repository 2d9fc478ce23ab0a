import { join } from "node:path";
import { assertEquals } from "../../tests/assert.ts";
import { relatedTests, testFiles } from "./related_tests.ts";

Deno.test("testFiles lists the test files beneath a folder, sorted, and a named file as itself", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "sub"));
    for (
      const name of ["b_test.ts", "a.ts", "a_test.ts", "x.test.ts", "test.ts", "sub/c_test.ts", "latest.ts"]
    ) {
      await Deno.writeTextFile(join(dir, name), "");
    }
    assertEquals(
      testFiles(dir),
      ["a_test.ts", "b_test.ts", "sub/c_test.ts", "test.ts", "x.test.ts"].map((n) => join(dir, n)),
    );
    assertEquals(testFiles(join(dir, "a.ts")), [join(dir, "a.ts")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("relatedTests keeps the tests whose module graph holds the mutated file, in order", () => {
  const graphs = {
    "m/a_test.ts": ["m/a_test.ts", "m/a.ts", "m/shared.ts"],
    "m/b_test.ts": ["m/b_test.ts", "m/b.ts"],
    "m/c_test.ts": ["m/c_test.ts", "m/c.ts", "m/shared.ts"],
  };
  const tests = Object.keys(graphs);
  assertEquals(relatedTests("m/shared.ts", tests, graphs), ["m/a_test.ts", "m/c_test.ts"]);
  assertEquals(relatedTests("m/b.ts", tests, graphs), ["m/b_test.ts"]);
  assertEquals(relatedTests("m/other.ts", tests, graphs), []);
});
