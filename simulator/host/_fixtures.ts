// Test helper: compiles the AssemblyScript fixtures in testdata/ into proxy-wasm modules, with the
// flags every proxy-wasm build of ours uses (filter/compile_assemblyscript.ts: the minimal runtime,
// our own abort, an exported `_initialize`). Each test module runs in its own isolate, so compiled
// bytes are cached on disk, keyed by a hash of compiler version, flags and source.

import { compileTestModule } from "../../filter/compile_assemblyscript.ts";

/** The helpers every fixture may import (logging, headers, properties, buffers); part of each cache key. */
const SHARED = "simulator/host/testdata/_host_calls.ts";

const compiled = new Map<string, Promise<Uint8Array>>();

/** The compiled module of `testdata/<name>.ts` (compiled once per key, cached on disk). */
export function fixture(name: string): Promise<Uint8Array> {
  let wasm = compiled.get(name);
  if (!wasm) {
    compiled.set(
      name,
      wasm = compileTestModule(`simulator/host/testdata/${name}`, {
        cacheName: "wasmroute-host-fixtures",
        sources: [SHARED],
      }),
    );
  }
  return wasm;
}

/** Writes fixtures' modules into `dir` as `<name>.wasm` (for scenarios that name files). */
export async function writeFixtures(dir: string, names: string[]): Promise<void> {
  for (const name of names) await Deno.writeFile(`${dir}/${name}.wasm`, await fixture(name));
}

/** Options of {@linkcode tinyModule}. */
export interface TinyModule {
  /** Function imports as `module.name` → signature such as `"iii>i"` (i = i32, I = i64). */
  imports?: Record<string, string>;
  /** ABI marker export; default `proxy_abi_version_0_2_1`, null for none. */
  abi?: string | null;
  /** Export `malloc` (default true). */
  malloc?: boolean;
  /** Extra exported functions with the signature `(i64) -> i64`, i.e. wrong for any ABI callback. */
  badExports?: string[];
  /** Export `proxy_on_request_headers` returning this value. */
  requestHeadersResult?: number;
}

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  while (true) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const name = (s: string) => {
  const b = [...new TextEncoder().encode(s)];
  return [...leb(b.length), ...b];
};
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];

/**
 * A hand-assembled module for load-time tests (imports, exports, signatures) that no compiler
 * would produce: it has a memory, `malloc` returning 16, and the requested imports and exports.
 */
export function tinyModule(options: TinyModule = {}): Uint8Array {
  const valType = (c: string) => (c === "I" ? 0x7e : 0x7f);
  // Types: 0 () -> (), 1 (i32) -> i32, 2 (i64) -> i64, 3 (i32 i32 i32) -> i32, then one per import.
  const types = [[0x60, 0, 0], [0x60, 1, 0x7f, 1, 0x7f], [0x60, 1, 0x7e, 1, 0x7e], [
    0x60,
    3,
    0x7f,
    0x7f,
    0x7f,
    1,
    0x7f,
  ]];
  const imports: number[][] = [];
  for (const [full, spec] of Object.entries(options.imports ?? {})) {
    const [mod, fn] = full.split(".");
    const [params, results] = spec.split(">");
    types.push([
      0x60,
      ...leb(params.length),
      ...[...params].map(valType),
      ...leb(results.length),
      ...[...results].map(valType),
    ]);
    imports.push([...name(mod), ...name(fn), 0, ...leb(types.length - 1)]);
  }
  const n = imports.length;
  // 0: empty, 1: malloc, 2: identity on i64, 3: proxy_on_request_headers returning a constant
  const functions = [[0], [1], [2], [3]];
  const exports: number[][] = [[...name("memory"), 2, 0]];
  if (options.abi !== null) exports.push([...name(options.abi ?? "proxy_abi_version_0_2_1"), 0, ...leb(n)]);
  if (options.malloc !== false) exports.push([...name("malloc"), 0, ...leb(n + 1)]);
  for (const bad of options.badExports ?? []) exports.push([...name(bad), 0, ...leb(n + 2)]);
  if (options.requestHeadersResult !== undefined) {
    exports.push([...name("proxy_on_request_headers"), 0, ...leb(n + 3)]);
  }
  const result = options.requestHeadersResult ?? 0;
  const bodies = [[0, 0x0b], [0, 0x41, 16, 0x0b], [0, 0x20, 0, 0x0b], [0, 0x41, ...sleb(result), 0x0b]];
  return new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, vector(types)),
    ...section(2, vector(imports)),
    ...section(3, vector(functions)),
    ...section(5, vector([[0, 1]])),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies.map((b) => [...leb(b.length), ...b]))),
  ]);
}
