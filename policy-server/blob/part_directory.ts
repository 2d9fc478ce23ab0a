/**
 * A format-3 blob's part directory (docs/blob-format.md): each part's section lengths, and where
 * each part's entry is. Read by `decodeBlob`, which refuses a blob at the first rule it breaks, and
 * by `segmentBlob`, which cuts the blob where the directory says parts end.
 *
 * @module
 */
import { Cursor, fail, type Note } from "./blob_cursor.ts";
import { HEADER_SIZE, SECTION, SECTION_COUNT } from "./format.ts";

export interface PartDirectory {
  /** Each part's section lengths, in `SECTION` order. */
  lengths: number[][];
  /** Each part's directory entry: `[from, to)` of the blob. */
  entries: [number, number][];
  /** Where the directory ends and the first section begins. */
  end: number;
}

/**
 * The part directory of `blob`, whose header's magic, format and total length are already checked;
 * each entry marked with `note`.
 *
 * @throws {BlobFormatError} naming the first rule the directory breaks.
 */
export function readPartDirectory(blob: Uint8Array, note?: Note): PartDirectory {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const count = view.getUint32(20, true);
  const dirLength = view.getUint32(28, true);
  const end = HEADER_SIZE + dirLength;
  if (end > blob.length) fail("Part directory out of range");
  // Each part's section lengths; section k of every part follows section k - 1's.
  const dir = new Cursor(blob.subarray(0, end), 0, "Part directory", note);
  dir.at = HEADER_SIZE;
  if (count > dirLength) fail("Part count past the part directory");
  const lengths: number[][] = [];
  const entries: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const from = dir.at;
    const l = Array.from({ length: SECTION_COUNT }, () => dir.varint());
    if (l[SECTION.TABLES] === 0) fail(`Part ${i}: empty tables section`);
    dir.mark(from, `part ${i}: sections of ${l.join(", ")} bytes`);
    total += l.reduce((a, b) => a + b, 0);
    lengths.push(l);
    entries.push([from, dir.at]);
  }
  if (dir.at !== end) fail("Bytes after the part directory");
  if (end + total !== blob.length) fail("Parts do not end at the blob's end");
  return { lengths, entries, end };
}
