import { assertEquals } from "../../tests/assert.ts";
import { lineDiff } from "./line_diff.ts";

const render = (before: string, after: string) => lineDiff(before, after).map((d) => `${d.op}${d.line}`);

Deno.test("lineDiff keeps common lines and marks what was removed and added", () => {
  assertEquals(render("a\nweight: 50\nb\n", "a\nweight: 90\nb\n"), [
    " a",
    "-weight: 50",
    "+weight: 90",
    " b",
  ]);
  assertEquals(render("", "x\ny"), ["+x", "+y"]);
  assertEquals(render("x\ny", ""), ["-x", "-y"]);
  assertEquals(render("same", "same"), [" same"]);
});
