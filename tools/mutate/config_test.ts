/**
 * CI does not run the mutation job (too slow for two cores), so this checks that its config still
 * names the repository as it is: every file pattern matches a file, every path a command runs
 * exists, and every equivalent mutant's file is there with the line (and replaced code) it names, so
 * a reason never outlives its mutant's code.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../../tests/assert.ts";
import { commandPaths, mutantKey, type PlannedMutant, readConfig } from "./config.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function exists(path: string): boolean {
  try {
    Deno.statSync(join(ROOT, path));
    return true;
  } catch {
    return false;
  }
}

/** The files one of the config's patterns (`dir/name` with `*` in the name only) matches. */
function matches(pattern: string): string[] {
  const slash = pattern.lastIndexOf("/");
  const dir = pattern.slice(0, slash);
  const name = new RegExp(
    `^${pattern.slice(slash + 1).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")}$`,
  );
  if (!exists(dir)) return [];
  return [...Deno.readDirSync(join(ROOT, dir))].filter((e) => e.isFile && name.test(e.name)).map((e) =>
    e.name
  );
}

const config = await readConfig();

Deno.test("every file pattern of the mutation config matches a file", () => {
  for (const [name, area] of Object.entries(config.areas)) {
    for (const pattern of area.mutate) {
      const positive = pattern.replace(/^!/, "");
      assert(matches(positive).length > 0, `${name}: "${pattern}" matches no file`);
    }
  }
});

Deno.test("every path a mutation command runs exists", () => {
  const missing = Object.entries(config.areas).flatMap(([name, area]) =>
    commandPaths(area.command).filter((p) => !exists(p)).map((p) => `${name}: ${p}`)
  );
  assertEquals(missing, []);
});

Deno.test("every equivalent mutant names a file that exists, and says why", () => {
  for (const e of config.equivalent) {
    assert(exists(e.file), `${e.file} does not exist`);
    assert(e.reason.trim().length > 0, `${e.file}: ${e.mutator} has no reason`);
  }
});

Deno.test("every equivalent mutant's line is in its file, with the code it replaces on it", () => {
  const stale = config.equivalent.filter((e) => exists(e.file)).filter((e) => {
    const lines = Deno.readTextFileSync(join(ROOT, e.file)).split("\n").filter((l) => l.includes(e.line));
    return lines.length === 0 || (e.original !== undefined && !lines.some((l) => l.includes(e.original!)));
  });
  assertEquals(stale.map((e) => `${e.file}: ${e.mutator} ${e.replacement} on "${e.line}"`), []);
});

Deno.test("commandPaths() and matches() read the config as the checks above need", () => {
  assertEquals(
    commandPaths("WASMROUTE_ENVOY=/x/y deno test -A --config=a/b filter/assembly/core tools/mutate/main.ts"),
    [
      "filter/assembly/core",
      "tools/mutate/main.ts",
    ],
  );
  assert(matches("tools/mutate/*_test.ts").includes("config_test.ts"));
  assertEquals(matches("tools/mutate/*.nothing"), []);
  assertEquals(matches("no/such/dir/*.ts"), []);
});

Deno.test("mutantKey() names a mutant by its repository file, place, mutator and replacement, not its id", () => {
  const m: PlannedMutant = {
    id: "12",
    fileName: "/repo/.stryker/as/filter/assembly/core/rewrite.ts",
    mutatorName: "EqualityOperator",
    replacement: "a >= b",
    location: { start: { line: 3, column: 9 }, end: { line: 3, column: 14 } },
  };
  assertEquals(mutantKey(m), 'filter/assembly/core/rewrite.ts:3:9-3:14 EqualityOperator "a >= b"');
  const renumbered: PlannedMutant = { ...m, id: "40" };
  assertEquals(mutantKey(renumbered), mutantKey(m));
  assertEquals(
    mutantKey({ ...m, fileName: "/repo/policy-server/a.ts" }),
    '/repo/policy-server/a.ts:3:9-3:14 EqualityOperator "a >= b"',
  );
});
