import { parseDocument } from "yaml";
import { assertEquals } from "../../tests/assert.ts";
import { fieldPathOf, jsonDuplicateFields, yamlDuplicateFields } from "./duplicate_fields.ts";

Deno.test("jsonDuplicateFields finds keys written twice at any depth, with their paths", () => {
  const text = '{"a": 1, "b": [{"c": "x", "c": "y"}, {"c": "}\\\\\\"", "d": {}}], "a": {"e": [1, 2]}}';
  assertEquals(JSON.parse(text).a, { e: [1, 2] });
  assertEquals(jsonDuplicateFields(text), [["b", 0, "c"], ["a"]]);
});

Deno.test("jsonDuplicateFields compares keys as decoded, and finds none in a clean document", () => {
  assertEquals(jsonDuplicateFields('{"name": 1, "n\\u0061me": 2}'), [["name"]]);
  assertEquals(jsonDuplicateFields('[{"a": [[{"b": 1}], {"b": 2}]}, {"a": 1}]'), []);
});

Deno.test("yamlDuplicateFields finds keys written twice in block and flow maps", () => {
  const doc = parseDocument(
    "spec:\n  rules:\n  - {name: x, name: y}\n  - matches: []\n    matches: []\nspec: {}\n",
    {
      uniqueKeys: false,
    },
  );
  assertEquals(yamlDuplicateFields(doc), [["spec", "rules", 0, "name"], ["spec", "rules", 1, "matches"], [
    "spec",
  ]]);
});

Deno.test("fieldPathOf writes paths as Kubernetes does", () => {
  assertEquals(
    fieldPathOf(["spec", "rules", 0, "matches", 1, "headers"]),
    "spec.rules[0].matches[1].headers",
  );
  assertEquals(fieldPathOf([0, "a"]), "[0].a");
});

Deno.test("jsonDuplicateFields reads string values as values, never as keys", () => {
  assertEquals(jsonDuplicateFields('{"a": "a", "b": ["b", "b"], "c": {"d": "c"}}'), []);
  assertEquals(jsonDuplicateFields('[{}, "x", {"a": 1, "a": 2}]'), [[2, "a"]]);
});

Deno.test("jsonDuplicateFields ends a string at a quote after an even number of backslashes", () => {
  // "x\\" is x and one escaped backslash: the quote after it closes the string.
  assertEquals(jsonDuplicateFields('{"a": "x\\\\", "a": 1}'), [["a"]]);
  assertEquals(jsonDuplicateFields('{"a": "x\\\\\\\\", "a": 1}'), [["a"]]);
  assertEquals(jsonDuplicateFields('{"a": "x\\\\\\"\\\\", "b": 1, "b": 2}'), [["b"]]);
});
