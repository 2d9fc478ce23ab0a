// SHA-256 (FIPS 180-4): the filter checks a blob it fetched against the digest its configuration
// pins. Written here because the AssemblyScript SHA-256 packages on npm cannot be compiled into this
// module: @chainsafe/as-sha256 ships only its own built .wasm, and wasm-crypto's (AssemblyScript
// 0.19) allocates arrays for every 64-byte block, which a minimal-runtime filter that collects only
// between host callbacks cannot afford for a blob of megabytes. Held to WebCrypto in sha256_test.ts.
// Nothing here allocates per block: one schedule array, one tail buffer, the digest.

/** The round constants: the first 32 bits of the fractional parts of the first 64 primes' cube roots. */
const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/** The initial state: the first 32 bits of the fractional parts of the first 8 primes' square roots. */
const IV: StaticArray<u32> = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/** Folds the 64-byte block at `p` into the state `h`; `w` is the message schedule, reused. */
function compress(h: StaticArray<u32>, w: StaticArray<u32>, p: usize): void {
  for (let i = 0; i < 16; i++) unchecked(w[i] = bswap<u32>(load<u32>(p + (<usize>i << 2))));
  for (let i = 16; i < 64; i++) {
    const a = unchecked(w[i - 15]), b = unchecked(w[i - 2]);
    const s0 = rotr<u32>(a, 7) ^ rotr<u32>(a, 18) ^ (a >>> 3);
    const s1 = rotr<u32>(b, 17) ^ rotr<u32>(b, 19) ^ (b >>> 10);
    unchecked(w[i] = w[i - 16] + s0 + w[i - 7] + s1);
  }
  let a = unchecked(h[0]), b = unchecked(h[1]), c = unchecked(h[2]), d = unchecked(h[3]);
  let e = unchecked(h[4]), f = unchecked(h[5]), g = unchecked(h[6]), k = unchecked(h[7]);
  for (let i = 0; i < 64; i++) {
    const t1 = k + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) +
      unchecked(K[i]) + unchecked(w[i]);
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  unchecked(h[0] += a);
  unchecked(h[1] += b);
  unchecked(h[2] += c);
  unchecked(h[3] += d);
  unchecked(h[4] += e);
  unchecked(h[5] += f);
  unchecked(h[6] += g);
  unchecked(h[7] += k);
}

/** The SHA-256 digest (32 bytes) of the `len` bytes at `ptr`. */
export function sha256(ptr: usize, len: i32): ArrayBuffer {
  const h = new StaticArray<u32>(8);
  for (let i = 0; i < 8; i++) unchecked(h[i] = IV[i]);
  const w = new StaticArray<u32>(64);
  const whole = len & ~63;
  for (let at = 0; at < whole; at += 64) compress(h, w, ptr + <usize>at);
  // The rest, the 0x80 marker and the length in bits (big-endian) fill one or two last blocks.
  const rest = len - whole;
  const tail = new ArrayBuffer(128);
  const t = changetype<usize>(tail);
  memory.copy(t, ptr + <usize>whole, <usize>rest);
  store<u8>(t + <usize>rest, 0x80);
  const blocks = rest < 56 ? 1 : 2;
  store<u64>(t + <usize>(blocks * 64 - 8), bswap<u64>(<u64>len << 3));
  for (let i = 0; i < blocks; i++) compress(h, w, t + <usize>(i * 64));
  const out = new ArrayBuffer(32);
  for (let i = 0; i < 8; i++) store<u32>(changetype<usize>(out) + (<usize>i << 2), bswap<u32>(unchecked(h[i])));
  return out;
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: ArrayBuffer): string {
  const digits = "0123456789abcdef";
  let s = "";
  for (let i = 0; i < bytes.byteLength; i++) {
    const b = load<u8>(changetype<usize>(bytes) + <usize>i);
    s += digits.charAt(b >> 4) + digits.charAt(b & 15);
  }
  return s;
}

/** The bytes of a digest written as 64 hex digits (either case); null for anything else. */
export function digestOfHex(hex: string): ArrayBuffer | null {
  if (hex.length != 64) return null;
  const out = new ArrayBuffer(32);
  for (let i = 0; i < 64; i++) {
    const c = hex.charCodeAt(i);
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (v < 0) return null;
    const at = changetype<usize>(out) + <usize>(i >> 1);
    store<u8>(at, (i & 1) == 0 ? <u8>(v << 4) : load<u8>(at) | <u8>v);
  }
  return out;
}

/** Whether two digests are the same bytes. */
export function sameDigest(a: ArrayBuffer, b: ArrayBuffer): bool {
  if (a.byteLength != b.byteLength) return false;
  return memory.compare(changetype<usize>(a), changetype<usize>(b), <usize>a.byteLength) == 0;
}
