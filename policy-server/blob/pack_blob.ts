/**
 * Packed blobs: a rule blob compressed with raw DEFLATE in a 16-byte envelope (docs/blob-format.md,
 * "Packed blobs"), so that a large table still fits a WasmPlugin. The stream is made of
 * independently compressed segments (`segment_blob.ts`), so that a write packs again only the
 * segments it changed (`PartPacker`) and a store can keep the others' bytes as they were.
 *
 * @module
 */
import { constants, crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import { BlobFormatError } from "./blob_format_error.ts";
import { segmentBlob } from "./segment_blob.ts";
import {
  MAX_DEFLATE_RATIO,
  MAX_UNPACKED_LENGTH,
  PACK_METHOD_DEFLATE,
  PACKED_HEADER_SIZE,
  PACKED_MAGIC,
  PACKED_VERSION,
} from "./format.ts";

/**
 * Whether `bytes` start with the packed blob's magic (`WRTZ`); says nothing about the rest.
 *
 * @example
 * ```ts
 * import { isPackedBlob, packBlob } from "./pack_blob.ts";
 * import { encodeBlob } from "./encode_blob.ts";
 * const blob = encodeBlob({ generation: 1, vhosts: [] });
 * if (isPackedBlob(blob) || !isPackedBlob(packBlob(blob))) throw new Error("wrong magic");
 * ```
 */
export function isPackedBlob(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && PACKED_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * The DEFLATE level, chosen by measurement (`deno task bench`, section 8): on the benchmarks'
 * 10,000-rule table level 3 takes about a tenth of level 9's time for a stream about 15 % larger,
 * still well inside a WasmPlugin; level 1 is hardly faster and over 40 % larger.
 */
export const PACK_LEVEL = 3;

/** A packed blob, and where in it each segment's compressed bytes begin. */
export interface PackedBlob {
  bytes: Uint8Array;
  /**
   * Ascending offsets into `bytes` at which a segment's compressed bytes begin, the first segment's
   * excepted (it follows the envelope): where a store may cut the bytes so that an unchanged
   * segment stays in an unchanged part.
   */
  cuts: readonly number[];
}

/**
 * One segment as raw DEFLATE that stops on a byte boundary without a final block (zlib's sync flush:
 * an empty stored block ends it), so that segments compressed apart concatenate into one stream.
 */
export const deflateSegment = (raw: Uint8Array): Uint8Array =>
  deflateRawSync(raw, { level: PACK_LEVEL, finishFlush: constants.Z_SYNC_FLUSH });

/** What ends the stream after the last segment: a final block of fixed codes holding only end-of-block. */
const FINAL_BLOCK = new Uint8Array([0x03, 0x00]);

/**
 * Compresses a rule blob into a packed blob: zlib at {@linkcode PACK_LEVEL} with its default
 * settings, segment by segment (`segment_blob.ts`), so the same bytes for the same blob (on the same
 * zlib) and hashes and ETags of equal rules stay equal. `PartPacker` gives the same bytes from a
 * blob's parts, compressing only the segments that changed since its last pack.
 *
 * @example
 * ```ts
 * import { packBlob, unpackBlob } from "./pack_blob.ts";
 * import { encodeBlob } from "./encode_blob.ts";
 * const blob = encodeBlob({ generation: 1, vhosts: [] });
 * if (unpackBlob(packBlob(blob)).length !== blob.length) throw new Error("round trip failed");
 * ```
 */
export function packBlob(blob: Uint8Array): Uint8Array {
  return packSegments(blob).bytes;
}

/** {@linkcode packBlob}, with where its segments begin. */
export function packSegments(blob: Uint8Array): PackedBlob {
  return envelope(segmentBlob(blob).map(deflateSegment), blob.length);
}

/**
 * The packed blob of a blob of `length` bytes whose segments compress to `streams`: the envelope,
 * the streams one after another, and the final block.
 */
export function envelope(streams: readonly Uint8Array[], length: number): PackedBlob {
  if (length === 0 || length > MAX_UNPACKED_LENGTH) {
    throw new RangeError(`Cannot pack a blob of ${length} bytes: 1 to ${MAX_UNPACKED_LENGTH} bytes fit`);
  }
  const out = new Uint8Array(streams.reduce((n, s) => n + s.length, PACKED_HEADER_SIZE + FINAL_BLOCK.length));
  const cuts: number[] = [];
  let at = PACKED_HEADER_SIZE;
  for (const s of streams) {
    if (at > PACKED_HEADER_SIZE) cuts.push(at);
    out.set(s, at);
    at += s.length;
  }
  out.set(FINAL_BLOCK, at);
  const view = new DataView(out.buffer);
  out.set(PACKED_MAGIC);
  out[4] = PACKED_VERSION;
  out[5] = PACK_METHOD_DEFLATE;
  view.setUint32(8, length, true);
  view.setUint32(12, crc32(out.subarray(PACKED_HEADER_SIZE)) >>> 0, true);
  return { bytes: out, cuts };
}

/**
 * The rule blob inside a packed blob, after every check of docs/blob-format.md ("Packed blobs"):
 * header fields, the checksum of the compressed bytes, and a DEFLATE stream that inflates to exactly
 * the declared length and ends where the bytes end. The inner blob itself is not checked here.
 *
 * @throws {BlobFormatError} naming the first rule the bytes break.
 */
export function unpackBlob(bytes: Uint8Array): Uint8Array {
  const fail = (msg: string): never => {
    throw new BlobFormatError(msg);
  };
  if (bytes.length < PACKED_HEADER_SIZE) {
    fail(`Packed blob is ${bytes.length} bytes, shorter than its ${PACKED_HEADER_SIZE}-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isPackedBlob(bytes)) fail("Bad magic: not a packed rule blob");
  if (bytes[4] !== PACKED_VERSION) fail(`Unsupported packed blob version ${bytes[4]}`);
  if (bytes[5] !== PACK_METHOD_DEFLATE) fail(`Unsupported compression method ${bytes[5]}`);
  if (view.getUint16(6, true) !== 0) fail("Reserved header bytes are not zero");
  const length = view.getUint32(8, true);
  const stream = bytes.subarray(PACKED_HEADER_SIZE);
  if (length === 0) fail("Declared blob length is 0");
  if (length > MAX_UNPACKED_LENGTH) {
    fail(`Declared blob length ${length} is over the limit of ${MAX_UNPACKED_LENGTH}`);
  }
  if (length > MAX_DEFLATE_RATIO * stream.length) {
    fail(`Declared blob length ${length} is more than ${stream.length} DEFLATE bytes can hold`);
  }
  if (view.getUint32(12, true) !== (crc32(stream) >>> 0)) {
    fail("Checksum mismatch: the compressed bytes are damaged");
  }
  let inflated: { buffer: Uint8Array; engine: { bytesWritten: number } };
  try {
    // `info` returns the engine too, whose bytesWritten is the input zlib consumed.
    inflated = inflateRawSync(stream, { maxOutputLength: length, info: true }) as unknown as typeof inflated;
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      fail(`DEFLATE stream inflates to more than the declared ${length} bytes`);
    }
    fail(`DEFLATE stream is invalid: ${(error as Error).message}`);
  }
  const { buffer, engine } = inflated!;
  if (engine.bytesWritten !== stream.length) {
    fail(`${stream.length - engine.bytesWritten} bytes follow the DEFLATE stream's final block`);
  }
  if (buffer.length !== length) {
    fail(`DEFLATE stream inflates to ${buffer.length} bytes, not the declared ${length}`);
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
