import { assertEquals } from "../../tests/assert.ts";
import { findEnvoy } from "./find_envoy.ts";

Deno.test("findEnvoy takes WASMROUTE_ENVOY when it names an executable, and nothing else then", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bin = `${dir}/my-envoy`;
    await Deno.writeTextFile(bin, "#!/bin/sh\n");
    await Deno.chmod(bin, 0o755);
    assertEquals(await findEnvoy((n) => n === "WASMROUTE_ENVOY" ? bin : undefined), bin);
    assertEquals(await findEnvoy((n) => n === "WASMROUTE_ENVOY" ? `${dir}/missing` : undefined), undefined);
    await Deno.chmod(bin, 0o644);
    assertEquals(
      await findEnvoy((n) => n === "WASMROUTE_ENVOY" ? bin : undefined),
      undefined,
      "not executable",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findEnvoy looks on PATH for envoy when .envoy/ holds none, and finds nothing without either", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/envoy`, "#!/bin/sh\n");
    await Deno.chmod(`${dir}/envoy`, 0o755);
    const path = (n: string) => n === "PATH" ? `/nonexistent:${dir}` : undefined;
    assertEquals(await findEnvoy(path, `${dir}/not-installed`), `${dir}/envoy`);
    assertEquals(await findEnvoy(() => undefined, `${dir}/not-installed`), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
