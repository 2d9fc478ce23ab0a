import { DIRECTORY_ENTRY_SIZE, HEADER_SIZE, nameOf, RECORD_SIZE, Section } from "./format.ts";

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

/**
 * A blob as annotated hex: header fields, directory entries and records each on their own line
 * with a `#` comment, so golden files can be read and reviewed field by field. Reads the layout
 * from the blob itself and trusts it: use it on blobs that `decodeBlob` accepts.
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
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const lines: string[] = [];
  const line = (from: number, to: number, note: string) =>
    lines.push(`${hex(blob.subarray(from, to))}  # ${note}`);
  line(0, 4, "magic WRTB");
  line(4, 6, "format 1");
  line(6, 8, "header size 32");
  line(8, 12, `total length ${view.getUint32(8, true)}`);
  line(12, 16, "crc32 of bytes [16, end)");
  line(16, 20, `generation ${view.getUint32(16, true)}`);
  line(20, 24, `section count ${view.getUint32(20, true)}`);
  line(24, 32, "flags, reserved");
  const count = view.getUint32(20, true);
  const sections: { id: number; at: number; len: number }[] = [];
  for (let i = 0; i < count; i++) {
    const d = HEADER_SIZE + i * DIRECTORY_ENTRY_SIZE;
    const s = {
      id: view.getUint32(d, true),
      at: view.getUint32(d + 4, true),
      len: view.getUint32(d + 8, true),
    };
    sections.push(s);
    line(d, d + DIRECTORY_ENTRY_SIZE, `section ${nameOf(Section, s.id) ?? s.id} at ${s.at}, ${s.len} bytes`);
  }
  let end = HEADER_SIZE + count * DIRECTORY_ENTRY_SIZE;
  for (const s of sections.sort((a, b) => a.at - b.at)) {
    if (s.at > end) line(end, s.at, "padding");
    const name = nameOf(Section, s.id) ?? `section ${s.id}`;
    const n = view.getUint32(s.at, true);
    line(s.at, s.at + 4, `${name}: ${n} ${s.id === Section.STRINGS ? "strings" : "records"}`);
    if (s.id === Section.PROGRAMS) {
      const offsets = s.at + 4;
      line(offsets, offsets + 4 * (n + 1), "program offsets");
      const data = offsets + 4 * (n + 1);
      for (let i = 0; i < n; i++) {
        const from = data + view.getUint32(offsets + 4 * i, true),
          to = data + view.getUint32(offsets + 4 * i + 4, true);
        for (let at = from; at < to; at += 8) {
          line(at, Math.min(at + 8, to), `program ${i} instruction ${(at - from) / 8}`);
        }
      }
    } else if (s.id === Section.STRINGS) {
      const offsets = s.at + 4;
      line(offsets, offsets + 4 * (n + 1), "string offsets");
      const data = offsets + 4 * (n + 1);
      for (let i = 0; i < n; i++) {
        const from = data + view.getUint32(offsets + 4 * i, true),
          to = data + view.getUint32(offsets + 4 * i + 4, true);
        if (to > from) {
          line(from, to, `string ${i}: ${JSON.stringify(new TextDecoder().decode(blob.subarray(from, to)))}`);
        }
      }
    } else {
      const size = RECORD_SIZE[s.id] ?? 0;
      for (let i = 0; i < n && size; i++) {
        line(s.at + 4 + i * size, s.at + 4 + (i + 1) * size, `${name}[${i}]`);
      }
    }
    end = s.at + s.len;
  }
  if (end < blob.length) line(end, blob.length, "padding");
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
