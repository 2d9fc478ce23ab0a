import assert from "node:assert/strict";
import { sortedJson } from "./sorted_json.ts";

Deno.test("sortedJson() sorts keys at every level and indents by one", () => {
  assert.equal(
    sortedJson({ b: 1, a: [{ d: 1, c: 2 }] }),
    '{\n "a": [\n  {\n   "c": 2,\n   "d": 1\n  }\n ],\n "b": 1\n}',
  );
});
