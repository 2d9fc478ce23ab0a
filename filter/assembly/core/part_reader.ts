// Reads one part of a format-2 rule blob (docs/blob-format.md) in place: bytes, LEB128 varints and
// string references, every read checked against the part's end. Nothing here traps: a read past
// the end, an overlong varint or a bad reference sets `failed` (with `error`) and returns 0, and
// every count is checked against the bytes left before anything loops over it, so a hostile part
// costs no more work than its own length.
import { MAX_VARINT_BYTES, STRING_REF_FIRST, STRING_REF_NEXT, STRING_REF_NONE } from "./blob_format";

/** A string reference that is absent (STRING_REF_NONE). */
export const NO_STRING: i32 = -1;

export class PartReader {
  at: usize = 0;
  end: usize = 0;
  failed: bool = false;
  error: string = "";
  /** The part's strings: address and length of each, in place in the blob. */
  ptrs: StaticArray<u32> = new StaticArray<u32>(0);
  lens: StaticArray<u32> = new StaticArray<u32>(0);
  count: i32 = 0;
  /** How many strings have been referenced: STRING_REF_NEXT takes the next. */
  used: i32 = 0;
  /** The part's regex programs: address and length of each. */
  programPtrs: StaticArray<u32> = new StaticArray<u32>(0);
  programLens: StaticArray<u32> = new StaticArray<u32>(0);
  programs: i32 = 0;

  /** Starts reading the part at [from, to). */
  start(from: usize, to: usize): void {
    this.at = from;
    this.end = to;
    this.count = 0;
    this.used = 0;
    this.programs = 0;
  }

  fail(msg: string): u32 {
    if (!this.failed) {
      this.failed = true;
      this.error = msg;
    }
    this.at = this.end;
    return 0;
  }

  get left(): usize {
    return this.end - this.at;
  }

  u8(): u32 {
    if (this.at >= this.end) return this.fail("record runs past the part's end");
    return <u32>load<u8>(this.at++);
  }

  varint(): u32 {
    let v: u64 = 0;
    for (let i: u32 = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8();
      if (this.failed) return 0;
      v |= <u64>(b & 0x7f) << <u64>(7 * i);
      if (b < 0x80) return v > 0xffffffff ? this.fail("varint over 32 bits") : <u32>v;
    }
    return this.fail("varint longer than " + MAX_VARINT_BYTES.toString() + " bytes");
  }

  /** A count of things at least one byte each: at most the bytes left. */
  count1(what: string): u32 {
    const n = this.varint();
    if (<usize>n > this.left) return this.fail(what + " count " + n.toString() + " past the part's end");
    return n;
  }

  /** The string and program tables at the start of a part; strings checked as UTF-8. */
  tables(): void {
    const n = <i32>this.count1("string");
    if (this.failed) return;
    if (this.ptrs.length < n) {
      this.ptrs = new StaticArray<u32>(n);
      this.lens = new StaticArray<u32>(n);
    }
    for (let i = 0; i < n; i++) {
      const len = this.varint();
      if (<usize>len > this.left) {
        this.fail("string " + i.toString() + " runs past the part's end");
        return;
      }
      if (!validUtf8(this.at, len)) {
        this.fail("string " + i.toString() + " is not valid UTF-8");
        return;
      }
      unchecked(this.ptrs[i] = <u32>this.at);
      unchecked(this.lens[i] = len);
      this.at += len;
    }
    this.count = n;
    const np = <i32>this.count1("program");
    if (this.failed) return;
    if (this.programPtrs.length < np) {
      this.programPtrs = new StaticArray<u32>(np);
      this.programLens = new StaticArray<u32>(np);
    }
    for (let i = 0; i < np; i++) {
      const len = this.varint();
      if (<usize>len > this.left) {
        this.fail("program " + i.toString() + " runs past the part's end");
        return;
      }
      unchecked(this.programPtrs[i] = <u32>this.at);
      unchecked(this.programLens[i] = len);
      this.at += len;
    }
    this.programs = np;
  }

  /** A string reference: the string's index, or NO_STRING for an absent one. */
  ref(): i32 {
    const r = this.varint();
    if (this.failed || r == STRING_REF_NONE) return NO_STRING;
    if (r == STRING_REF_NEXT) {
      if (this.used >= this.count) {
        this.fail("string reference past the string table");
        return NO_STRING;
      }
      return this.used++;
    }
    const i = r - STRING_REF_FIRST;
    if (i >= <u32>this.used) {
      this.fail("string reference " + r.toString() + " out of range");
      return NO_STRING;
    }
    return <i32>i;
  }

  /** A string reference that must be present. */
  need(what: string): i32 {
    const i = this.ref();
    if (i == NO_STRING && !this.failed) this.fail(what + " missing");
    return this.failed ? 0 : i;
  }

  ptr(i: i32): usize {
    return <usize>unchecked(this.ptrs[i]);
  }
  len(i: i32): u32 {
    return unchecked(this.lens[i]);
  }
  /** String `i` as a string (for the objects of rules that need them); "" for NO_STRING. */
  text(i: i32): string {
    return i == NO_STRING ? "" : String.UTF8.decodeUnsafe(this.ptr(i), <usize>this.len(i));
  }
  /** Whether string `i` is these bytes. */
  equals(i: i32, bytes: ArrayBuffer): bool {
    const n = this.len(i);
    return n == <u32>bytes.byteLength && memory.compare(this.ptr(i), changetype<usize>(bytes), <usize>n) == 0;
  }

  /** A program reference: its index, checked. */
  program(): i32 {
    const p = this.varint();
    if (p >= <u32>this.programs) {
      this.fail("program reference out of range");
      return 0;
    }
    return <i32>p;
  }
}

/** Whether bytes are well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
export function validUtf8(base: usize, len: u32): bool {
  let i: u32 = 0;
  while (i < len) {
    const c = <u32>load<u8>(base + i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: u32, min: u32, cp: u32;
    if ((c & 0xe0) == 0xc0) {
      n = 1; min = 0x80; cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2; min = 0x800; cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3; min = 0x10000; cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= len) return false; // the sequence runs past the end
    for (let k: u32 = 1; k <= n; k++) {
      const cc = <u32>load<u8>(base + i + k);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}
