// Inflater of raw DEFLATE streams (RFC 1951) for packed rule blobs (docs/blob-format.md, "Packed
// blobs"). It refuses exactly what zlib's inflate refuses on a raw stream without a dictionary, and
// also a stream that does not inflate to exactly the declared length or that has bytes after its
// final block, so that the filter and the policy server (node:zlib) always agree on a blob. Every
// read is checked against the input and every write against the output, which is allocated once at
// the declared length: no input makes it trap or touch other memory. On failure inflate returns
// null and sets inflateError.

export let inflateError: string = "";

const MAX_BITS: i32 = 15;
/** Codes up to this long are found with one table lookup; longer ones are walked bit by bit. */
const FAST_BITS: i32 = 10;
const FAST_SIZE: i32 = 1 << FAST_BITS;
/** A decode that needed bits past the end of the input. */
const OUT_OF_INPUT: i32 = -2;
/** Bits that are no code of the set (possible only in an incomplete set). */
const NOT_A_CODE: i32 = -1;

const ENDS_EARLY = "stream ends before its final block does";
const TOO_LONG = "stream inflates to more than the declared length";

/**
 * A canonical Huffman code (RFC 1951 §3.2.2) built from code lengths: how many codes each length
 * has, the symbols in code order, and a lookup table for the short codes.
 */
class Huffman {
  count: StaticArray<u16> = new StaticArray<u16>(MAX_BITS + 1);
  symbols: StaticArray<u16> = new StaticArray<u16>(288);
  /** Indexed by the next FAST_BITS input bits: symbol << 4 | code length, or 0 when the code is longer. */
  fast: StaticArray<u16> = new StaticArray<u16>(FAST_SIZE);
  /** Where each length's symbols start in `symbols` (scratch for build). */
  start: StaticArray<u16> = new StaticArray<u16>(MAX_BITS + 2);
  /** The longest code length in the set; 0 for a set without codes. */
  maxLength: i32 = 0;

  /**
   * Builds the code of lengths[from, from + n) (each at most 15). Returns the code space the set
   * leaves unused, in 15-bit codes: 0 for a complete set, more for an incomplete one, -1 for an
   * over-subscribed one (which is not built).
   */
  build(lengths: StaticArray<u8>, from: i32, n: i32): i32 {
    const count = this.count, start = this.start, symbols = this.symbols, fast = this.fast;
    for (let len = 0; len <= MAX_BITS; len++) unchecked(count[len] = 0);
    for (let i = 0; i < n; i++) count[lengths[from + i]]++;
    unchecked(count[0] = 0);
    let left: i32 = 1;
    this.maxLength = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      const c = <i32>unchecked(count[len]);
      left = (left << 1) - c;
      if (left < 0) return -1;
      if (c != 0) this.maxLength = len;
    }
    // Symbols sorted by code length, then by value: the order canonical codes are handed out in.
    unchecked(start[1] = 0);
    for (let len = 1; len <= MAX_BITS; len++) unchecked(start[len + 1] = start[len] + count[len]);
    for (let i = 0; i < n; i++) {
      const len = <i32>lengths[from + i];
      if (len != 0) symbols[start[len]++] = <u16>i;
    }
    // Each short code's entry, at every index whose low bits are the code (first bit lowest).
    for (let i = 0; i < FAST_SIZE; i++) unchecked(fast[i] = 0);
    let code: u32 = 0, k: i32 = 0;
    for (let len = 1; len <= FAST_BITS; len++) {
      for (let j = 0; j < <i32>unchecked(count[len]); j++) {
        const entry = <u16>((<u32>symbols[k++] << 4) | <u32>len);
        let reversed: u32 = 0;
        for (let b = 0; b < len; b++) reversed |= ((code >>> b) & 1) << (len - 1 - b);
        for (let x = <i32>reversed; x < FAST_SIZE; x += 1 << len) unchecked(fast[x] = entry);
        code++;
      }
      code <<= 1;
    }
    return left;
  }
}

