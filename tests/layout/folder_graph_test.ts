import { assert, assertEquals } from "../assert.ts";
import {
  disallowed,
  entryPoints,
  findCycle,
  FOLDER_MAY_IMPORT,
  folderGraph,
  type LocalImport,
  localImports,
  SERVER_MAY_IMPORT,
  serverUnitOf,
} from "./folder_graph.ts";

const imports = await localImports();
const entries = await entryPoints();
const edges = (pairs: [string, string][]): LocalImport[] => pairs.map(([from, to]) => ({ from, to }));

Deno.test("no import cycle runs between the repository's top-level folders", () => {
  const graph = folderGraph(imports, entries);
  assert(graph.has("policy-server") && graph.has("simulator") && graph.has("tools"), "the graph is read");
  assert(entries.includes("policy-server/main.ts") && entries.includes("simulator/mod.ts"), "entry points");
  assertEquals(findCycle(graph), null);
});

Deno.test("nothing in policy-server/, tests included, imports from tools/", () => {
  const offending = imports.filter(({ from, to }) =>
    from.startsWith("policy-server/") && to.startsWith("tools/")
  );
  assertEquals(offending, []);
});

Deno.test("the console's simulator comes from simulator/, which imports from no other folder", () => {
  assert(
    imports.some(({ from, to }) => from.startsWith("policy-server/console/") && to.startsWith("simulator/")),
  );
  // Below the server and the CLIs: its code that runs outside tests needs only the filter's module.
  assertEquals(folderGraph(imports, entries).get("simulator"), new Set());
});

Deno.test("each top-level folder imports only what its rules allow", () => {
  assertEquals(disallowed(folderGraph(imports, entries), FOLDER_MAY_IMPORT), []);
});

Deno.test("each part of the policy server imports only the parts below it, without a cycle", () => {
  const graph = folderGraph(imports, entries, serverUnitOf);
  assert(graph.has("api") && graph.has("delivery/write") && graph.has("app.ts"), "the graph is read");
  assertEquals(disallowed(graph, SERVER_MAY_IMPORT), []);
  assertEquals(findCycle(graph), null);
  assertEquals(findCycle(new Map(Object.entries(SERVER_MAY_IMPORT).map(([k, v]) => [k, new Set(v)]))), null);
});

Deno.test("docs/architecture.md states the same import rules as this test", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/architecture.md", import.meta.url));
  const rows = [...doc.matchAll(/^\| `([^`]+)` \| ([^|]*) \|/gm)].map(([, part, may]) =>
    [
      part.replace(/\/$/, ""),
      [...may.matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\/$/, "")).sort(),
    ] as const
  );
  const want = { ...SERVER_MAY_IMPORT, ...FOLDER_MAY_IMPORT };
  assertEquals(
    Object.fromEntries(rows.filter(([part]) => part in want)),
    Object.fromEntries(Object.entries(want).map(([k, v]) => [k, [...v].sort()])),
  );
});

Deno.test("disallowed names the edges outside the rules and the parts without rules", () => {
  const graph = folderGraph(
    edges([["a/main.ts", "b/y.ts"], ["b/y.ts", "c/z.ts"], ["c/z.ts", "d/w.ts"]]),
    ["a/main.ts"],
  );
  assertEquals(disallowed(graph, { a: ["b"], b: [], d: ["*"] }), ["b -> c", "c has no import rules"]);
});

Deno.test("serverUnitOf names the server's folders, delivery's sub-folders and root files", () => {
  assertEquals(
    [
      "policy-server/api/x.ts",
      "policy-server/delivery/write/p.ts",
      "policy-server/delivery/mod.ts",
      "policy-server/app.ts",
      "tools/a.ts",
    ]
      .map(serverUnitOf),
    ["api", "delivery/write", "delivery", "app.ts", null],
  );
});

Deno.test("findCycle names the folders of a cycle", () => {
  const cyclic = edges([["a/main.ts", "b/y.ts"], ["b/y.ts", "c/z.ts"], ["c/z.ts", "a/x.ts"]]);
  assertEquals(findCycle(folderGraph(cyclic, ["a/main.ts"])), ["a", "b", "c", "a"]);
  assertEquals(findCycle(folderGraph(cyclic.slice(0, 2), ["a/main.ts"])), null);
});

Deno.test("imports made by tests and by helpers only tests import do not count", () => {
  const graph = folderGraph(
    edges([
      ["a/main.ts", "b/y.ts"],
      ["b/y_test.ts", "b/testing.ts"],
      ["b/testing.ts", "a/assert.ts"],
      ["b/y_test.ts", "a/main.ts"],
    ]),
    ["a/main.ts"],
  );
  assertEquals(graph, new Map([["a", new Set(["b"])]]));
  assertEquals(findCycle(graph), null);
});
