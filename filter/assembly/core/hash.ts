// A word-at-a-time hash over UTF-8 bytes: the rule table files hostnames and paths under it when it
// is decoded, and a request hashes its own bytes straight out of the host's buffer, so finding
// candidates allocates nothing. Every candidate is compared in full afterwards, so the hash only
// has to spread keys, not resist collisions. Eight bytes per multiply keeps the chain of dependent
// instructions short: FNV-1a's multiply per byte made hashing a 60-byte path the largest single
// cost of a decision.

const K: u64 = 0x9e3779b97f4a7c15;
/** The state before any byte. */
export const HASH_SEED: u64 = 0x243f6a8885a308d3;

const ONES: u64 = 0x0101010101010101;
const HIGH: u64 = 0x8080808080808080;
const LOW7: u64 = 0x7f7f7f7f7f7f7f7f;

/** Folds eight bytes (a little-endian word) into the state. */
// @ts-ignore: decorator
@inline export function hashStep(h: u64, w: u64): u64 {
  h = (h ^ w) * K;
  return h ^ (h >> 29);
}

/**
 * The hash of `len` bytes: the state after their whole words, and the rest (0-7 bytes) as a word
 * with the missing bytes zero; the length tells "a" from "a\0".
 */
// @ts-ignore: decorator
@inline export function hashFinish(h: u64, tail: u64, len: i32): u32 {
  h = hashStep(h, tail);
  h = (h ^ <u64>len) * K;
  return <u32>(h ^ (h >> 32));
}

/**
 * Bytes [p, p+n), n < 8, as a little-endian word with the missing bytes zero. Buffers come from the
 * module's allocator, which rounds blocks to 16 bytes, so one load usually serves; at the very end
 * of memory the bytes are read one by one, as an out-of-bounds load would trap.
 */
// @ts-ignore: decorator
@inline export function tailWord(p: usize, n: i32): u64 {
  if (n == 0) return 0;
  if (p + 8 <= (<usize>memory.size() << 16)) return load<u64>(p) & ((<u64>1 << (<u64>n << 3)) - 1);
  let w: u64 = 0;
  for (let i = n - 1; i >= 0; i--) w = (w << 8) | <u64>load<u8>(p + <usize>i);
  return w;
}

/** ASCII upper-case letters of a word made lower-case, eight at once; other bytes pass unchanged. */
// @ts-ignore: decorator
@inline export function lowerWord(w: u64): u64 {
  const low = w & LOW7;
  // The high bit of each byte: set from "A" (0x41) on, and from "[" (0x5b) on; a letter has the first only.
  const upper = (low + ONES * 0x3f) & ~(low + ONES * 0x25) & ~w & HIGH;
  return w | (upper >> 2);
}

/** 0x80 in each byte of `w` equal to `b`, 0 elsewhere (exact: no carries between bytes). */
// @ts-ignore: decorator
@inline export function bytesOf(w: u64, b: u64): u64 {
  const x = w ^ (ONES * b);
  return ~(((x & LOW7) + LOW7) | x | LOW7);
}

export function hashBytes(ptr: usize, len: i32): u32 {
  let h = HASH_SEED, i = 0;
  for (; i + 8 <= len; i += 8) h = hashStep(h, load<u64>(ptr + <usize>i));
  return hashFinish(h, tailWord(ptr + <usize>i, len - i), len);
}

/** As hashBytes of the bytes lower-cased (a hostname as the client sent it). */
export function hashLowerBytes(ptr: usize, len: i32): u32 {
  let h = HASH_SEED, i = 0;
  for (; i + 8 <= len; i += 8) h = hashStep(h, lowerWord(load<u64>(ptr + <usize>i)));
  return hashFinish(h, lowerWord(tailWord(ptr + <usize>i, len - i)), len);
}

/** The hash of a string's UTF-8 bytes: what {@link hashBytes} gives for the same text on the wire. */
export function hashString(s: string): u32 {
  const b = String.UTF8.encode(s);
  return hashBytes(changetype<usize>(b), b.byteLength);
}

/** Whether `len` bytes at `ptr` are exactly `b`. */
export function bytesEqual(ptr: usize, len: i32, b: ArrayBuffer): bool {
  return b.byteLength == len && memory.compare(ptr, changetype<usize>(b), <usize>len) == 0;
}

/** Whether `len` bytes at `ptr`, lower-cased, are exactly the `len` bytes at `lower`. */
export function equalsLowered(ptr: usize, lower: usize, len: i32): bool {
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    if (lowerWord(load<u64>(ptr + <usize>i)) != load<u64>(lower + <usize>i)) return false;
  }
  return lowerWord(tailWord(ptr + <usize>i, len - i)) == tailWord(lower + <usize>i, len - i);
}
