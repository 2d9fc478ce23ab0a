import { assertEquals } from "../assert.ts";
import { functionsOf, sizesBelow } from "./function_sizes.ts";

/** The server's HTTP layer, kept in small route groups and pages (issue 21). */
const HTTP_LAYER = ["policy-server/api", "policy-server/console", "policy-server/delivery"];
const MAX_FUNCTION_LINES = 150;

Deno.test("functionsOf measures each function from its first line to its last, nested ones too", () => {
  const source = "function outer() {\n  const inner = () => {\n    return 1;\n  };\n  return inner();\n}\n";
  assertEquals(functionsOf("x.ts", source).map((f) => f.lines), [6, 3]);
});

Deno.test(`no function of the server's HTTP layer is longer than ${MAX_FUNCTION_LINES} lines`, async () => {
  const long = [];
  for (const dir of HTTP_LAYER) {
    long.push(...(await sizesBelow(dir)).functions.filter((f) => f.lines > MAX_FUNCTION_LINES));
  }
  assertEquals(long, []);
});

// `SIZES=policy-server/` prints the largest functions and files below that folder.
const dir = Deno.env.get("SIZES");
if (dir) {
  Deno.test(`the largest functions and files below ${dir}`, async () => {
    const { functions, files } = await sizesBelow(dir);
    for (const f of functions.slice(0, 8)) console.log(`function ${f.lines} ${f.where}`);
    for (const f of files.slice(0, 6)) console.log(`file ${f.lines} ${f.where}`);
  });
}
