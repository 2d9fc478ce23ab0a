/**
 * The write path's packer: a blob's parts in, the packed blob out — the bytes
 * `packBlob(assembleBlob(head, parts))` gives — without assembling the blob, and compressing only
 * the segments whose parts changed since the last pack.
 *
 * The incremental compiler hands out the same `EncodedPart` object for a virtual host that did not
 * change, so a segment is known by its column and the parts it spans: the same objects, the same
 * bytes. At 100,000 routes a write then compresses a handful of segments of some 64 KiB instead of
 * a 9 MB blob.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { crc32 } from "node:zlib";
import type { RouteTable } from "../ir/types.ts";
import { blobHeader, directoryOf, type EncodedPart } from "./encode_blob.ts";
import { HEADER_SIZE, SECTION, SECTION_COUNT } from "./format.ts";
import { deflateSegment, envelope, type PackedBlob } from "./pack_blob.ts";
import { cutColumn, fingerprint } from "./segment_blob.ts";

/** One segment of a pack: its column (0 the directory, k + 1 section k), its parts, its bytes. */
interface Segment {
  column: number;
  parts: readonly EncodedPart[];
  raw: Uint8Array;
  deflated: Uint8Array;
}

/** What cutting needs of a part: its bytes in each column (the directory's first) and its fingerprint. */
interface PartShape {
  lengths: number[];
  print: number;
}

/** Each part's shape, worked out once (parts never change). */
const shapes = new WeakMap<EncodedPart, PartShape>();

function shapeOf(part: EncodedPart): PartShape {
  let shape = shapes.get(part);
  if (!shape) {
    const sections = part.sections.map((s) => s.length);
    const entry = sections.reduce((n, length) => n + varintLength(length), 0);
    shape = { lengths: [entry, ...sections], print: fingerprint(part.sections[SECTION.TABLES]) };
    shapes.set(part, shape);
  }
  return shape;
}

const varintLength = (n: number): number =>
  n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;

/**
 * Packs blobs from parts, keeping the last pack's segments (their parts, bytes and compressed
 * bytes) to reuse. A cache only: every pack gives `packBlob`'s bytes for the same blob.
 *
 * @example
 * ```ts
 * import { PartPacker } from "./part_packer.ts";
 * import { assembleBlob, encodeParts } from "./encode_blob.ts";
 * import { packBlob } from "./pack_blob.ts";
 * const table = { generation: 2, vhosts: [] };
 * const parts = encodeParts(table);
 * const { bytes } = new PartPacker().pack(table, parts);
 * if (bytes.join() !== packBlob(assembleBlob(table, parts)).join()) throw new Error("not packBlob's bytes");
 * ```
 */
export class PartPacker {
  /** The last pack's segments, by their first part. */
  #segments = new Map<EncodedPart, Segment[]>();

  pack(head: Pick<RouteTable, "generation" | "rollback">, parts: readonly EncodedPart[]): PackedBlob {
    // Each column's lengths and the fingerprints, in flat arrays filled in one pass over the parts.
    const lengths = Array.from({ length: SECTION_COUNT + 1 }, () => new Uint32Array(parts.length));
    const prints = new Uint32Array(parts.length);
    parts.forEach((part, i) => {
      const shape = shapeOf(part);
      prints[i] = shape.print;
      for (let column = 0; column <= SECTION_COUNT; column++) lengths[column][i] = shape.lengths[column];
    });
    const next = new Map<EncodedPart, Segment[]>();
    const segments: Segment[] = [];
    for (let column = 0; column <= SECTION_COUNT; column++) {
      let from = 0;
      for (const to of cutColumn(lengths[column], prints)) {
        const segment = this.#segment(column, parts, from, to);
        segments.push(segment);
        const list = next.get(segment.parts[0]);
        if (list) list.push(segment);
        else next.set(segment.parts[0], [segment]);
        from = to;
      }
    }
    this.#segments = next;
    const dirLength = segments.reduce((n, s) => n + (s.column === 0 ? s.raw.length : 0), 0);
    const length = segments.reduce((n, s) => n + s.raw.length, HEADER_SIZE);
    const header = blobHeader(head, parts.length, dirLength, length);
    let sum = crc32(header.subarray(16));
    for (const s of segments) sum = crc32(s.raw, sum);
    new DataView(header.buffer).setUint32(12, sum >>> 0, true);
    return envelope([deflateSegment(header), ...segments.map((s) => s.deflated)], length);
  }

  /** The segment of `parts[from..to)` in `column`: the last pack's when it had one of the same parts. */
  #segment(column: number, all: readonly EncodedPart[], from: number, to: number): Segment {
    const known = this.#segments.get(all[from])?.find((s) =>
      s.column === column && s.parts.length === to - from && s.parts.every((p, i) => p === all[from + i])
    );
    if (known) return known;
    const parts = all.slice(from, to);
    const raw = column === 0 ? directoryOf(parts) : Buffer.concat(parts.map((p) => p.sections[column - 1]));
    return { column, parts, raw, deflated: deflateSegment(raw) };
  }
}
