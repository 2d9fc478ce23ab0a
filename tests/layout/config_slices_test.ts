/**
 * deno.server.json, deno.build.json and deno.mutate.json are slices of deno.json: `task start` and the
 * image load the server with the first, `task build:filter` runs the compiler with the second, `task
 * mutate` StrykerJS with the third, so each fetches only its own packages. One version of each package: every import a slice names is deno.json's, and each
 * resolves its whole module graph from its own lock file, unchanged.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const read = async (file: string) => JSON.parse(await Deno.readTextFile(join(ROOT, file)));
const SLICES = [
  { config: "deno.server.json", lock: "deno.server.lock", entry: "policy-server/main.ts" },
  { config: "deno.build.json", lock: "deno.build.lock", entry: "tools/build_filter.ts" },
  { config: "deno.mutate.json", lock: "deno.mutate.lock", entry: "tools/mutate/main.ts" },
];

Deno.test("each slice names deno.json's packages at deno.json's versions", async () => {
  const all = await read("deno.json");
  for (const { config } of SLICES) {
    const slice = await read(config);
    for (const [name, specifier] of Object.entries(slice.imports)) {
      assertEquals(specifier, all.imports[name], `${config} imports.${name}`);
    }
  }
  const server = await read("deno.server.json");
  assertEquals([server.compilerOptions, server.unstable], [all.compilerOptions, all.unstable]);
});

Deno.test("each slice resolves its entry's whole module graph from its own lock, unchanged", async () => {
  for (const { config, lock, entry } of SLICES) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--frozen", "--config", config, "--lock", lock, entry],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert(out.success, `${config}: deno info failed (an import missing, or a stale ${lock}?):\n${stderr}`);
    const info = JSON.parse(new TextDecoder().decode(out.stdout));
    // A module that failed to load, or an import that did not resolve (dynamic ones included: the
    // compiler is loaded only when a build runs).
    type Dep = { specifier: string; code?: { error?: string }; type?: { error?: string } };
    type Module = { specifier: string; error?: string; dependencies?: Dep[] };
    const errors = (info.modules as Module[]).flatMap((m) => [
      ...(m.error ? [m.error] : []),
      ...(m.dependencies ?? []).flatMap((d) =>
        [d.code?.error, d.type?.error].filter((e): e is string => !!e)
      ),
    ]);
    assertEquals(errors, [], config);
  }
});
