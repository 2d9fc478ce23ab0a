/**
 * The filter's SHA-256 (filter/assembly/core/sha256.ts), compiled with the filter's flags into a small
 * test module (testdata/sha256_entry.ts), held to WebCrypto: the same digest for every length around
 * the block and padding boundaries, for thousands of random inputs, and for a blob-sized input.
 */
import { Buffer } from "node:buffer";
import { instantiateTestModule } from "../../compile_assemblyscript.ts";
import { assertEquals } from "../../../tests/assert.ts";
import { prng } from "../../../tests/prng.ts";

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  alloc(size: number): number;
  free(ptr: number): void;
  digest(ptr: number, len: number): void;
  text_length(): number;
  text_copy(ptr: number): void;
  same_digest(a: number, aLen: number, b: number, bLen: number): number;
}

/** `n` bytes from `random`, four at a time. */
function randomBytes(random: () => number, n: number): Uint8Array {
  const words = Uint32Array.from({ length: (n + 3) >> 2 }, () => random() * 2 ** 32);
  return new Uint8Array(words.buffer, 0, n);
}

const x = await instantiateTestModule<Exports>("filter/assembly/core/testdata/sha256_entry", {
  cacheName: "wasmroute-sha256-entry",
  sources: ["filter/assembly/core/sha256.ts", "filter/assembly/abi/heap.ts"],
});

/** The filter's digest of `bytes`, as hex. */
function filterSha256(bytes: Uint8Array): string {
  const ptr = x.alloc(Math.max(bytes.length, 1));
  new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
  x.digest(ptr, bytes.length);
  x.free(ptr);
  const n = x.text_length(), at = x.alloc(n * 2);
  x.text_copy(at);
  const hex = String.fromCharCode(...new Uint16Array(x.memory.buffer, at, n));
  x.free(at);
  return hex;
}

async function webCryptoSha256(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)).toString("hex");
}

Deno.test("sha256() gives FIPS 180-4's digests of the empty string and abc", () => {
  assertEquals(
    filterSha256(new Uint8Array()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assertEquals(
    filterSha256(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("sha256() agrees with WebCrypto at every length from 0 to 300 bytes (block and padding edges)", async () => {
  const random = prng(1);
  for (let n = 0; n <= 300; n++) {
    const bytes = randomBytes(random, n);
    assertEquals(filterSha256(bytes), await webCryptoSha256(bytes), `length ${n}`);
  }
});

Deno.test("sha256() agrees with WebCrypto on 3,000 random inputs of random lengths up to 64 KiB", async () => {
  const random = prng(22);
  for (let i = 0; i < 3000; i++) {
    const n = Math.floor(random() ** 3 * 65536);
    const bytes = randomBytes(random, n);
    assertEquals(filterSha256(bytes), await webCryptoSha256(bytes), `input ${i}, length ${n}`);
  }
});

Deno.test("sha256() agrees with WebCrypto on a 5 MiB input, and a flipped bit changes the digest", async () => {
  const bytes = new Uint8Array(5 << 20);
  crypto.getRandomValues(bytes.subarray(0, 65536));
  for (let at = 65536; at < bytes.length; at += 65536) bytes.copyWithin(at, 0, 65536);
  const want = await webCryptoSha256(bytes);
  const started = performance.now();
  assertEquals(filterSha256(bytes), want);
  console.log(`filter sha256 of 5 MiB: ${(performance.now() - started).toFixed(1)} ms`);
  bytes[bytes.length >> 1] ^= 1;
  const flipped = filterSha256(bytes);
  assertEquals(flipped, await webCryptoSha256(bytes));
  assertEquals(flipped === want, false);
});

Deno.test("sameDigest holds only for the same bytes of the same length, whichever is shorter", () => {
  const same = (a: Uint8Array, b: Uint8Array) => {
    const pa = x.alloc(Math.max(a.length, 1)), pb = x.alloc(Math.max(b.length, 1));
    new Uint8Array(x.memory.buffer, pa, a.length).set(a);
    new Uint8Array(x.memory.buffer, pb, b.length).set(b);
    const r = x.same_digest(pa, a.length, pb, b.length) === 1;
    x.free(pa);
    x.free(pb);
    return r;
  };
  const digest = new Uint8Array(Buffer.from(filterSha256(new TextEncoder().encode("abc")), "hex"));
  assertEquals(same(digest, digest.slice()), true);
  const other = digest.slice();
  other[31] ^= 1;
  assertEquals(same(digest, other), false, "the last byte differs");
  assertEquals(same(digest.subarray(0, 16), digest), false, "a prefix of the digest is not the digest");
  assertEquals(same(digest, digest.subarray(0, 16)), false, "nor is the digest its prefix");
  assertEquals(same(new Uint8Array(0), digest), false, "nor is nothing");
});
