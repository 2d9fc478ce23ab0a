/**
 * Sizes of functions and files, read with Deno's own parser (the lint plugin API's AST): every
 * function declaration, function expression and arrow function, from its first line to its last,
 * nested functions counted again inside their parents. `Deno.lint.runPlugin` exists only under
 * `deno test`, so this module is used from a test:
 *
 * ```sh
 * SIZES=policy-server/ npx -y deno@2.9.6 test -A tests/layout/function_sizes_test.ts
 * ```
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url).pathname;

/** A function or file and its length in lines. */
export interface Sized {
  lines: number;
  /** `path:line` and the first characters of the function, or the file's path. */
  where: string;
}

/** TypeScript files below `dir` (a path from the repository root), test data left out. */
async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(ROOT + dir)) {
    const path = `${dir.replace(/\/$/, "")}/${entry.name}`;
    if (entry.isDirectory && entry.name !== "testdata") out.push(...await sourceFiles(path));
    else if (entry.isFile && /\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** The functions of `source`, largest first. */
export function functionsOf(path: string, source: string): Sized[] {
  const lineOf = (offset: number) => source.slice(0, offset).split("\n").length;
  const plugin: Deno.lint.Plugin = {
    name: "sizes",
    rules: {
      functions: {
        create(context) {
          const report = (node: Deno.lint.Node) => context.report({ node, message: "function" });
          return { FunctionDeclaration: report, FunctionExpression: report, ArrowFunctionExpression: report };
        },
      },
    },
  };
  return Deno.lint.runPlugin(plugin, path, source).map(({ range: [start, end] }) => ({
    lines: lineOf(end) - lineOf(start) + 1,
    where: `${path}:${lineOf(start)} ${source.slice(start, start + 50).split("\n")[0]}`,
  })).sort((a, b) => b.lines - a.lines);
}

/** Every function of the non-test files below `dir`, and every non-test file, largest first. */
export async function sizesBelow(dir: string): Promise<{ functions: Sized[]; files: Sized[] }> {
  const functions: Sized[] = [];
  const files: Sized[] = [];
  for (const path of await sourceFiles(dir)) {
    if (path.endsWith("_test.ts")) continue;
    const source = await Deno.readTextFile(ROOT + path);
    files.push({ lines: source.split("\n").length - (source.endsWith("\n") ? 1 : 0), where: path });
    functions.push(...functionsOf(path, source));
  }
  const bySize = (a: Sized, b: Sized) => b.lines - a.lines;
  return { functions: functions.sort(bySize), files: files.sort(bySize) };
}
