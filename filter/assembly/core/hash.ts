// FNV-1a over UTF-8 bytes: the rule table files hostnames and paths under this hash when it is
// decoded, and a request hashes its own bytes (lower-casing the host) straight out of the host's
// buffer, so finding candidates allocates nothing. Every candidate is compared in full afterwards.

export const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;

// @ts-ignore: decorator
@inline export function fnvByte(h: u32, b: u32): u32 {
  return (h ^ b) * FNV_PRIME;
}

/** ASCII lower case of one byte (hostnames are ASCII; other bytes pass unchanged). */
// @ts-ignore: decorator
@inline export function lowerByte(b: u32): u32 {
  return b - 0x41 < 26 ? b + 0x20 : b;
}

export function hashBytes(ptr: usize, len: i32): u32 {
  let h = FNV_OFFSET;
  for (let i = 0; i < len; i++) h = fnvByte(h, load<u8>(ptr + i));
  return h;
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
