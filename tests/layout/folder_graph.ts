/**
 * The repository's import graph folded onto its top-level folders (`policy-server/`, `simulator/`,
 * `tools/`, …), read from Deno's own module graph (`deno info --json`), dynamic imports included.
 *
 * Only code that runs outside tests counts: the modules reachable from an entry point — a module
 * run as a program (`import.meta.main`: the server, the CLIs) or a library's `mod.ts` — without
 * passing through a test file. Tests and the helpers only they reach (`testing.ts`, `_fixtures.ts`,
 * `tests/assert.ts`) are left out: every folder's tests share the helpers in `tests/`, and nothing
 * but the test runner runs them.
 *
 * @module
 */
import { relative } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Top-level folder → the folders its modules import from (itself excluded). */
export type FolderGraph = Map<string, Set<string>>;

/** One local import: the importing and the imported file, as paths from the repository root. */
export interface LocalImport {
  from: string;
  to: string;
}

/** Deno modules of the repository: TypeScript outside node_modules, build output and AssemblyScript. */
async function denoModules(dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(ROOT + dir)) {
    const path = dir + entry.name;
    if (
      entry.name.startsWith(".") || ["node_modules", "testdata", "assembly", "build"].includes(entry.name)
    ) {
      continue;
    }
    if (entry.isDirectory) out.push(...await denoModules(path + "/"));
    else if (dir && /\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

interface DenoInfo {
  modules: { specifier: string; dependencies?: { code?: { specifier: string } }[] }[];
}

/** Programs (`import.meta.main`) and library surfaces (`mod.ts`), not under `tests/`. */
export async function entryPoints(): Promise<string[]> {
  const out: string[] = [];
  for (const path of await denoModules()) {
    if (path.startsWith("tests/") || path.endsWith("_test.ts")) continue;
    if (path.endsWith("/mod.ts") || (await Deno.readTextFile(ROOT + path)).includes("import.meta.main")) {
      out.push(path);
    }
  }
  return out;
}

/** Every import between the repository's files, from one `deno info --json` over all of them. */
export async function localImports(): Promise<LocalImport[]> {
  const entry = await Deno.makeTempFile({ prefix: "wasmroute-graph-", suffix: ".ts" });
  try {
    const files = await denoModules();
    await Deno.writeTextFile(entry, files.map((f) => `import "file://${ROOT}${f}";\n`).join(""));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${ROOT}deno.json`, entry],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`deno info failed: ${new TextDecoder().decode(out.stderr)}`);
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as DenoInfo;
    const local = (url: string) =>
      url.startsWith(`file://${ROOT}`) ? relative(ROOT, new URL(url).pathname) : null;
    return info.modules.flatMap((m) => {
      const from = local(m.specifier);
      if (!from || from.startsWith("..")) return [];
      return (m.dependencies ?? []).flatMap((d) => {
        const to = d.code ? local(d.code.specifier) : null;
        return to ? [{ from, to }] : [];
      });
    });
  } finally {
    await Deno.remove(entry);
  }
}

const folderOf = (path: string) => path.split("/")[0];

const isTest = (path: string) => path.endsWith("_test.ts");

/** The modules that run outside tests: reachable from `entries`, not through a test file. */
export function runtimeModules(imports: LocalImport[], entries: string[]): Set<string> {
  const next = new Map<string, string[]>();
  for (const { from, to } of imports) next.set(from, [...next.get(from) ?? [], to]);
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length) {
    const m = stack.pop()!;
    if (seen.has(m) || isTest(m)) continue;
    seen.add(m);
    stack.push(...next.get(m) ?? []);
  }
  return seen;
}

/** Folds the imports made by runtime modules ({@linkcode runtimeModules}) onto top-level folders. */
export function folderGraph(imports: LocalImport[], entries: string[]): FolderGraph {
  const runtime = runtimeModules(imports, entries);
  const graph: FolderGraph = new Map();
  for (const { from, to } of imports) {
    if (!runtime.has(from)) continue;
    const [a, b] = [folderOf(from), folderOf(to)];
    if (!graph.has(a)) graph.set(a, new Set());
    if (a !== b) graph.get(a)!.add(b);
  }
  return graph;
}

/** A cycle of folders (first = last), or null: a depth-first search for a back edge. */
export function findCycle(graph: FolderGraph): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}
