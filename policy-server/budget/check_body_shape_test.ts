import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { ResourceError } from "../model/resource_error.ts";
import { checkBodyShape } from "./check_body_shape.ts";

const refused = (text: string, format: "json" | "yaml") =>
  assertThrows(() => checkBodyShape(text, format), ResourceError, "refused before parsing").message;

Deno.test("checkBodyShape() passes ordinary JSON and YAML, brackets inside strings and comments included", () => {
  checkBodyShape('{"a": [1, {"b": "[[[[[[[[[[[["}], "c": "\\"[["}', "json", { maxDepth: 3 });
  checkBodyShape(
    [
      "apiVersion: v1 # [[[[[[",
      "kind: X",
      "metadata:",
      "  annotations:",
      "    a: '[[[[['",
      '    b: "{{{{{"',
      "    c: it's [[[ fine",
      "    d: |",
      "      [[[[[[[[[[[[[[[[",
      "        {{{{{{{{{{{{{{",
      "spec: {rules: [{matches: [{path: {value: /}}]}]}",
    ].join("\n"),
    "yaml",
    { maxDepth: 8 },
  );
});

Deno.test("checkBodyShape() refuses deep JSON nesting, naming the line", () => {
  assertEquals(
    refused('{\n"a":\n' + "[".repeat(65), "json"),
    "the body nests deeper than 64 levels at line 3; refused before parsing",
  );
  checkBodyShape("[".repeat(64) + "]".repeat(64), "json");
});

Deno.test("checkBodyShape() refuses deep YAML flow, block sequences, indentation and too many documents", () => {
  refused("[".repeat(500_000), "yaml");
  refused("{a: ".repeat(100), "yaml");
  refused("- ".repeat(100) + "x", "yaml");
  refused(Array.from({ length: 100 }, (_, i) => " ".repeat(i) + "a:").join("\n"), "yaml");
  assertEquals(
    refused("---\nkind: A\n".repeat(1001), "yaml").startsWith("the body holds more than 1000 documents"),
    true,
  );
});

Deno.test("checkBodyShape() sees through a quote that does not open a scalar", () => {
  // "b 'c" is a plain scalar: the brackets on the next line are real nesting.
  refused("a: b 'c\n" + "[".repeat(100), "yaml");
});

Deno.test("checkBodyShape() scans 1 MiB of nesting in milliseconds", () => {
  const t0 = performance.now();
  refused("[".repeat(1 << 20), "yaml");
  refused("[".repeat(1 << 20), "json");
  const ms = performance.now() - t0;
  assertEquals(ms < 200, true, `${ms} ms`);
});
