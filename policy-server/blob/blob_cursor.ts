/**
 * Reading a blob's bytes in order, every read bounds-checked: what the checked decoder
 * (`decode_blob.ts`) and the part directory's reader (`part_directory.ts`) read with.
 *
 * @module
 */
import { BlobFormatError } from "./blob_format_error.ts";
import { MAX_VARINT_BYTES } from "./format.ts";

/** Where a decoder read what: `[from, to)` of the blob, and what it was (for the annotated hex dump). */
export type Note = (from: number, to: number, what: string) => void;

/** Refuses the blob: a {@linkcode BlobFormatError} naming the rule it breaks. */
export const fail = (msg: string): never => {
  throw new BlobFormatError(msg);
};

/** Bytes of one section read in order, every read bounds-checked. */
export class Cursor {
  at = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly offset: number,
    readonly what: string,
    readonly note?: Note,
  ) {}
  fail(msg: string): never {
    return fail(`${this.what}: ${msg}`);
  }
  /** Marks `[from, this.at)` as `what` for the hex dump. */
  mark(from: number, what: string): void {
    this.note?.(this.offset + from, this.offset + this.at, what);
  }
  u8(what?: string): number {
    if (this.at >= this.bytes.length) this.fail("record runs past its section's end");
    const v = this.bytes[this.at++];
    if (what) this.mark(this.at - 1, what);
    return v;
  }
  varint(): number {
    let v = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8();
      v += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        if (v > 0xffffffff) this.fail("varint over 32 bits");
        return v;
      }
    }
    return this.fail(`varint longer than ${MAX_VARINT_BYTES} bytes`);
  }
}
