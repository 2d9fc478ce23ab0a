/**
 * Content-defined segments of a rule blob, the units {@linkcode packBlob} compresses one by one.
 *
 * A packed blob's DEFLATE stream is the concatenation of independently compressed segments (each
 * ends on a byte boundary with an empty non-final stored block, as zlib's full flush writes it), so a
 * write that changes one virtual host compresses again only the few segments holding its part and
 * keeps the others' compressed bytes. For that, where a segment ends must depend on the bytes near
 * it and not on its offset: an insertion would otherwise move every later boundary. Each of the
 * blob's columns — the part directory, then each section (format.ts `SECTION`) of every part — is cut
 * after a part whose fingerprint (the first bytes of its tables section) has its low bits zero, once
 * the segment holds at least {@linkcode SEGMENT_MIN} bytes; and always at {@linkcode SEGMENT_MAX}.
 * Smaller segments make a write cheaper and the stream larger: what these cost against one DEFLATE
 * of the whole blob is measured by `deno task bench` (section 8).
 *
 * Any cut gives a valid stream: the segmentation is the server's choice, which readers never see.
 *
 * @module
 */
import { BlobFormatError } from "./blob_format_error.ts";
import { FORMAT_VERSION, HEADER_SIZE, MAGIC, SECTION, SECTION_COUNT } from "./format.ts";
import { readPartDirectory } from "./part_directory.ts";

/** A segment is cut after a part only once it holds this many bytes. */
export const SEGMENT_MIN = 64 * 1024;
/** ... and always once it holds this many (a run of parts without a cut point). */
export const SEGMENT_MAX = 8 * SEGMENT_MIN;
/** A part is a cut point when these bits of its fingerprint are zero: one part in eight. */
const CUT_MASK = 7;
/** Bytes of a part's tables section its fingerprint reads: its kind, its hostnames' first bytes. */
const FINGERPRINT_BYTES = 64;

/**
 * `blob` as consecutive segments (views, together exactly `blob`): the header, then each column
 * cut as the module says. Bytes that are not a well-formed format-3 blob are one segment.
 *
 * @example
 * ```ts
 * import { segmentBlob } from "./segment_blob.ts";
 * import { encodeBlob } from "./encode_blob.ts";
 * const blob = encodeBlob({ generation: 1, vhosts: [] });
 * if (segmentBlob(blob).reduce((n, s) => n + s.length, 0) !== blob.length) throw new Error("lost bytes");
 * ```
 */
export function segmentBlob(blob: Uint8Array): Uint8Array[] {
  const columns = columnsOf(blob);
  if (!columns) return [blob];
  const segments = [blob.subarray(0, HEADER_SIZE)];
  let at = HEADER_SIZE;
  for (const lengths of columns.lengths) {
    let from = 0;
    for (const to of cutColumn(lengths, columns.fingerprints)) {
      let size = 0;
      for (let i = from; i < to; i++) size += lengths[i];
      segments.push(blob.subarray(at, at + size));
      at += size;
      from = to;
    }
  }
  return segments;
}

/**
 * Where one column is cut: the end (exclusive part index) of each of its segments, given each
 * part's bytes in the column and each part's fingerprint. No segment is empty.
 */
export function cutColumn(lengths: ArrayLike<number>, fingerprints: ArrayLike<number>): number[] {
  const ends: number[] = [];
  let size = 0;
  for (let i = 0; i < lengths.length; i++) {
    size += lengths[i];
    if ((size >= SEGMENT_MIN && (fingerprints[i] & CUT_MASK) === 0) || size >= SEGMENT_MAX) {
      ends.push(i + 1);
      size = 0;
    }
  }
  if (size > 0) ends.push(lengths.length);
  return ends;
}

/** A part's fingerprint, from its tables section (`SECTION.TABLES`). */
export function fingerprint(tables: Uint8Array): number {
  return fnv1a(tables, Math.min(tables.length, FINGERPRINT_BYTES));
}

/**
 * Each column's per-part byte lengths (the directory's entries, then each section's) and each
 * part's fingerprint; undefined unless the header and directory are consistent with the length.
 */
function columnsOf(blob: Uint8Array): { lengths: number[][]; fingerprints: number[] } | undefined {
  if (blob.length < HEADER_SIZE || !MAGIC.every((b, i) => blob[i] === b)) return undefined;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint16(4, true) !== FORMAT_VERSION || view.getUint32(8, true) !== blob.length) return undefined;
  let dir;
  try {
    dir = readPartDirectory(blob);
  } catch (error) {
    if (error instanceof BlobFormatError) return undefined;
    throw error;
  }
  const columns = Array.from({ length: SECTION_COUNT }, (_, k) => dir.lengths.map((l) => l[k]));
  let tables = dir.end;
  for (let k = 0; k < SECTION.TABLES; k++) tables += sum(columns[k]);
  const fingerprints = columns[SECTION.TABLES].map((length) => {
    const print = fingerprint(blob.subarray(tables, tables + length));
    tables += length;
    return print;
  });
  return { lengths: [dir.entries.map(([from, to]) => to - from), ...columns], fingerprints };
}

const sum = (values: number[]) => values.reduce((n, v) => n + v, 0);

/** 32-bit FNV-1a of `bytes`' first `n`: cheap, and spreads near-equal hostnames over the low bits. */
function fnv1a(bytes: Uint8Array, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}
