/**
 * The SHA-256 digests that name a blob's stored pieces, remembering the last blob's: a write at
 * 100,000 routes changes a few of some 60 pieces, and hashing all 2.5 MB again cost more than the
 * store's whole commit. A piece is known again by its length and CRC-32 (native, several times
 * faster than SHA-256), then by its bytes; only a piece not seen in the last blob is hashed.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { crc32 } from "node:zlib";
import { sha256Hex } from "../compile/mod.ts";

interface Known {
  bytes: Uint8Array;
  sha256: string;
}

/** A piece's key among the last blob's: its length and CRC-32. */
const pieceKey = (bytes: Uint8Array): string => `${bytes.length}:${crc32(bytes)}`;

/**
 * Digests of pieces, each worked out anew unless the last call saw the same bytes.
 *
 * @example
 * ```ts
 * import { PieceDigests } from "./piece_digests.ts";
 * const digests = new PieceDigests();
 * const [a] = await digests.of([new Uint8Array([1, 2, 3])]);
 * const [again] = await digests.of([new Uint8Array([1, 2, 3])]);
 * if (a !== again) throw new Error("the same bytes have one digest");
 * ```
 */
export class PieceDigests {
  #last = new Map<string, Known>();

  /** `key` files pieces for finding again (tests give one that files them all together). */
  constructor(readonly key: (bytes: Uint8Array) => string = pieceKey) {}

  /** Each piece's SHA-256 (hex); remembers these pieces in place of the last call's. */
  async of(pieces: readonly Uint8Array[]): Promise<string[]> {
    const next = new Map<string, Known>();
    const digests = await Promise.all(pieces.map(async (bytes) => {
      const key = this.key(bytes);
      const known = this.#last.get(key);
      const sha256 = known && equal(known.bytes, bytes) ? known.sha256 : await sha256Hex(bytes);
      next.set(key, { bytes, sha256 });
      return sha256;
    }));
    this.#last = next;
    return digests;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
