/**
 * The filter's hashing (filter/assembly/core/hash.ts) and its path scan (scanPath in
 * core/scan.ts), compiled with the filter's flags into a small test module: the hashes a request
 * takes eight bytes at a time, in one pass, must equal those the rule table files its keys under,
 * and the scan must find the same segment prefixes, path end and query as a byte-by-byte reading.
 */
import { instantiateTestModule } from "../../compile_assemblyscript.ts";
import { assertEquals } from "../../../tests/assert.ts";
import { prng } from "../../../tests/prng.ts";

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  alloc(size: number): number;
  scan(ptr: number, len: number, lengths: bigint): number;
  prefix_end(k: number): number;
  path_end(): number;
  query_start(): number;
  query_end(): number;
  path_hash(): number;
  scan_hashes_agree(): number;
  hash_bytes(ptr: number, len: number): number;
  hash_lower_bytes(ptr: number, len: number): number;
  equals_lowered(ptr: number, lower: number, len: number): number;
  scan_authority(ptr: number, len: number): number;
  authority_port(): number;
  authority_has_port(): number;
}

const ALL_LENGTHS = (1n << 64n) - 1n;

function entry(): Promise<Exports> {
  return instantiateTestModule("filter/assembly/core/testdata/hash_entry", {
    cacheName: "wasmroute-hash-entry",
    sources: [
      "filter/assembly/core/hash.ts",
      "filter/assembly/core/scan.ts",
      "filter/assembly/core/target.ts",
      "filter/assembly/core/grown.ts",
      "filter/assembly/core/request.ts",
    ],
  });
}

function put(x: Exports, bytes: Uint8Array): number {
  const ptr = x.alloc(Math.max(bytes.length, 1));
  new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}

/** What the scan must find, read one byte at a time. */
function reference(path: Uint8Array, lengths: bigint) {
  let end = path.findIndex((b) => b === 0x3f || b === 0x23);
  if (end < 0) end = path.length;
  const prefixes: number[] = [];
  for (let i = 1; i < end; i++) {
    if (path[i] === 0x2f && path[i - 1] !== 0x2f && (lengths >> BigInt(Math.min(i, 63))) & 1n) {
      prefixes.push(i);
    }
  }
  let queryStart = end, queryEnd = end;
  if (path[end] === 0x3f) {
    queryStart = end + 1;
    queryEnd = path.indexOf(0x23, queryStart);
    if (queryEnd < 0) queryEnd = path.length;
  }
  return { end, prefixes, queryStart, queryEnd };
}

function randomPath(rng: () => number): Uint8Array {
  const alphabet = "//////aaaaB-09.??##&=%";
  // Some paths have far more segment prefixes than the scan has room for at first.
  const n = Math.floor(rng() * (rng() < 0.1 ? 3000 : 150));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = alphabet.charCodeAt(Math.floor(rng() * alphabet.length));
  if (n > 0 && rng() < 0.8) out[0] = 0x2f;
  return out;
}

Deno.test("the path scan finds the prefixes, path end and query that a byte-by-byte reading finds", async () => {
  const x = await entry();
  const rng = prng(61);
  for (let run = 0; run < 5000; run++) {
    const path = randomPath(rng);
    const lengths = rng() < 0.5 ? ALL_LENGTHS : BigInt.asUintN(
      64,
      BigInt(Math.floor(rng() * 2 ** 32)) << 32n |
        BigInt(Math.floor(rng() * 2 ** 32)),
    );
    const want = reference(path, lengths);
    const count = x.scan(put(x, path), path.length, lengths);
    const text = new TextDecoder().decode(path);
    assertEquals(count, want.prefixes.length, text);
    const found = Array.from({ length: count }, (_, k) => x.prefix_end(k));
    assertEquals(found, want.prefixes, text);
    assertEquals(
      [x.path_end(), x.query_start(), x.query_end()],
      [want.end, want.queryStart, want.queryEnd],
      text,
    );
    assertEquals(x.scan_hashes_agree(), 1, text);
  }
});

