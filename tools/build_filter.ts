/**
 * Builds filter/build/filter.wasm with AssemblyScript 0.28 and checks the module's ABI surface:
 * it may import only `env.proxy_*` (Envoy provides nothing else, not even `env.abort`) and must
 * export what Envoy's host looks up.
 *
 * A module built from the same sources is reused: `filter/build/filter.wasm.key` holds the hash of
 * the compiler's pinned version, the build mode and every source file's bytes, so `deno task start`
 * and `deno task test` rebuild only after a change. The compiler loads only when it has to run, and
 * the task runs with deno.build.json / deno.build.lock: only the compiler's packages are fetched.
 *
 * Usage: deno task build:filter [--debug | --unoptimized] [--force]
 *
 * `--unoptimized` skips Binaryen's passes (a build in about a fifth of the time) and is otherwise the
 * release build: same sources, transforms and `--noAssert`. The mutation job builds each mutant so
 * (tools/mutate/apply_mutant.ts); a module for Envoy is always the optimized one.
 *
 * @module
 */
import { join } from "node:path";
import { Buffer } from "node:buffer";

const ROOT = new URL("../", import.meta.url).pathname;
export const FILTER_WASM = new URL("../filter/build/filter.wasm", import.meta.url);
/** The source key of the module in {@linkcode FILTER_WASM}. */
export const FILTER_KEY = new URL("../filter/build/filter.wasm.key", import.meta.url);

/** Exports Envoy's host (proxy-wasm-cpp-host) requires of a module of ABI 0.2.1. */
const REQUIRED_EXPORTS = [
  "proxy_abi_version_0_2_1",
  "malloc",
  "_initialize",
  "memory",
  "proxy_on_context_create",
];

/** What is wrong with a module's imports and exports for Envoy, one line per problem. */
export function checkAbiSurface(module: WebAssembly.Module): string[] {
  const problems = WebAssembly.Module.imports(module)
    .filter((i) => i.module !== "env" || !i.name.startsWith("proxy_"))
    .map((i) => `imports ${i.module}.${i.name}, which Envoy does not provide`);
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const name of REQUIRED_EXPORTS) if (!exported.has(name)) problems.push(`does not export ${name}`);
  return problems;
}

/**
 * Every file the module is built from: the filter's sources, its build library, this script. The
 * unit tests beside the sources (`*_test.ts`, run by Deno) and their `testdata/` are not part of it.
 */
async function sourceFiles(root: string): Promise<string[]> {
  const out = [
    "filter/compile_assemblyscript.ts",
    "filter/managed_bytes_transform.ts",
    "tools/build_filter.ts",
  ];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(join(root, dir))) {
      if (e.isDirectory && e.name !== "testdata") await walk(`${dir}/${e.name}`);
      else if (e.isFile && !e.name.endsWith("_test.ts")) out.push(`${dir}/${e.name}`);
    }
  };
  await walk("filter/assembly");
  return out.sort();
}

/**
 * The compiler as deno.build.json (the build's slice of deno.json, which `task build:filter` runs
 * with) pins it: `npm:assemblyscript@0.28.20/asc`, read without loading it.
 */
async function compilerVersion(root: string): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.build.json")));
  return config.imports["assemblyscript/asc"];
}

/** How the module is built: `debug` wins over `unoptimized`; neither is the release build. */
export interface BuildMode {
  debug?: boolean;
  /** The release build without Binaryen's optimizer (the mutation job's per-mutant build). */
  unoptimized?: boolean;
}

function modeName(mode: BuildMode): string {
  return mode.debug ? "debug" : mode.unoptimized ? "unoptimized" : "release";
}

function modeFlags(mode: BuildMode): string[] {
  if (mode.debug) return ["--debug", "--sourceMap"];
  return mode.unoptimized ? ["--noAssert"] : ["-O3", "--noAssert", "--converge"];
}

/** Hex SHA-256 over the compiler version, the build mode and each source's path and bytes. */
export async function filterSourceKey(options: BuildMode & { root?: string } = {}): Promise<string> {
  const root = options.root ?? ROOT;
  const parts: Uint8Array[] = [
    new TextEncoder().encode(`${await compilerVersion(root)}\n${modeName(options)}\n`),
  ];
  for (const file of await sourceFiles(root)) {
    parts.push(
      new TextEncoder().encode(`${file}\n`),
      await Deno.readFile(join(root, file)),
    );
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return Buffer.from(await crypto.subtle.digest("SHA-256", all)).toString("hex");
}

/**
 * The built module when its key matches the sources', else null (missing, changed, or built in
 * the other mode).
 */
export async function reusableFilter(options: BuildMode = {}): Promise<Uint8Array | null> {
  try {
    const [key, bytes] = await Promise.all([Deno.readTextFile(FILTER_KEY), Deno.readFile(FILTER_WASM)]);
    return key.trim() === await filterSourceKey(options) ? bytes : null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Compiles the filter; returns the module bytes. Throws with asc's diagnostics on failure. */
export async function buildFilter(options: BuildMode = {}): Promise<Uint8Array> {
  const root = ROOT;
  const key = await filterSourceKey(options);
  // Loaded here, not at the top: a reused module needs no compiler (and no binaryen in memory).
  const { default: asc } = await import("assemblyscript/asc");
  const { PROXY_WASM_TRANSFORMS, proxyWasmFlags } = await import("../filter/compile_assemblyscript.ts");
  await Deno.remove(FILTER_KEY).catch(() => {});
  const args = [
    "filter/assembly/index.ts",
    "--outFile",
    "filter/build/filter.wasm",
    "--textFile",
    "filter/build/filter.wat",
    ...proxyWasmFlags("filter/assembly/abi/runtime/abortHandler"),
    "--baseDir",
    root,
    ...modeFlags(options),
  ];
  const { error, stderr } = await asc.main(args, { transforms: PROXY_WASM_TRANSFORMS });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  const bytes = await Deno.readFile(FILTER_WASM);
  const problems = checkAbiSurface(new WebAssembly.Module(bytes));
  if (problems.length) throw new Error(`filter.wasm is not loadable by Envoy:\n- ${problems.join("\n- ")}`);
  await Deno.writeTextFile(FILTER_KEY, `${key}\n`);
  return bytes;
}

if (import.meta.main) {
  const t0 = performance.now();
  const mode = { debug: Deno.args.includes("--debug"), unoptimized: Deno.args.includes("--unoptimized") };
  const reused = Deno.args.includes("--force") ? null : await reusableFilter(mode);
  if (reused) {
    console.log(`filter/build/filter.wasm: ${reused.length} bytes, sources unchanged (--force rebuilds)`);
  } else {
    const bytes = await buildFilter(mode);
    console.log(
      `filter/build/filter.wasm: ${bytes.length} bytes in ${Math.round(performance.now() - t0)} ms`,
    );
  }
}
