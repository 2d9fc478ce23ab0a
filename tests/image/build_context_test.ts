import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { buildContext, isIgnored, parseIgnore } from "./build_context.ts";

Deno.test("ignore patterns: directories with what is under them, ** at any depth, ! exceptions, last match wins", () => {
  const patterns = parseIgnore("# comment\n.git\nfilter/build\n**/*.log\n!keep.log\n");
  const ignored = (path: string) => isIgnored(path, patterns);
  assertEquals(
    [
      ".git/HEAD",
      "filter/build/filter.wasm",
      "a/b/c.log",
      "x.log",
      "keep.log",
      "filter/x.ts",
      ".gitignore",
      "filter/builder.ts",
    ]
      .map(ignored),
    [true, true, true, true, false, false, false, false],
  );
});

Deno.test("buildContext lists files but not ignored ones, and sends a symbolic link as a link", async () => {
  const root = await Deno.makeTempDir({ prefix: "wasmroute-context-" });
  try {
    await Deno.mkdir(join(root, "src/deep"), { recursive: true });
    await Deno.mkdir(join(root, "node_modules/pkg"), { recursive: true });
    for (const f of ["src/a.ts", "src/deep/b.ts", "node_modules/pkg/c.js", "x.log"]) {
      await Deno.writeTextFile(join(root, f), f);
    }
    await Deno.symlink(join(root, "node_modules"), join(root, "src/linked"));
    await Deno.writeTextFile(join(root, "Dockerfile"), "FROM scratch\n");
    await Deno.writeTextFile(join(root, "Dockerfile.dockerignore"), "node_modules\n*.log\n");
    assertEquals(await buildContext(root, join(root, "Dockerfile")), [
      "Dockerfile",
      "Dockerfile.dockerignore",
      "src/a.ts",
      "src/deep/b.ts",
      "src/linked",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
