import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { applyMutant } from "./apply_mutant.ts";

const SOURCE = "export function f(a: i32): i32 {\n  return a > 3 ? a + 1 : 0;\n}\n";

Deno.test("applyMutant() replaces the range Stryker names, on one line", () => {
  const mutant = {
    location: { start: { line: 1, column: 9 }, end: { line: 1, column: 14 } },
    replacement: "a >= 3",
  };
  assertEquals(
    applyMutant(SOURCE, mutant),
    "export function f(a: i32): i32 {\n  return a >= 3 ? a + 1 : 0;\n}\n",
  );
});

Deno.test("applyMutant() replaces a range that spans lines", () => {
  const mutant = {
    location: { start: { line: 0, column: 31 }, end: { line: 2, column: 1 } },
    replacement: "{}",
  };
  assertEquals(applyMutant(SOURCE, mutant), "export function f(a: i32): i32 {}\n");
});

Deno.test("applyMutant() refuses a place past the end of the file", () => {
  const mutant = {
    location: { start: { line: 9, column: 0 }, end: { line: 9, column: 1 } },
    replacement: "",
  };
  assertThrows(() => applyMutant(SOURCE, mutant), RangeError);
});
