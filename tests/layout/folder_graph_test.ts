import { assert, assertEquals } from "../assert.ts";
import { entryPoints, findCycle, folderGraph, type LocalImport, localImports } from "./folder_graph.ts";

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
