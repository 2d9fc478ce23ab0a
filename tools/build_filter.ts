/**
 * Builds filter/build/filter.wasm with AssemblyScript 0.28 and checks the module's ABI surface:
 * it may import only `env.proxy_*` (Envoy provides nothing else, not even `env.abort`) and must
 * export what Envoy's host looks up.
 *
 * Usage: deno task build:filter [--debug]
 *
 * @module
 */
import asc from "assemblyscript/asc";
import { PROXY_WASM_TRANSFORMS, proxyWasmFlags } from "../filter/compile_assemblyscript.ts";

export const FILTER_WASM = new URL("../filter/build/filter.wasm", import.meta.url);

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

/** Compiles the filter; returns the module bytes. Throws with asc's diagnostics on failure. */
export async function buildFilter(options: { debug?: boolean } = {}): Promise<Uint8Array> {
  const root = new URL("../", import.meta.url).pathname;
  const args = [
    "filter/assembly/index.ts",
    "--outFile",
    "filter/build/filter.wasm",
    "--textFile",
    "filter/build/filter.wat",
    ...proxyWasmFlags("filter/assembly/abi/runtime/abortHandler"),
    "--baseDir",
    root,
    ...(options.debug ? ["--debug", "--sourceMap"] : ["-O3", "--noAssert", "--converge"]),
  ];
  const { error, stderr } = await asc.main(args, { transforms: PROXY_WASM_TRANSFORMS });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  const bytes = await Deno.readFile(FILTER_WASM);
  const problems = checkAbiSurface(new WebAssembly.Module(bytes));
  if (problems.length) throw new Error(`filter.wasm is not loadable by Envoy:\n- ${problems.join("\n- ")}`);
  return bytes;
}

if (import.meta.main) {
  const t0 = performance.now();
  const bytes = await buildFilter({ debug: Deno.args.includes("--debug") });
  console.log(`filter/build/filter.wasm: ${bytes.length} bytes in ${Math.round(performance.now() - t0)} ms`);
}
