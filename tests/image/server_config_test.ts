/**
 * deno.server.json is the policy server's own slice of deno.json: the image and `task start` load
 * the server with it, so only the server's packages are fetched. One version of each package: every
 * import it names is deno.json's, with the same compiler options; and it resolves the server's
 * whole module graph from deno.server.lock alone.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const read = async (file: string) => JSON.parse(await Deno.readTextFile(join(ROOT, file)));

Deno.test("deno.server.json names deno.json's packages at deno.json's versions, with its compiler options", async () => {
  const [all, server] = await Promise.all([read("deno.json"), read("deno.server.json")]);
  for (const [name, specifier] of Object.entries(server.imports)) {
    assertEquals(specifier, all.imports[name], `deno.server.json imports.${name}`);
  }
  assertEquals(server.compilerOptions, all.compilerOptions);
  assertEquals(server.unstable, all.unstable);
});

Deno.test("the server's module graph resolves from deno.server.json and deno.server.lock, unchanged", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--frozen",
      "--config",
      "deno.server.json",
      "--lock",
      "deno.server.lock",
      "policy-server/main.ts",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert(
    out.success,
    `deno info failed (an import missing from deno.server.json, or a stale lock?):\n${stderr}`,
  );
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const missing = info.modules.filter((m: { error?: string }) => m.error).map((m: { error: string }) =>
    m.error
  );
  assertEquals(missing, []);
});