/** Length symbols 257..285 and distance symbols 0..29: each one's smallest value and extra bits. */
const LENGTH_BASE = new StaticArray<u16>(29), LENGTH_EXTRA = new StaticArray<u8>(29);
const DIST_BASE = new StaticArray<u16>(30), DIST_EXTRA = new StaticArray<u8>(30);
/** The order code length code lengths are written in. */
const CL_ORDER: StaticArray<u8> = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

const fixedLit = new Huffman(), fixedDist = new Huffman();
const lit = new Huffman(), dist = new Huffman(), lengthCode = new Huffman();
/** Code lengths of the literal/length and distance codes of a block (at most 286 + 30). */
const lengths = new StaticArray<u8>(316);
const clLengths = new StaticArray<u8>(19);
let tablesReady = false;

function prepareTables(): void {
  // From RFC 1951 §3.2.5: extra bits grow by one every four codes; each base follows the last range.
  let base: u32 = 3;
  for (let i = 0; i < 28; i++) {
    const extra: u32 = i < 8 ? 0 : <u32>(i - 4) >> 2;
    LENGTH_BASE[i] = <u16>base;
    LENGTH_EXTRA[i] = <u8>extra;
    base += 1 << extra;
  }
  LENGTH_BASE[28] = 258; // symbol 285, without extra bits
  LENGTH_EXTRA[28] = 0;
  base = 1;
  for (let i = 0; i < 30; i++) {
    const extra: u32 = i < 4 ? 0 : <u32>(i - 2) >> 1;
    DIST_BASE[i] = <u16>base;
    DIST_EXTRA[i] = <u8>extra;
    base += 1 << extra;
  }
  // The fixed codes of §3.2.6, over all 288 literal/length and 32 distance symbols: the symbols
  // 286, 287, 30 and 31 have codes but no meaning, and are refused when they appear.
  const fixed = new StaticArray<u8>(288);
  for (let i = 0; i < 288; i++) fixed[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  fixedLit.build(fixed, 0, 288);
  for (let i = 0; i < 32; i++) fixed[i] = 5;
  fixedDist.build(fixed, 0, 32);
  tablesReady = true;
}

class Inflater {
  src: usize;
  pos: u32;
  end: u32;
  /**
   * Input bits not yet used, the next one lowest. Bits above `bitCount` are the input's next bits or
   * zero (past its end): the fast lookup may look at them, a decode never uses them.
   */
  bitBuf: u64 = 0;
  bitCount: u32 = 0;
  dst: usize;
  outPos: u32 = 0;
  outLen: u32;

  /** Holding both buffers keeps them alive while raw pointers into them are in use. */
  constructor(public input: ArrayBuffer, from: u32, end: u32, public output: ArrayBuffer) {
    this.src = changetype<usize>(input);
    this.pos = from;
    this.end = end;
    this.dst = changetype<usize>(output);
    this.outLen = <u32>output.byteLength;
  }

  refill(): void {
    if (this.bitCount <= 56 && this.end - this.pos >= 8) {
      // Eight bytes at once. The bits loaded past the whole bytes counted are the input's next bits
      // in their right places, so loading them again later changes nothing.
      this.bitBuf |= load<u64>(this.src + this.pos) << <u64>this.bitCount;
      const bytes = (63 - this.bitCount) >> 3;
      this.pos += bytes;
      this.bitCount += bytes << 3;
      return;
    }
    while (this.bitCount <= 56 && this.pos < this.end) {
      this.bitBuf |= <u64>load<u8>(this.src + this.pos) << this.bitCount;
      this.pos++;
      this.bitCount += 8;
    }
  }

  /** The next n (at most 16) bits as a number, or -1 when the input ends first. */
  bits(n: u32): i32 {
    if (this.bitCount < n) {
      this.refill();
      if (this.bitCount < n) return -1;
    }
    const v = <i32>(this.bitBuf & ((<u64>1 << n) - 1));
    this.bitBuf >>= n;
    this.bitCount -= n;
    return v;
  }

  /** The next symbol of code h, OUT_OF_INPUT, or NOT_A_CODE. */
  decode(h: Huffman): i32 {
    if (this.bitCount < <u32>MAX_BITS) this.refill();
    const entry = <u32>unchecked(h.fast[<i32>(this.bitBuf & <u64>(FAST_SIZE - 1))]);
    if (entry != 0) {
      const len = entry & 15;
      if (len > this.bitCount) return OUT_OF_INPUT;
      this.bitBuf >>= len;
      this.bitCount -= len;
      return <i32>(entry >>> 4);
    }
    // A long code (or none): codes of each length are consecutive numbers, first bit highest.
    const count = h.count;
    let code: i32 = 0, first: i32 = 0, index: i32 = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      if (<u32>len > this.bitCount) return OUT_OF_INPUT;
      code |= <i32>((this.bitBuf >> <u64>(len - 1)) & 1);
      const c = <i32>unchecked(count[len]);
      if (code - first < c) {
        this.bitBuf >>= <u64>len;
        this.bitCount -= <u32>len;
        return <i32>unchecked(h.symbols[index + code - first]);
      }
      index += c;
      first = (first + c) << 1;
      code <<= 1;
    }
    return NOT_A_CODE;
  }

  /** Inflates the whole stream; "" when it is good, else why not. */
  run(): string {
    let last = 0;
    do {
      const header = this.bits(3);
      if (header < 0) return ENDS_EARLY;
      last = header & 1;
      const type = header >> 1;
      let problem: string;
      if (type == 0) problem = this.stored();
      else if (type == 1) problem = this.codes(fixedLit, fixedDist);
      else if (type == 2) problem = this.dynamic();
      else return "invalid block type";
      if (problem.length > 0) return problem;
    } while (last == 0);
    // Whole bytes still buffered were never used: they follow the final block.
    if (this.pos - (this.bitCount >> 3) != this.end) return "bytes follow the final block";
    if (this.outPos != this.outLen) return "stream inflates to fewer bytes than declared";
    return "";
  }

  stored(): string {
    const pad = this.bitCount & 7;
    this.bitBuf >>= pad;
    this.bitCount -= pad;
    const len = this.bits(16), nlen = this.bits(16);
    if (nlen < 0) return ENDS_EARLY;
    if (len != (~nlen & 0xffff)) return "stored block length does not match its complement";
    // Byte-aligned now: give buffered bytes back to the input and copy straight from it.
    this.pos -= this.bitCount >> 3;
    this.bitBuf = 0;
    this.bitCount = 0;
    const n = <u32>len;
    if (n > this.end - this.pos) return ENDS_EARLY;
    if (n > this.outLen - this.outPos) return TOO_LONG;
    memory.copy(this.dst + this.outPos, this.src + this.pos, n);
    this.pos += n;
    this.outPos += n;
    return "";
  }

  dynamic(): string {
    const nlit = this.bits(5), ndist = this.bits(5), ncl = this.bits(4);
    if (ncl < 0) return ENDS_EARLY;
    const nLit = nlit + 257, nDist = ndist + 1;
    if (nLit > 286 || nDist > 30) return "too many literal/length or distance codes";
    for (let i = 0; i < 19; i++) unchecked(clLengths[i] = 0);
    for (let i = 0; i < ncl + 4; i++) {
      const l = this.bits(3);
      if (l < 0) return ENDS_EARLY;
      clLengths[CL_ORDER[i]] = <u8>l;
    }
    // zlib accepts no gaps in the code length code, not even a lone 1-bit code.
    if (lengthCode.build(clLengths, 0, 19) != 0) return "invalid code length code";
    const n = nLit + nDist;
    let i = 0;
    while (i < n) {
      const sym = this.decode(lengthCode);
      if (sym < 0) return ENDS_EARLY; // a complete code leaves no bits that are not a code
      if (sym < 16) {
        lengths[i++] = <u8>sym;
        continue;
      }
      // 16 repeats the previous length 3..6 times, 17 writes 3..10 zeros, 18 writes 11..138.
      let value: u8 = 0, extra: i32, repeat: i32;
      if (sym == 16) {
        if (i == 0) return "code length repeat with no previous length";
        value = lengths[i - 1];
        extra = this.bits(2);
        repeat = extra + 3;
      } else if (sym == 17) {
        extra = this.bits(3);
        repeat = extra + 3;
      } else {
        extra = this.bits(7);
        repeat = extra + 11;
      }
      if (extra < 0) return ENDS_EARLY;
      if (repeat > n - i) return "code length repeat past the last length";
      for (let k = 0; k < repeat; k++) lengths[i++] = value;
    }
    if (lengths[256] == 0) return "no code for end-of-block";
    // Incomplete sets are refused, as zlib does, unless they are a single 1-bit code (or, for
    // distances, no code at all): using the missing code is refused when it is met.
    const litLeft = lit.build(lengths, 0, nLit);
    if (litLeft < 0 || (litLeft > 0 && lit.maxLength > 1)) return "invalid literal/length code lengths";
    const distLeft = dist.build(lengths, nLit, nDist);
    if (distLeft < 0 || (distLeft > 0 && dist.maxLength > 1)) return "invalid distance code lengths";
    return this.codes(lit, dist);
  }

  /** The symbols of one block up to its end-of-block code. */
  codes(litCode: Huffman, distCode: Huffman): string {
    const dst = this.dst, outLen = this.outLen;
    while (true) {
      const sym = this.decode(litCode);
      if (sym < 256) {
        if (sym == OUT_OF_INPUT) return ENDS_EARLY;
        if (sym < 0) return "invalid literal/length code";
        if (this.outPos >= outLen) return TOO_LONG;
        store<u8>(dst + this.outPos, <u8>sym);
        this.outPos++;
        continue;
      }
      if (sym == 256) return "";
      const li = sym - 257;
      if (li >= 29) return "invalid literal/length code"; // 286 and 287, in fixed codes
      let length = <u32>unchecked(LENGTH_BASE[li]);
      const lx = <u32>unchecked(LENGTH_EXTRA[li]);
      if (lx > 0) {
        const x = this.bits(lx);
        if (x < 0) return ENDS_EARLY;
        length += <u32>x;
      }
      const ds = this.decode(distCode);
      if (ds == OUT_OF_INPUT) return ENDS_EARLY;
      if (ds < 0 || ds >= 30) return "invalid distance code"; // 30 and 31, in fixed codes
      let distance = <u32>unchecked(DIST_BASE[ds]);
      const dx = <u32>unchecked(DIST_EXTRA[ds]);
      if (dx > 0) {
        const x = this.bits(dx);
        if (x < 0) return ENDS_EARLY;
        distance += <u32>x;
      }
      const at = this.outPos;
      if (distance > at) return "distance too far back";
      if (length > outLen - at) return TOO_LONG;
      if (distance >= length) {
        memory.copy(dst + at, dst + at - distance, length);
      } else {
        // Overlapping: each byte may be one this copy has just written.
        for (let k: u32 = 0; k < length; k++) store<u8>(dst + at + k, load<u8>(dst + at + k - distance));
      }
      this.outPos = at + length;
    }
    return "";
  }
}

/**
 * Inflates the raw DEFLATE stream in input[from, end) into exactly outLen bytes (at least 1). Returns
 * them, or null with inflateError saying why the stream is refused.
 */
export function inflate(input: ArrayBuffer, from: u32, outLen: u32, end: u32 = U32.MAX_VALUE): ArrayBuffer | null {
  if (!tablesReady) prepareTables();
  if (end > <u32>input.byteLength) end = <u32>input.byteLength;
  if (from > end) {
    inflateError = "stream starts past the input";
    return null;
  }
  const inflater = new Inflater(input, from, end, new ArrayBuffer(<i32>outLen));
  const problem = inflater.run();
  if (problem.length > 0) {
    inflateError = problem;
    return null;
  }
  inflateError = "";
  return inflater.output;
}
