import { assert, assertEquals } from "../assert.ts";
import { findCycle, folderGraph, type LocalImport, localImports } from "./folder_graph.ts";

const imports = await localImports();

Deno.test("nothing in policy-server/, tests included, imports from tools/", () => {
  const offending = imports.filter(({ from, to }) =>
    from.startsWith("policy-server/") && to.startsWith("tools/")
  );
  assertEquals(offending, []);
});

Deno.test("the console's simulator comes from simulator/, which imports nothing from tools/", () => {
  assert(
    imports.some(({ from, to }) => from.startsWith("policy-server/console/") && to.startsWith("simulator/")),
  );
  assertEquals(
    imports.filter(({ from, to }) => from.startsWith("simulator/") && to.startsWith("tools/")),
    [],
  );
});

Deno.test("findCycle names the folders of a cycle and ignores imports made by test files", () => {
  const edges = (pairs: [string, string][]): LocalImport[] => pairs.map(([from, to]) => ({ from, to }));
  const cyclic = folderGraph(edges([["a/x.ts", "b/y.ts"], ["b/y.ts", "c/z.ts"], ["c/z.ts", "a/x.ts"]]));
  assertEquals(findCycle(cyclic), ["a", "b", "c", "a"]);
  const layered = folderGraph(edges([["a/x.ts", "b/y.ts"], ["b/y_test.ts", "a/x.ts"], ["b/y.ts", "b/z.ts"]]));
  assertEquals(findCycle(layered), null);
});
