/**
 * Reads what the host must know about a module before instantiating it: the Proxy-Wasm ABI marker
 * export, and the function types of imports and exports. V8's JS API hides import signatures (a JS
 * function satisfies any of them), so the host checks them itself, as proxy-wasm-cpp-host does when
 * it links.
 *
 * @module
 */

import { AbiVersion } from "./types.ts";

/** A WebAssembly value type as cpp-host prints it. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref" | "ref";

/** A function signature. */
export interface FuncType {
  params: ValType[];
  results: ValType[];
}

/** One import of the module. */
export interface ImportInfo {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  /** Signature of a function import, when the type section could be read. */
  type?: FuncType;
  /** Limits of a memory or table import (pages or elements). */
  limits?: { initial: number; maximum?: number };
  /** Element type of a table import. */
  element?: ValType;
}

/** What {@linkcode parseWasmModule} found. */
export interface WasmModuleInfo {
  /** From the first `proxy_abi_version_*` function export, as cpp-host's `BytecodeUtil` reads it. */
  abiVersion: AbiVersion;
  /** Imports in declaration order, when the sections could be read (else the caller asks V8). */
  imports?: ImportInfo[];
  /** Signatures of exported functions by name, when the sections could be read. */
  exportTypes?: Map<string, FuncType>;
}

const ABI_MARKERS: Record<string, AbiVersion> = {
  proxy_abi_version_0_1_0: AbiVersion.V0_1_0,
  proxy_abi_version_0_2_0: AbiVersion.V0_2_0,
  proxy_abi_version_0_2_1: AbiVersion.V0_2_1,
};

const VAL_TYPES: Record<number, ValType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

const IMPORT_KINDS = ["function", "table", "memory", "global", "tag"] as const;

class Reader {
  constructor(readonly bytes: Uint8Array, public pos: number, readonly end: number) {}
  byte(): number {
    if (this.pos >= this.end) throw new RangeError("unexpected end");
    return this.bytes[this.pos++];
  }
  // Unsigned LEB128, at most 32 bits (cpp-host's `parseVarint`).
  u32(): number {
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const b = this.byte();
      if (shift === 28 && (b & 0x7f) > 0xf) throw new RangeError("varint overflow");
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new RangeError("varint overflow");
  }
  name(): string {
    const n = this.u32();
    if (this.pos + n > this.end) throw new RangeError("name out of bounds");
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  valType(): ValType {
    const b = this.byte();
    const t = VAL_TYPES[b];
    if (t) return t;
    if (b === 0x63 || b === 0x64) { // (ref null? heaptype): skip the s33 heap type
      while (this.byte() & 0x80);
      return "ref";
    }
    throw new RangeError(`unknown value type 0x${b.toString(16)}`);
  }
  limits(): { initial: number; maximum?: number } {
    const flags = this.byte();
    const initial = this.u32();
    return flags & 1 ? { initial, maximum: this.u32() } : { initial };
  }
}

/**
 * Parses the parts of `bytes` the host needs.
 *
 * @returns `undefined` when the section framing is corrupt (cpp-host: "Failed to parse corrupted
 * Wasm module"). Type details it cannot read (newer proposals) are left out, not fatal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWasmModule } from "./parse_wasm_module.ts";
 * assert.deepEqual(parseWasmModule(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), undefined);
 * ```
 */
export function parseWasmModule(bytes: Uint8Array): WasmModuleInfo | undefined {
  // cpp-host accepts anything shorter than the 8-byte header (and then finds no ABI marker).
  if (bytes.length >= 8 && (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)) {
    return undefined;
  }
  const sections = new Map<number, [number, number]>();
  const r = new Reader(bytes, 8, bytes.length);
  try {
    while (r.pos < r.end) {
      const id = r.byte();
      const len = r.u32();
      if (r.pos + len > r.end) return undefined;
      if (id !== 0 && !sections.has(id)) sections.set(id, [r.pos, r.pos + len]);
      r.pos += len;
    }
  } catch {
    return undefined;
  }
  const info: WasmModuleInfo = { abiVersion: AbiVersion.Unknown };
  const exportSection = sections.get(7);
  let exports: [string, number, number][] = [];
  if (exportSection) {
    try {
      exports = readExports(new Reader(bytes, ...exportSection));
    } catch {
      return undefined;
    }
    for (const [name, kind] of exports) {
      if (kind === 0 && name in ABI_MARKERS) {
        info.abiVersion = ABI_MARKERS[name];
        break;
      }
    }
  }
  try {
    readSignatures(bytes, sections, exports, info);
  } catch {
    delete info.imports;
    delete info.exportTypes;
  }
  return info;
}

function readExports(r: Reader): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (let n = r.u32(); n > 0; n--) {
    const name = r.name();
    const kind = r.byte();
    out.push([name, kind, r.u32()]);
  }
  return out;
}

function readSignatures(
  bytes: Uint8Array,
  sections: Map<number, [number, number]>,
  exports: [string, number, number][],
  info: WasmModuleInfo,
): void {
  const types: FuncType[] = [];
  const typeSection = sections.get(1);
  if (typeSection) {
    const r = new Reader(bytes, ...typeSection);
    for (let n = r.u32(); n > 0; n--) {
      if (r.byte() !== 0x60) throw new RangeError("unsupported type form");
      const params: ValType[] = [];
      for (let p = r.u32(); p > 0; p--) params.push(r.valType());
      const results: ValType[] = [];
      for (let p = r.u32(); p > 0; p--) results.push(r.valType());
      types.push({ params, results });
    }
  }
  const funcTypes: FuncType[] = []; // by function index: imports first, then definitions
  const imports: ImportInfo[] = [];
  const importSection = sections.get(2);
  if (importSection) {
    const r = new Reader(bytes, ...importSection);
    for (let n = r.u32(); n > 0; n--) {
      const module = r.name();
      const name = r.name();
      const kindByte = r.byte();
      const kind = IMPORT_KINDS[kindByte];
      if (!kind) throw new RangeError("unknown import kind");
      const entry: ImportInfo = { module, name, kind };
      if (kindByte === 0) {
        entry.type = types[r.u32()];
        if (!entry.type) throw new RangeError("bad type index");
        funcTypes.push(entry.type);
      } else if (kindByte === 1) {
        entry.element = r.valType();
        entry.limits = r.limits();
      } else if (kindByte === 2) {
        entry.limits = r.limits();
      } else if (kindByte === 3) {
        r.valType();
        r.byte();
      } else {
        r.byte();
        r.u32();
      }
      imports.push(entry);
    }
  }
  const functionSection = sections.get(3);
  if (functionSection) {
    const r = new Reader(bytes, ...functionSection);
    for (let n = r.u32(); n > 0; n--) {
      const t = types[r.u32()];
      if (!t) throw new RangeError("bad type index");
      funcTypes.push(t);
    }
  }
  const exportTypes = new Map<string, FuncType>();
  for (const [name, kind, index] of exports) {
    if (kind === 0 && funcTypes[index]) exportTypes.set(name, funcTypes[index]);
  }
  info.imports = imports;
  info.exportTypes = exportTypes;
}

/** Formats a signature the way cpp-host's WAMR integration prints it: `i32 i32 -> i32`, `void -> void`. */
export function formatFuncType(t: FuncType): string {
  const side = (v: ValType[]) => v.length ? v.join(" ") : "void";
  return `${side(t.params)} -> ${side(t.results)}`;
}

/** Whether two signatures are the same. */
export function sameFuncType(a: FuncType, b: FuncType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length &&
    a.params.every((p, i) => p === b.params[i]) && a.results.every((p, i) => p === b.results[i]);
}
