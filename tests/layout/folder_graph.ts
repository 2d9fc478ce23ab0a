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

/**
 * Folds the imports made by runtime modules ({@linkcode runtimeModules}) onto folders: top-level
 * folders by default, or whatever `foldOf` names (e.g. {@linkcode serverUnitOf}); a path `foldOf`
 * gives `null` is left out.
 */
export function folderGraph(
  imports: LocalImport[],
  entries: string[],
  foldOf: (path: string) => string | null = folderOf,
): FolderGraph {
  const runtime = runtimeModules(imports, entries);
  const graph: FolderGraph = new Map();
  for (const { from, to } of imports) {
    if (!runtime.has(from)) continue;
    const [a, b] = [foldOf(from), foldOf(to)];
    if (a === null || b === null) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    if (a !== b) graph.get(a)!.add(b);
  }
  return graph;
}

/**
 * The policy server's parts, as `docs/architecture.md` names them: a folder under `policy-server/`
 * (`api`, `model`, …), a sub-folder of `delivery/` (`delivery/write`), or a file at its root
 * (`app.ts`); `delivery` alone is `delivery/mod.ts`. Paths outside the server give `null`.
 */
export function serverUnitOf(path: string): string | null {
  const parts = path.split("/");
  if (parts[0] !== "policy-server") return null;
  if (parts.length === 2) return parts[1];
  if (parts[1] === "delivery" && parts.length > 3) return `delivery/${parts[2]}`;
  return parts[1];
}

/**
 * What each part of the policy server may import at run time (type-only imports do not run and do
 * not count); `*` is anything. The server's layers, lowest first: a part imports only parts below
 * it, so no cycle can form. `docs/architecture.md` shows the same table.
 */
export const SERVER_MAY_IMPORT: Record<string, string[]> = {
  "regex": [],
  "version.ts": [],
  "metrics.ts": [],
  "model": ["regex"],
  "security": ["model"],
  "budget": ["model"],
  "ir": ["model", "regex"],
  "blob": ["ir", "model", "regex"],
  "compile": ["blob", "ir", "model", "regex"],
  "store": ["compile", "model"],
  "delivery/wasmplugin": ["blob", "model", "version.ts"],
  "delivery/write": ["blob", "compile", "model", "store"],
  "delivery/transports": ["compile", "delivery/wasmplugin", "metrics.ts", "model", "store"],
  "delivery": ["delivery/transports", "delivery/wasmplugin", "delivery/write"],
  "api": [
    "budget",
    "delivery/transports",
    "delivery/wasmplugin",
    "delivery/write",
    "metrics.ts",
    "model",
    "security",
    "store",
  ],
  "console": ["blob", "delivery/wasmplugin", "ir", "model", "security"],
  "config.ts": ["delivery/transports", "delivery/wasmplugin"],
  "app.ts": [
    "api",
    "budget",
    "compile",
    "console",
    "delivery/transports",
    "delivery/wasmplugin",
    "delivery/write",
    "metrics.ts",
    "model",
    "security",
    "store",
  ],
  "main.ts": ["*"],
  "mod.ts": ["*"],
};

/** What each top-level folder may import at run time; `tests/` is run by the test runner only. */
export const FOLDER_MAY_IMPORT: Record<string, string[]> = {
  "filter": [],
  "simulator": [],
  "policy-server": ["simulator"],
  "tools": ["filter", "policy-server", "simulator", "tests"],
};

/** The edges of `graph` its rules do not allow, as `from -> to`; a part without rules is named too. */
export function disallowed(graph: FolderGraph, rules: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of [...graph].sort(([a], [b]) => a.localeCompare(b))) {
    const allowed = rules[from];
    if (!allowed) {
      out.push(`${from} has no import rules`);
      continue;
    }
    if (allowed.includes("*")) continue;
    for (const to of [...targets].sort()) if (!allowed.includes(to)) out.push(`${from} -> ${to}`);
  }
  return out;
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