Deno.test("a hash does not depend on where the bytes are, up to the last byte of memory", async () => {
  const x = await entry();
  const rng = prng(62);
  const paths = Array.from({ length: 500 }, () => randomPath(rng));
  const inHeap = paths.map((path) => x.hash_bytes(put(x, path), path.length));
  // A page the allocator never saw: its last bytes end memory, and writing them corrupts nothing.
  x.memory.grow(1);
  paths.forEach((path, i) => {
    // Bytes that end exactly where memory ends cannot be read a word at a time.
    const atEnd = x.memory.buffer.byteLength - path.length;
    new Uint8Array(x.memory.buffer, atEnd, path.length).set(path);
    assertEquals(x.hash_bytes(atEnd, path.length), inHeap[i]);
    x.scan(atEnd, path.length, ALL_LENGTHS);
    assertEquals(x.scan_hashes_agree(), 1);
  });
});

Deno.test("hashes differ for different bytes, lengths and trailing zero bytes", async () => {
  const x = await entry();
  const keys = ["", "\0", "\0\0", "a", "a\0", "/", "/api", "/api/", "/api\0\0\0\0", "abcdefgh", "abcdefgh\0"];
  const hashes = keys.map((k) => {
    const b = new TextEncoder().encode(k);
    return x.hash_bytes(put(x, b), b.length);
  });
  assertEquals(new Set(hashes).size, keys.length);
});

Deno.test("lower-cased hashing and comparing change A-Z only, whatever the other bytes", async () => {
  const x = await entry();
  const rng = prng(63);
  for (let run = 0; run < 2000; run++) {
    const n = Math.floor(rng() * 40);
    // Every byte value, weighted towards the letters and their neighbours ("@", "[", "`", "{").
    const bytes = Uint8Array.from(
      { length: n },
      () => rng() < 0.5 ? 0x3f + Math.floor(rng() * 0x40) : Math.floor(rng() * 256),
    );
    const lowered = bytes.map((b) => b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
    const p = put(x, bytes), q = put(x, lowered);
    assertEquals(x.hash_lower_bytes(p, n), x.hash_bytes(q, n));
    assertEquals(x.equals_lowered(p, q, n), 1);
    if (n > 0) {
      const other = lowered.slice();
      const at = Math.floor(rng() * n);
      other[at] ^= rng() < 0.5 ? 0x20 : 0x01;
      if (other[at] !== lowered[at]) assertEquals(x.equals_lowered(p, put(x, other), n), 0);
    }
  }
});

Deno.test("the authority scan splits hostname and port at the last colon outside brackets, and reads no further", async (t) => {
  const x = await entry();
  // Each authority is followed by digits that are not part of it: the scan must stop at its length.
  const cases: [string, { host: string; port: number; hasPort: boolean }][] = [
    ["example.com", { host: "example.com", port: 80, hasPort: false }],
    ["example.com:8080", { host: "example.com", port: 8080, hasPort: true }],
    ["a.very.long.example.com:443", { host: "a.very.long.example.com", port: 443, hasPort: true }],
    ["example.com:", { host: "example.com", port: 0, hasPort: true }],
    [":8080", { host: "", port: 8080, hasPort: true }],
    ["[fd00::14]", { host: "[fd00::14]", port: 80, hasPort: false }],
    ["[fd00::14]:9080", { host: "[fd00::14]", port: 9080, hasPort: true }],
    ["10.0.0.1:65535", { host: "10.0.0.1", port: 65535, hasPort: true }],
    ["10.0.0.1:65536", { host: "10.0.0.1", port: 0, hasPort: true }],
    ["h:8a", { host: "h", port: 8, hasPort: true }],
    ["", { host: "", port: 80, hasPort: false }],
  ];
  for (const [authority, want] of cases) {
    await t.step(JSON.stringify(authority), () => {
      const bytes = new TextEncoder().encode(`${authority}12345678`);
      const ptr = put(x, bytes);
      const hostLen = x.scan_authority(ptr, authority.length);
      assertEquals(
        {
          host: authority.slice(0, hostLen),
          port: x.authority_port(),
          hasPort: x.authority_has_port() === 1,
        },
        want,
      );
    });
  }
});
