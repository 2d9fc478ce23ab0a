/**
 * Just enough POSIX ustar for an image layer: write regular files with fixed owner, mode and time
 * (so the same module always makes the same layer digest), and read them back.
 *
 * @module
 */

const BLOCK = 512;

export interface TarEntry {
  name: string;
  bytes: Uint8Array;
}

function field(header: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > length) throw new RangeError(`tar field "${text}" is longer than ${length} bytes`);
  header.set(bytes, offset);
}

/** An octal number field: `length - 1` digits and a NUL. */
const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0");

/** One regular file's header block. */
function header(name: string, size: number, mtime: number, mode: number): Uint8Array {
  if (!name || name.length > 100 || name.includes("\0")) throw new RangeError(`bad tar entry name "${name}"`);
  const h = new Uint8Array(BLOCK);
  field(h, 0, 100, name);
  field(h, 100, 8, octal(mode, 8));
  field(h, 108, 8, octal(0, 8)); // uid
  field(h, 116, 8, octal(0, 8)); // gid
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(mtime, 12));
  field(h, 148, 8, "        "); // checksum, counted as spaces
  field(h, 156, 1, "0"); // regular file
  field(h, 257, 6, "ustar\0");
  field(h, 263, 2, "00");
  const sum = h.reduce((a, b) => a + b, 0);
  field(h, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** A tar archive of `entries` (regular files, mode 0644, owner 0:0, modified at `mtime` seconds). */
export function tar(entries: TarEntry[], mtime = 0): Uint8Array {
  const size = entries.reduce((n, e) => n + BLOCK + Math.ceil(e.bytes.length / BLOCK) * BLOCK, 0) + 2 * BLOCK;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const { name, bytes } of entries) {
    out.set(header(name, bytes.length, mtime, 0o644), offset);
    out.set(bytes, offset + BLOCK);
    offset += BLOCK + Math.ceil(bytes.length / BLOCK) * BLOCK;
  }
  return out; // ends with two zero blocks
}

/** A NUL-terminated (or full-width) text field. */
function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** The regular files of a tar archive; throws on a bad checksum. */
export function untar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  for (let offset = 0; offset + BLOCK <= archive.length;) {
    const h = archive.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) break;
    const stored = parseInt(text(h.subarray(148, 156)).trim(), 8);
    const sum = h.reduce((a, b, i) => a + (i >= 148 && i < 156 ? 32 : b), 0);
    if (stored !== sum) throw new Error(`tar header at ${offset}: checksum ${stored}, expected ${sum}`);
    const size = parseInt(text(h.subarray(124, 136)).trim() || "0", 8);
    const type = String.fromCharCode(h[156]);
    const prefix = text(h.subarray(345, 500));
    const name = (prefix ? `${prefix}/` : "") + text(h.subarray(0, 100));
    if (type === "0" || type === "\0") {
      entries.push({ name, bytes: archive.slice(offset + BLOCK, offset + BLOCK + size) });
    }
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
