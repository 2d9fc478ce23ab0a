/**
 * What several benchmarks share: the compiled rule tables (generated once per size and kept for the
 * run), the filter module, and the baseline module.
 *
 * @module
 */
import { compile } from "../../policy-server/compile/mod.ts";
import { renderWasmPlugin } from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import { compileTestModule } from "../../filter/compile_assemblyscript.ts";
import { type GeneratedTable, type GenerateOptions, generateRoutes } from "./generate_routes.ts";

/** The filter module the benchmarks load (built by `deno task build:filter`). */
export const FILTER_WASM = new URL("../../filter/build/filter.wasm", import.meta.url);

/** A generated table, compiled. */
export interface CompiledTable {
  rules: number;
  generated: GeneratedTable;
  blob: Uint8Array;
  sha256: string;
  generation: number;
  /** The pluginConfig Istio hands the filter, as JSON (`{"blob": base64, "version", "sha256"}`). */
  pluginConfig: string;
  /** Milliseconds of this (first) compile. */
  compileMs: number;
}

const tables = new Map<string, Promise<CompiledTable>>();

/** The table of `rules` rules (see {@linkcode generateRoutes}), compiled once per run. */
export function compiledTable(rules: number, options: GenerateOptions = {}): Promise<CompiledTable> {
  const key = JSON.stringify([rules, options]);
  let table = tables.get(key);
  if (!table) tables.set(key, table = build(rules, options));
  return table;
}

async function build(rules: number, options: GenerateOptions): Promise<CompiledTable> {
  const generated = generateRoutes(rules, options);
  const generation = 1;
  const t0 = performance.now();
  const { blob, sha256 } = await compile(generated.routes, { generation });
  const compileMs = performance.now() - t0;
  const { pluginConfig } = renderWasmPlugin({ blob, sha256, generation }).spec;
  return {
    rules,
    generated,
    blob,
    sha256,
    generation,
    pluginConfig: JSON.stringify(pluginConfig),
    compileMs,
  };
}

let filter: Promise<Uint8Array> | undefined;
/** `filter/build/filter.wasm`; throws with a hint when it was not built. */
export function filterWasm(): Promise<Uint8Array> {
  return filter ??= Deno.readFile(FILTER_WASM).catch((error) => {
    filter = undefined;
    throw new Error(`cannot read ${FILTER_WASM.pathname} (run \`deno task build:filter\`): ${error}`);
  });
}

let baselineCallbacks: Promise<Uint8Array> | undefined;
/** The baseline module plus the filter's two extra per-stream callbacks, empty (`testdata/baseline_callbacks.ts`). */
export function baselineCallbacksWasm(): Promise<Uint8Array> {
  return baselineCallbacks ??= compileTestModule("tools/bench/testdata/baseline_callbacks", {
    cacheName: "wasmroute-bench",
    sources: ["tools/bench/testdata/baseline.ts", "filter/assembly/abi/heap.ts"],
  });
}

let baseline: Promise<Uint8Array> | undefined;
/** The baseline module (`testdata/baseline.ts`), compiled with the filter's flags and cached in $TMPDIR. */
export function baselineWasm(): Promise<Uint8Array> {
  return baseline ??= compileTestModule("tools/bench/testdata/baseline", {
    cacheName: "wasmroute-bench",
    sources: ["filter/assembly/abi/heap.ts"],
  });
}
