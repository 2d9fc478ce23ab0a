/**
 * Hand-made raw DEFLATE streams (RFC 1951) for tests of the two inflaters behind packed blobs: a bit
 * writer, blocks of the three types with any code lengths (including broken ones), and named cases
 * for what zlib accepts and refuses. zlib never writes most of these, so they are built bit by bit.
 *
 * @module
 */
import { crc32 } from "node:zlib";

/** Writes a DEFLATE bit stream: fields least significant bit first, Huffman codes most significant first. */
export class BitWriter {
  #bytes: number[] = [];
  #acc = 0;
  #n = 0;

  /** `n` bits of `value`, low bit first (header fields, extra bits). */
  bits(value: number, n: number): this {
    for (let i = 0; i < n; i++) {
      this.#acc |= ((value >>> i) & 1) << this.#n;
      if (++this.#n === 8) this.#flush();
    }
    return this;
  }

  /** A Huffman code of `len` bits, its first bit the code's most significant one. */
  code(code: number, len: number): this {
    for (let i = len - 1; i >= 0; i--) this.bits((code >>> i) & 1, 1);
    return this;
  }

  /** Pads with zero bits to the next byte boundary. */
  align(): this {
    if (this.#n > 0) this.#flush();
    return this;
  }

  /** Whole bytes, after aligning. */
  bytes(data: ArrayLike<number>): this {
    this.align();
    for (let i = 0; i < data.length; i++) this.#bytes.push(data[i] & 0xff);
    return this;
  }

  finish(): Uint8Array {
    this.align();
    return Uint8Array.from(this.#bytes);
  }

  #flush() {
    this.#bytes.push(this.#acc);
    this.#acc = 0;
    this.#n = 0;
  }
}

/**
 * Canonical Huffman codes for code lengths (RFC 1951 §3.2.2); `undefined` for length 0. Over-subscribed
 * lengths still get codes (some collide): enough to write a stream a decoder must refuse.
 */
export function canonicalCodes(lengths: number[]): (number | undefined)[] {
  const count = new Array(16).fill(0);
  for (const l of lengths) if (l) count[l]++;
  count[0] = 0;
  const next = new Array(16).fill(0);
  for (let len = 2; len < 16; len++) next[len] = (next[len - 1] + count[len - 1]) << 1;
  return lengths.map((l) => (l ? next[l]++ : undefined));
}

/** The length codes: symbol 257 + i covers lengths from LENGTH_BASE[i], with LENGTH_EXTRA[i] extra bits. */
export const LENGTH_BASE = [
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  13,
  15,
  17,
  19,
  23,
  27,
  31,
  35,
  43,
  51,
  59,
  67,
  83,
  99,
  115,
  131,
  163,
  195,
  227,
  258,
];
export const LENGTH_EXTRA = [
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0,
];
export const DIST_BASE = [
  1,
  2,
  3,
  4,
  5,
  7,
  9,
  13,
  17,
  25,
  33,
  49,
  65,
  97,
  129,
  193,
  257,
  385,
  513,
  769,
  1025,
  1537,
  2049,
  3073,
  4097,
  6145,
  8193,
  12289,
  16385,
  24577,
];
export const DIST_EXTRA = [
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
];

/**
 * What a block says: a literal byte, a back-reference, or its parts written one by one (to write
 * what zlib refuses): a literal/length symbol, a distance symbol, extra bits, or bits of a code that
 * the block's codes do not have.
 */
export type Token =
  | number
  | { len: number; dist: number }
  | { symbol: number }
  | { distSymbol: number }
  | { extra: number; bits: number }
  | { code: number; bits: number };

const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

function lastIndex<T>(list: T[], has: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (has(list[i])) return i;
  return -1;
}

function writeTokens(
  w: BitWriter,
  tokens: Token[],
  lit: (number | undefined)[],
  litLens: number[],
  dist: (number | undefined)[],
  distLens: number[],
  end: boolean,
) {
  const sym = (s: number) => w.code(lit[s] ?? 0, litLens[s] || 1);
  const dsym = (s: number) => w.code(dist[s] ?? 0, distLens[s] || 1);
  for (const t of tokens) {
    if (typeof t === "number") sym(t);
    else if ("symbol" in t) sym(t.symbol);
    else if ("distSymbol" in t) dsym(t.distSymbol);
    else if ("extra" in t) w.bits(t.extra, t.bits);
    else if ("code" in t) w.code(t.code, t.bits);
    else {
      const li = lastIndex(LENGTH_BASE, (b) => b <= t.len);
      sym(257 + li);
      w.bits(t.len - LENGTH_BASE[li], LENGTH_EXTRA[li]);
      const di = lastIndex(DIST_BASE, (b) => b <= t.dist);
      dsym(di);
      w.bits(t.dist - DIST_BASE[di], DIST_EXTRA[di]);
    }
  }
  if (end) sym(256);
}

/** A stored block of `data`; `nlen` overrides the one's complement of the length. */
export function storedBlock(
  w: BitWriter,
  data: ArrayLike<number>,
  options: { final?: boolean; nlen?: number } = {},
) {
  w.bits(options.final ? 1 : 0, 1).bits(0, 2).align();
  w.bytes([data.length & 0xff, data.length >> 8]);
  const nlen = options.nlen ?? (~data.length & 0xffff);
  w.bytes([nlen & 0xff, nlen >> 8]).bytes(data);
}

/** The fixed code lengths of RFC 1951 §3.2.6: literal/length symbols 0..287, then distances 0..31. */
export const FIXED_LIT_LENGTHS = Array.from(
  { length: 288 },
  (_, s) => s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8,
);
export const FIXED_DIST_LENGTHS = new Array(32).fill(5);

/** A block with the fixed codes; `end: false` leaves out its end-of-block code. */
export function fixedBlock(w: BitWriter, tokens: Token[], options: { final?: boolean; end?: boolean } = {}) {
  w.bits(options.final ? 1 : 0, 1).bits(1, 2);
  const lit = canonicalCodes(FIXED_LIT_LENGTHS), dist = canonicalCodes(FIXED_DIST_LENGTHS);
  writeTokens(w, tokens, lit, FIXED_LIT_LENGTHS, dist, FIXED_DIST_LENGTHS, options.end ?? true);
}

export interface DynamicOptions {
  final?: boolean;
  /** Code lengths of the literal/length alphabet (257..288 entries). */
  litLens: number[];
  /** Code lengths of the distance alphabet (1..32 entries). */
  distLens: number[];
  /** Code lengths of the code length alphabet, by symbol 0..18; default a complete code over all 19. */
  clLens?: number[];
  /** The code length symbols as written, `[symbol, extra bits value]`; default one literal length each. */
  clSymbols?: [number, number?][];
  /** Write this HCLEN field instead of the one that covers clLens. */
  hclen?: number;
  end?: boolean;
}

/** A block with dynamic codes, written exactly as told (so broken headers can be made). */
export function dynamicBlock(w: BitWriter, tokens: Token[], o: DynamicOptions) {
  // 13 lengths of 4 bits and 6 of 5 bits: a complete code over the 19 code length symbols.
  const clLens = o.clLens ?? Array.from({ length: 19 }, (_, s) => (ORDER.indexOf(s) < 13 ? 4 : 5));
  const hclen = o.hclen ?? Math.max(4, lastIndex(ORDER, (s) => clLens[s] > 0) + 1);
  w.bits(o.final ? 1 : 0, 1).bits(2, 2);
  w.bits(o.litLens.length - 257, 5).bits(o.distLens.length - 1, 5).bits(hclen - 4, 4);
  for (let i = 0; i < hclen; i++) w.bits(clLens[ORDER[i]] ?? 0, 3);
  const cl = canonicalCodes(clLens);
  const clSymbols = o.clSymbols ?? [...o.litLens, ...o.distLens].map((l) => [l] as [number]);
  for (const [s, extra] of clSymbols) {
    w.code(cl[s] ?? 0, clLens[s] || 1);
    if (s === 16) w.bits(extra ?? 0, 2);
    if (s === 17) w.bits(extra ?? 0, 3);
    if (s === 18) w.bits(extra ?? 0, 7);
  }
  writeTokens(
    w,
    tokens,
    canonicalCodes(o.litLens),
    o.litLens,
    canonicalCodes(o.distLens),
    o.distLens,
    o.end ?? true,
  );
}

/** Literal/length code lengths: every symbol in `used` at `len` bits (the rest absent). */
export function lengthsFor(n: number, used: Record<number, number>): number[] {
  return Array.from({ length: n }, (_, s) => used[s] ?? 0);
}

/** One stream: its bytes, what it inflates to per zlib (or `undefined` when zlib refuses it), and why. */
export interface StreamCase {
  name: string;
  stream: Uint8Array;
  /** The bytes it inflates to; `undefined` for a stream that must be refused. */
  output?: Uint8Array;
}

const text = (s: string) => new TextEncoder().encode(s);

function build(write: (w: BitWriter) => void): Uint8Array {
  const w = new BitWriter();
  write(w);
  return w.finish();
}

/** A complete literal/length code: `a`, `b` and end-of-block at 2 bits, the length code for 3 at 2 bits. */
const SMALL_LIT = lengthsFor(258, { 0x61: 2, 0x62: 2, 256: 2, 257: 2 });
/** `a` to `d` at 3 bits, end-of-block and the length code for 3 at 2 bits. */
const FOUR_LIT = lengthsFor(258, { 0x61: 3, 0x62: 3, 0x63: 3, 0x64: 3, 256: 2, 257: 2 });
/** FOUR_LIT written with every repeat code: 10 + 87 zeros, 3, three more 3s, 138 + 10 + 7 zeros, 2, 2. */
const FOUR_LIT_REPEATS: [number, number?][] = [[17, 7], [18, 76], [3], [16, 0], [18, 127], [17, 7], [17, 4], [
  2,
], [2]];

/**
 * Streams for each rule of RFC 1951 and each refusal of zlib's inflate that a packed blob can meet,
 * with what zlib does with them (checked against node:zlib by pack_blob_test.ts).
 */
export function streamCases(): StreamCase[] {
  const ab = text("ab");
  return [
    {
      name: "stored block",
      stream: build((w) => storedBlock(w, text("hello"), { final: true })),
      output: text("hello"),
    },
    {
      name: "empty stored block, then a final one",
      stream: build((w) => (storedBlock(w, []), storedBlock(w, text("x"), { final: true }))),
      output: text("x"),
    },
    {
      name: "stored block after bits of a fixed block (aligns to the byte)",
      stream: build((w) => (fixedBlock(w, [0x41]), storedBlock(w, text("B"), { final: true }))),
      output: text("AB"),
    },
    {
      name: "stored block whose NLEN is not LEN's complement",
      stream: build((w) => storedBlock(w, text("hi"), { final: true, nlen: 0 })),
    },
    {
      name: "stored block longer than the input",
      stream: build((w) => storedBlock(w, text("hi"), { final: true })).slice(0, 6),
    },
    { name: "block type 3", stream: build((w) => w.bits(1, 1).bits(3, 2)) },
    { name: "no bytes at all", stream: new Uint8Array() },
    { name: "non-final block only (final block missing)", stream: build((w) => fixedBlock(w, [0x41])) },
    {
      name: "fixed codes: literals",
      stream: build((w) => fixedBlock(w, [...text("abc")], { final: true })),
      output: text("abc"),
    },
    {
      name: "fixed codes: overlapping back-reference",
      stream: build((w) =>
        fixedBlock(w, [0x61, 0x62, { len: 258, dist: 2 }, { len: 10, dist: 1 }], { final: true })
      ),
      output: Uint8Array.from({ length: 270 }, (_, i) => (i < 260 ? (i % 2 ? 0x62 : 0x61) : 0x62)),
    },
    {
      name: "fixed codes: length 258 written as symbol 284 with 31 extra",
      stream: build((w) =>
        fixedBlock(w, [0x61, { symbol: 284 }, { extra: 31, bits: 5 }, { distSymbol: 0 }], { final: true })
      ),
      output: new Uint8Array(259).fill(0x61),
    },
    {
      name: "fixed codes: distance one past the output",
      stream: build((w) => fixedBlock(w, [0x61, 0x62, { len: 3, dist: 3 }], { final: true })),
    },
    {
      name: "fixed codes: distance at the start",
      stream: build((w) => fixedBlock(w, [{ len: 3, dist: 1 }], { final: true })),
    },
    {
      name: "fixed codes: literal/length symbol 286",
      stream: build((w) => fixedBlock(w, [0x61, { symbol: 286 }], { final: true })),
    },
    {
      name: "fixed codes: literal/length symbol 287",
      stream: build((w) => fixedBlock(w, [0x61, { symbol: 287 }], { final: true })),
    },
    {
      name: "fixed codes: distance symbol 30",
      stream: build((w) => fixedBlock(w, [0x61, { symbol: 257 }, { distSymbol: 30 }], { final: true })),
    },
    {
      name: "fixed codes: end-of-block missing",
      stream: build((w) => fixedBlock(w, [0x61], { final: true, end: false })),
    },
    {
      name: "dynamic codes",
      stream: build((w) =>
        dynamicBlock(w, [0x61, 0x62, { len: 3, dist: 2 }], {
          final: true,
          litLens: SMALL_LIT,
          distLens: [0, 1],
        })
      ),
      output: text("ababa"),
    },
    {
      name: "dynamic codes: one distance code of one bit (incomplete, allowed)",
      stream: build((w) =>
        dynamicBlock(w, [0x61, 0x62, { len: 3, dist: 1 }], { final: true, litLens: SMALL_LIT, distLens: [1] })
      ),
      output: text("abbbb"),
    },
    {
      name: "dynamic codes: the missing code of a one-code distance set",
      stream: build((w) =>
        dynamicBlock(w, [0x61, { symbol: 257 }, { code: 1, bits: 1 }], {
          final: true,
          litLens: SMALL_LIT,
          distLens: [1, 0],
        })
      ),
    },
    {
      name: "dynamic codes: no distance codes, literals only (allowed)",
      stream: build((w) => dynamicBlock(w, [0x61, 0x62], { final: true, litLens: SMALL_LIT, distLens: [0] })),
      output: ab,
    },
    {
      name: "dynamic codes: no distance codes, but a length",
      stream: build((w) =>
        dynamicBlock(w, [0x61, { symbol: 257 }, { code: 0, bits: 1 }], {
          final: true,
          litLens: SMALL_LIT,
          distLens: [0],
        })
      ),
    },
    {
      name: "dynamic codes: end-of-block alone at one bit (incomplete, allowed)",
      stream: build((w) =>
        dynamicBlock(w, [], { final: true, litLens: lengthsFor(257, { 256: 1 }), distLens: [0] })
      ),
      output: new Uint8Array(),
    },
    {
      name: "dynamic codes: over-subscribed literal/length set",
      stream: build((w) =>
        dynamicBlock(w, [0x61], {
          final: true,
          litLens: lengthsFor(258, { 0x61: 1, 0x62: 1, 256: 1 }),
          distLens: [1],
        })
      ),
    },
    {
      name: "dynamic codes: incomplete literal/length set",
      stream: build((w) =>
        dynamicBlock(w, [0x61], { final: true, litLens: lengthsFor(257, { 0x61: 1, 256: 2 }), distLens: [1] })
      ),
    },
    {
      name: "dynamic codes: over-subscribed distance set",
      stream: build((w) => dynamicBlock(w, [0x61], { final: true, litLens: SMALL_LIT, distLens: [1, 1, 1] })),
    },
    {
      name: "dynamic codes: incomplete distance set of two lengths",
      stream: build((w) => dynamicBlock(w, [0x61], { final: true, litLens: SMALL_LIT, distLens: [1, 2] })),
    },
    {
      name: "dynamic codes: incomplete code length set",
      stream: build((w) =>
        dynamicBlock(w, [0x61], {
          final: true,
          litLens: SMALL_LIT,
          distLens: [1],
          clLens: lengthsFor(19, { 0: 2, 1: 2, 2: 2 }),
        })
      ),
    },
    {
      name: "dynamic codes: over-subscribed code length set",
      stream: build((w) =>
        dynamicBlock(w, [0x61], {
          final: true,
          litLens: SMALL_LIT,
          distLens: [1],
          clLens: new Array(19).fill(1),
        })
      ),
    },
    {
      name: "dynamic codes: no code length codes at all",
      stream: build((w) =>
        dynamicBlock(w, [0x61], {
          final: true,
          litLens: SMALL_LIT,
          distLens: [1],
          clLens: new Array(19).fill(0),
        })
      ),
    },
    {
      name: "dynamic codes: repeat (16) with no previous length",
      stream: build((w) =>
        dynamicBlock(w, [0x61], {
          final: true,
          litLens: SMALL_LIT,
          distLens: [1],
          clSymbols: [[16, 0], ...[...SMALL_LIT, 1].slice(3).map((l) => [l] as [number])],
        })
      ),
    },
    {
      name: "dynamic codes: repeats (16, 17, 18) writing the lengths",
      stream: build((w) =>
        dynamicBlock(w, [0x61, 0x64, { len: 3, dist: 1 }], {
          final: true,
          litLens: FOUR_LIT,
          distLens: [1],
          clSymbols: [...FOUR_LIT_REPEATS, [1]],
        })
      ),
      output: text("adddd"),
    },
    {
      name: "dynamic codes: a repeat running past the last length",
      stream: build((w) =>
        dynamicBlock(w, [0x61], {
          final: true,
          litLens: FOUR_LIT,
          distLens: [1],
          clSymbols: [...FOUR_LIT_REPEATS, [16, 3]],
        })
      ),
    },
    {
      name: "dynamic codes: end-of-block without a code",
      stream: build((w) =>
        dynamicBlock(w, [0x61], {
          final: true,
          litLens: lengthsFor(257, { 0x61: 1, 0x62: 1 }),
          distLens: [1],
        })
      ),
    },
    {
      name: "dynamic codes: 287 literal/length codes",
      stream: build((w) =>
        dynamicBlock(w, [0x61], {
          final: true,
          litLens: [...SMALL_LIT, ...new Array(29).fill(0)],
          distLens: [1],
        })
      ),
    },
    {
      name: "dynamic codes: 31 distance codes",
      stream: build((w) =>
        dynamicBlock(w, [0x61], {
          final: true,
          litLens: SMALL_LIT,
          distLens: [1, 1, ...new Array(29).fill(0)],
        })
      ),
    },
    {
      name: "bytes after the final block",
      stream: Uint8Array.from([...build((w) => fixedBlock(w, [0x61], { final: true })), 0]),
    },
    {
      name: "stream cut inside the final block",
      stream: build((w) => fixedBlock(w, [...text("abcdef")], { final: true })).slice(0, 3),
    },
  ];
}

/**
 * A packed blob (docs/blob-format.md) around `stream` declaring `length` inflated bytes, with the
 * checksum right; `header` overrides bytes 4..8 (version, method, reserved).
 */
export function envelope(stream: Uint8Array, length: number, header: number[] = [1, 1, 0, 0]): Uint8Array {
  const out = new Uint8Array(16 + stream.length);
  const view = new DataView(out.buffer);
  out.set([0x57, 0x52, 0x54, 0x5a, ...header]);
  view.setUint32(8, length, true);
  view.setUint32(12, crc32(stream) >>> 0, true);
  out.set(stream, 16);
  return out;
}

/** One damaged variant of a DEFLATE stream, to hold two inflaters to the same verdicts. */
export function mutateStream(stream: Uint8Array, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const b = stream.slice();
  if (b.length === 0) return Uint8Array.from({ length: pick(8) }, () => pick(256));
  switch (pick(8)) {
    case 0: // a few flipped bits anywhere
      for (let i = pick(4) + 1; i > 0; i--) b[pick(b.length)] ^= 1 << pick(8);
      return b;
    case 1: // flipped bits in the first bytes, where block headers and code lengths are
      for (let i = pick(3) + 1; i > 0; i--) b[pick(Math.min(b.length, 48))] ^= 1 << pick(8);
      return b;
    case 2: // a byte replaced
      b[pick(b.length)] = [0, 0xff, pick(256)][pick(3)];
      return b;
    case 3: // cut short
      return b.slice(0, pick(b.length));
    case 4: // bytes after the end
      return Uint8Array.from([...b, ...Array.from({ length: pick(4) + 1 }, () => pick(256))]);
    case 5: { // a range cut out
      const at = pick(b.length), n = pick(8) + 1;
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + n)]);
    }
    case 6: { // a range repeated
      const at = pick(b.length), n = pick(8) + 1;
      return Uint8Array.from([...b.subarray(0, at + n), ...b.subarray(at)]);
    }
    default: // the last byte changed: the final block's end and its padding bits
      b[b.length - 1] ^= 1 << pick(8);
      return b;
  }
}
