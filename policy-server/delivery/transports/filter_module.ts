/**
 * The filter module as the server serves it (`GET /v1/filter.wasm`): its bytes and SHA-256, read
 * again only when the file changes (size or modification time).
 *
 * @module
 */

import { sha256Hex } from "../../compile/mod.ts";

/** `filter/build/filter.wasm` of this checkout (or of the image, which keeps the same layout). */
export const DEFAULT_FILTER_WASM: string =
  new URL("../../../filter/build/filter.wasm", import.meta.url).pathname;

export interface ModuleFile {
  bytes: Uint8Array;
  /** Hex SHA-256 of the bytes: the WasmPlugin's `sha256` for an `http(s)` url. */
  sha256: string;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export class FilterModule {
  readonly path: string;
  #cached?: { key: string; file: ModuleFile };

  constructor(path: string = DEFAULT_FILTER_WASM) {
    this.path = path;
  }

  /** The module, or `null` when the file does not exist. Throws if it is not a Wasm module. */
  async read(): Promise<ModuleFile | null> {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    const key = `${info.size}:${info.mtime?.getTime()}:${info.ino ?? ""}`;
    if (this.#cached?.key === key) return this.#cached.file;
    const bytes = await Deno.readFile(this.path);
    if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
      throw new Error(`${this.path} is not a WebAssembly module`);
    }
    const file = { bytes, sha256: await sha256Hex(bytes) };
    this.#cached = { key, file };
    return file;
  }
}
