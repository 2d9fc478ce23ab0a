import { join } from "node:path";
import { assertEquals } from "../../tests/assert.ts";
import { findExecutable } from "./find_executable.ts";

Deno.test({
  name: "findExecutable takes the first executable file on the path and skips non-executable ones",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(join(a, "func-e"), "not executable");
      await Deno.chmod(join(a, "func-e"), 0o644);
      await Deno.writeTextFile(join(b, "func-e"), "#!/bin/sh\n");
      await Deno.chmod(join(b, "func-e"), 0o755);
      assertEquals(await findExecutable("func-e", `${a}:${b}`), join(b, "func-e"));
      assertEquals(await findExecutable("func-e", a), undefined);
      assertEquals(await findExecutable("func-e", ""), undefined);
    } finally {
      await Deno.remove(a, { recursive: true });
      await Deno.remove(b, { recursive: true });
    }
  },
});
