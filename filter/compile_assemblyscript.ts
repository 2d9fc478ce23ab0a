/**
 * AssemblyScript builds of proxy-wasm modules: the flags every such module needs, and a cached
 * compile for test modules (host fixtures, the regex engine's test entry).
 *
 * @module
 */
import asc from "assemblyscript/asc";
import type { Transform } from "assemblyscript/transform";
import { ManagedBytesTransform } from "./managed_bytes_transform.ts";
import { Buffer } from "node:buffer";

const ROOT = new URL("../", import.meta.url).pathname;

/**
 * What makes an AssemblyScript module loadable by Envoy: our own abort (`entry/abort_handler`-style
 * path, so no `env.abort` import) and an exported `_initialize`; and how it runs fast there: the
 * minimal runtime (no shadow stack), whose collector the module runs itself at the end of a host
 * callback (filter/assembly/abi/heap.ts) with {@linkcode PROXY_WASM_TRANSFORMS}.
 */
export function proxyWasmFlags(abort: string): string[] {
  return ["--runtime", "minimal", "--use", `abort=${abort}`, "--exportStart", "_initialize"];
}

/**
 * The compiler transforms every proxy-wasm build passes to `asc.main` (`APIOptions.transforms`).
 * Given a class, asc wires its `binaryen` and `program` and instantiates it, as for `--transform`;
 * the option's type only names instances.
 */
export const PROXY_WASM_TRANSFORMS = [ManagedBytesTransform] as unknown as Transform[];

/** How {@linkcode compileTestModule} builds and caches a test entry. */
export interface TestModuleOptions {
  cacheName: string;
  sources?: string[];
  flags?: string[];
}

async function sha256(text: string): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).toString("hex");
}

/**
 * Compiles `entry` (a path from the repository root, without `.ts`, defining `abort_handler`) with
 * `-O3 --noAssert`. Test files run in isolates of their own, so the module is cached on disk under
 * `$TMPDIR/<cacheName>`, keyed by the compiler version, the flags, the transform, and the entry
 * plus `sources` (the other files it imports whose changes must invalidate the cache). `flags` are
 * added to the compiler's (`--exportRuntime` for a test that passes strings with
 * `@assemblyscript/loader`).
 */
export async function compileTestModule(
  entry: string,
  options: TestModuleOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const flags = [
    `${entry}.ts`,
    "--outFile",
    `${entry}.wasm`,
    "-O3",
    "--noAssert",
    ...proxyWasmFlags(`${entry}/abort_handler`),
    ...(options.flags ?? []),
  ];
  const files = [`${entry}.ts`, ...(options.sources ?? []), "filter/managed_bytes_transform.ts"];
  const texts = await Promise.all(files.map((f) => Deno.readTextFile(ROOT + f)));
  const key = (await sha256(JSON.stringify([asc.version, flags, texts]))).slice(0, 16);
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/${options.cacheName}`;
  const cached = `${dir}/${entry.replaceAll("/", "_")}-${key}.wasm`;
  try {
    return await Deno.readFile(cached);
  } catch {
    // not cached yet
  }
  const outputs: Record<string, Uint8Array> = {};
  const stderr: string[] = [];
  const { error } = await asc.main(flags, {
    readFile: (file: string, baseDir: string) => {
      try {
        return Deno.readTextFileSync(`${ROOT}${baseDir && baseDir !== "." ? baseDir + "/" : ""}${file}`);
      } catch {
        return null;
      }
    },
    writeFile: (file: string, data: Uint8Array | string) => {
      outputs[file] = typeof data === "string" ? new TextEncoder().encode(data) : data;
    },
    listFiles: () => [],
    transforms: PROXY_WASM_TRANSFORMS,
    stdout: { write: (s: string) => s.length },
    stderr: {
      write: (s: string) => {
        stderr.push(String(s));
        return s.length;
      },
    },
  });
  if (error) throw new Error(`${entry}.ts does not compile:\n${stderr.join("")}`);
  const wasm = new Uint8Array(outputs[`${entry}.wasm`]);
  await Deno.mkdir(dir, { recursive: true });
  // Write then rename, so a parallel test run never reads a half-written module.
  const partial = `${cached}.${crypto.randomUUID()}`;
  await Deno.writeFile(partial, wasm);
  await Deno.rename(partial, cached);
  return wasm;
}

/**
 * A test entry compiled by {@linkcode compileTestModule}, instantiated with no imports (test entries
 * import nothing, so any abort is a trap) and initialized; its exports, typed as the caller says.
 */
export async function instantiateTestModule<T extends { _initialize(): void }>(
  entry: string,
  options: TestModuleOptions,
): Promise<T> {
  const wasm = await compileTestModule(entry, options);
  const exports = (await WebAssembly.instantiate(new WebAssembly.Module(wasm), {})).exports as unknown as T;
  exports._initialize();
  return exports;
}
