/**
 * The ABI's serialized header map, byte for byte as proxy-wasm-cpp-host's `PairsUtil` writes and
 * reads it (little-endian):
 *
 * ```text
 * u32 count
 * (u32 name_len, u32 value_len) × count
 * (name bytes, 0x00, value bytes, 0x00) × count
 * ```
 *
 * @module
 */

import type { Headers } from "./types.ts";
import { decodeUtf8, utf8Length, writeUtf8 } from "./_text.ts";

/** cpp-host refuses to decode maps larger than this (`PROXY_WASM_HOST_PAIRS_MAX_BYTES`). */
export const PAIRS_MAX_BYTES = 1024 * 1024;
/** cpp-host refuses to decode more pairs than this (`PROXY_WASM_HOST_PAIRS_MAX_COUNT`). */
export const PAIRS_MAX_COUNT = 1024;

/**
 * Size in bytes of `pairs` once serialized.
 *
 * @example Two headers
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairsSize } from "./pairs.ts";
 * assert.deepEqual(pairsSize([["a", "1"], ["b", "22"]]), 4 + 2 * 8 + 4 + 5);
 * ```
 */
export function pairsSize(pairs: Headers): number {
  let size = 4;
  for (const [k, v] of pairs) size += 10 + utf8Length(k) + utf8Length(v);
  return size;
}

/**
 * Serializes `pairs` into `u8` at `at` (the caller reserved {@linkcode pairsSize} bytes).
 *
 * @returns The number of bytes written.
 */
export function writePairs(u8: Uint8Array, at: number, pairs: Headers): number {
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  view.setUint32(at, pairs.length, true);
  let table = at + 4;
  let data = table + pairs.length * 8;
  for (const [k, v] of pairs) {
    const kl = utf8Length(k);
    const vl = utf8Length(v);
    view.setUint32(table, kl, true);
    view.setUint32(table + 4, vl, true);
    table += 8;
    writeUtf8(u8, data, k, kl);
    data += kl;
    u8[data++] = 0;
    writeUtf8(u8, data, v, vl);
    data += vl;
    u8[data++] = 0;
  }
  return data - at;
}

/**
 * Serializes `pairs` into a new byte array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePairs } from "./pairs.ts";
 * assert.deepEqual([...encodePairs([["a", "1"]])], [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 97, 0, 49, 0]);
 * ```
 */
export function encodePairs(pairs: Headers): Uint8Array {
  const out = new Uint8Array(pairsSize(pairs));
  writePairs(out, 0, pairs);
  return out;
}

/**
 * Deserializes a header map. Like cpp-host, anything malformed (short, a missing NUL terminator,
 * trailing bytes, over the limits) yields an empty map rather than an error: a filter that sends a
 * broken map gets no headers, never a host failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePairs, encodePairs } from "./pairs.ts";
 * assert.deepEqual(decodePairs(encodePairs([["x", "y"]])), [["x", "y"]]);
 * assert.deepEqual(decodePairs(new Uint8Array([5, 0, 0])), []);
 * ```
 */
export function decodePairs(bytes: Uint8Array): Headers {
  const end = bytes.length;
  if (end > PAIRS_MAX_BYTES || end < 4) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (count > PAIRS_MAX_COUNT || 4 + count * 8 > end) return [];
  let data = 4 + count * 8;
  const out: Headers = [];
  for (let i = 0; i < count; i++) {
    const kl = view.getUint32(4 + i * 8, true);
    const vl = view.getUint32(8 + i * 8, true);
    if (data + kl + 1 > end || bytes[data + kl] !== 0) return [];
    const k = decodeUtf8(bytes, data, data + kl);
    data += kl + 1;
    if (data + vl + 1 > end || bytes[data + vl] !== 0) return [];
    const v = decodeUtf8(bytes, data, data + vl);
    data += vl + 1;
    out.push([k, v]);
  }
  return data === end ? out : [];
}
