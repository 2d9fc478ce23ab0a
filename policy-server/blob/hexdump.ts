import { Buffer } from "node:buffer";
import { decodeBlob } from "./decode_blob.ts";

/** Bytes as hex pairs, one space between them. */
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex").replace(/(..)(?!$)/g, "$1 ");

/**
 * A blob as annotated hex: header fields, part directory entries, strings, programs and records
 * each on their own line with a `#` comment, so golden files can be read and reviewed field by
 * field. The notes come from `decodeBlob` reading the blob, so the blob must be one it accepts.
 *
 * @example
 * ```ts
 * import { encodeBlob } from "./encode_blob.ts";
 * import { formatHex, parseHex } from "./hexdump.ts";
 * const blob = encodeBlob({ generation: 1, vhosts: [] });
 * if (parseHex(formatHex(blob)).length !== blob.length) throw new Error("round trip failed");
 * ```
 */
export function formatHex(blob: Uint8Array): string {
  const notes: [number, number, string][] = [];
  decodeBlob(blob, (from, to, what) => notes.push([from, to, what]));
  notes.sort((a, b) => a[0] - b[0]);
  const lines: string[] = [];
  let end = 0;
  for (const [from, to, what] of notes) {
    if (from > end) lines.push(`${hex(blob.subarray(end, from))}  # ?`);
    if (to > from) lines.push(`${hex(blob.subarray(from, to))}  # ${what}`);
    end = Math.max(end, to);
  }
  if (end < blob.length) lines.push(`${hex(blob.subarray(end))}  # ?`);
  return lines.join("\n") + "\n";
}

/** Bytes from annotated hex: `#` starts a comment, whitespace separates bytes. */
export function parseHex(text: string): Uint8Array {
  const digits = text.split("\n").map((l) => l.replace(/#.*/, "")).join(" ").trim().split(/\s+/).filter(
    Boolean,
  );
  return Uint8Array.from(digits, (d) => {
    if (!/^[0-9a-f]{2}$/i.test(d)) throw new SyntaxError(`Bad hex byte "${d}"`);
    return parseInt(d, 16);
  });
}
