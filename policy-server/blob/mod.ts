/**
 * The rule blob: encoder, decoder/inspector, the packed (DEFLATE) envelope it is delivered in, and
 * the format's constants (docs/blob-format.md).
 *
 * @module
 */
export { encodeBlob } from "./encode_blob.ts";
export { BlobFormatError, decodeBlob } from "./decode_blob.ts";
export { isPackedBlob, packBlob, type PackedBlob, packSegments, unpackBlob } from "./pack_blob.ts";
export { PartPacker } from "./part_packer.ts";
export { formatHex, parseHex } from "./hexdump.ts";
export * from "./format.ts";
