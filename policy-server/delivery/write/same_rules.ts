/**
 * Whether two rule blobs say the same thing, whatever version they carry.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { BlobFormatError } from "../../blob/blob_format_error.ts";
import { HEADER_SIZE } from "../../blob/format.ts";
import { isPackedBlob, type PackedBlob, unpackBlob } from "../../blob/pack_blob.ts";
import { PACKED_HEADER_SIZE } from "../../blob/format.ts";
import { constants, inflateRawSync } from "node:zlib";

/**
 * Header bytes that differ between blobs of the same rules: the checksum (12..16), the generation
 * (16..20) and the flags (24..28: a rollback's mark).
 */
const VERSION_FIELDS = [{ start: 12, end: 20 }, { start: 24, end: 28 }] as const;

/**
 * `true` when `a` and `b` are the same rules compiled at different generations: their format-1
 * blobs are equal except for the header's checksum, generation and flags (docs/blob-format.md). The
 * checksum covers the generation, so it has to be skipped too; every other byte — sections, magic,
 * format, length — must match. Packed blobs are compared by the blob inside them (the generation
 * changes every compressed byte); a packed and a plain blob never match, so a blob stored before
 * blobs were packed is replaced, and a packed blob that does not unpack matches nothing. Inputs
 * too short to hold a header are compared whole.
 */
export function sameRules(a: Uint8Array, b: Uint8Array): boolean {
  const packed = isPackedBlob(a);
  if (packed !== isPackedBlob(b)) return false;
  if (!packed) return sameFormat1(a, b);
  if (a.length === b.length && equalBytes(a, b)) return true;
  try {
    return sameFormat1(unpackBlob(a), unpackBlob(b));
  } catch (error) {
    if (error instanceof BlobFormatError) return false;
    throw error;
  }
}

/**
 * {@linkcode sameRules} for two blobs of one packer (this process's `PartPacker` or `packSegments`),
 * without inflating them: equal rules are packed into equal segments, so past the first segment
 * (the blob's header: generation, flags, checksum) the bytes are equal exactly when the rules are;
 * the two headers, inflated alone, are then compared but for their version fields. Blobs without
 * segments are compared by `sameRules`.
 */
export function samePackedRules(a: PackedBlob, b: PackedBlob): boolean {
  if (a.cuts.length === 0 || b.cuts.length === 0) return sameRules(a.bytes, b.bytes);
  const first = (p: PackedBlob) => p.bytes.subarray(PACKED_HEADER_SIZE, p.cuts[0]);
  const header = (p: PackedBlob) =>
    new Uint8Array(inflateRawSync(first(p), { finishFlush: constants.Z_SYNC_FLUSH }));
  return equalBytes(a.bytes.subarray(a.cuts[0]), b.bytes.subarray(b.cuts[0])) &&
    sameFormat1(header(a), header(b));
}

function sameFormat1(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.length < HEADER_SIZE) return equalBytes(a, b);
  // Compared natively between the version fields: a blob of 10,000 rules is 2 MB.
  let start = 0;
  for (const field of [...VERSION_FIELDS, { start: a.length, end: a.length }]) {
    if (!equalBytes(a.subarray(start, field.start), b.subarray(start, field.start))) return false;
    start = field.end;
  }
  return true;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
