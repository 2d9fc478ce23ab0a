import assert from "node:assert/strict";
import { writeFixtures } from "../../simulator/host/_fixtures.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;

async function cli(args: string[], cwd = ROOT) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}deno.json`, MAIN, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("main.ts prints the report with sorted keys, like pwhost", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFixtures(dir, ["local_reply_filter"]);
    const scenario = { wasm: "local_reply_filter.wasm", plugins: [{ config: "" }], steps: [] };
    await Deno.writeTextFile(`${dir}/s.json`, JSON.stringify(scenario));
    const fromCwd = await cli([`${dir}/s.json`], dir);
    assert.equal(fromCwd.code, 0, fromCwd.stderr);
    const report = JSON.parse(fromCwd.stdout);
    assert.deepEqual(Object.keys(report), ["abiVersion", "errors", "metrics", "plugins", "steps"]);
    const relative = await cli([`${dir}/s.json`, "--relative"]);
    assert.equal(relative.code, 0, relative.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts exits 2 with a one-line error on a bad scenario", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/bad.json`,
      JSON.stringify({ wasm: "x.wasm", steps: [{ requestHeaders: 1 }] }),
    );
    const bad = await cli([`${dir}/bad.json`]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "host: bad scenario: steps[0].requestHeaders: expected [name, value] pairs\n");
    await Deno.writeTextFile(`${dir}/broken.json`, "{");
    const broken = await cli([`${dir}/broken.json`]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^host: bad scenario: cannot read scenario ".*broken.json": .*\n$/);
    assert.equal((await cli([])).code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
