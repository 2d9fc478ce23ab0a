/**
 * The filter's inflater (filter/assembly/core/inflate.ts), compiled with the filter's flags into a
 * small test module (testdata/inflate_entry.ts), held to node:zlib as the policy server uses it
 * (`unpackBlob`): the same verdict on every stream — hand-made, written by zlib at every setting, and
 * damaged — the same bytes whenever both inflate, and never a trap.
 */
import { constants, deflateRawSync } from "node:zlib";
import { instantiateTestModule } from "../../compile_assemblyscript.ts";
import { generateRoutes } from "../../../tools/bench/generate_routes.ts";
import { assert, assertEquals } from "../../../tests/assert.ts";
import { BitWriter, envelope, mutateStream, streamCases } from "../../../tests/deflate_streams.ts";
import { prng } from "../../../tests/prng.ts";
import { packSegments, unpackBlob } from "../../../policy-server/blob/pack_blob.ts";
import { encodeBlob } from "../../../policy-server/blob/encode_blob.ts";
import { buildIr } from "../../../policy-server/ir/build_ir.ts";

const MUTATIONS = Number(Deno.env.get("WASMROUTE_FUZZ_STREAMS") ?? 20_000);

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  alloc(size: number): number;
  free(ptr: number): void;
  run(ptr: number, len: number, outLen: number): number;
  output_ptr(): number;
  output_length(): number;
  error_length(): number;
  error_text(ptr: number): void;
}

/** The filter's inflater behind one call. A trap surfaces as a WebAssembly.RuntimeError. */
class AsInflater {
  private constructor(private readonly x: Exports) {}

  static async create(): Promise<AsInflater> {
    return new AsInflater(
      await instantiateTestModule<Exports>("filter/assembly/core/testdata/inflate_entry", {
        cacheName: "wasmroute-inflate-entry",
        sources: ["filter/assembly/core/inflate.ts", "filter/assembly/abi/heap.ts"],
      }),
    );
  }

  /** The inflated bytes, or the reason the stream is refused. */
  inflate(stream: Uint8Array, length: number): Uint8Array | string {
    const ptr = this.x.alloc(Math.max(stream.length, 1));
    new Uint8Array(this.x.memory.buffer, ptr, stream.length).set(stream);
    const ok = this.x.run(ptr, stream.length, length);
    this.x.free(ptr);
    if (ok === 1) {
      return new Uint8Array(this.x.memory.buffer, this.x.output_ptr(), this.x.output_length()).slice();
    }
    const n = this.x.error_length(), at = this.x.alloc(n * 2 + 2);
    this.x.error_text(at);
    const text = String.fromCharCode(...new Uint16Array(this.x.memory.buffer, at, n));
    this.x.free(at);
    return text;
  }

  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }
}

/** What the policy server makes of the stream (zlib, plus the envelope's length and end rules). */
function reference(stream: Uint8Array, length: number): Uint8Array | string {
  try {
    return unpackBlob(envelope(stream, length));
  } catch (error) {
    return (error as Error).message;
  }
}

/** Holds the two to one verdict, and to the same bytes when both inflate. */
function agree(as: AsInflater, stream: Uint8Array, length: number, what: string): boolean {
  const ours = as.inflate(stream, length), theirs = reference(stream, length);
  if (typeof ours === "string" || typeof theirs === "string") {
    assertEquals(
      typeof ours,
      typeof theirs,
      `${what}: filter ${typeof ours === "string" ? `refuses (${ours})` : "inflates"}, zlib ${
        typeof theirs === "string" ? `refuses (${theirs})` : "inflates"
      }`,
    );
    return false;
  }
  assertEquals(ours, theirs, `${what}: the two inflate to different bytes`);
  return true;
}

/** Inputs of every kind zlib compresses differently: blobs, text, runs, noise, nothing much. */
function inputs(): { name: string; bytes: Uint8Array }[] {
  const rand = prng(7);
  const blob = encodeBlob(buildIr(generateRoutes(200).routes, { generation: 1 }).table);
  return [
    { name: "a 200-rule blob", bytes: blob },
    {
      name: "text",
      bytes: new TextEncoder().encode("outbound|8080||svc-1.team-1.svc.cluster.local ".repeat(300)),
    },
    { name: "zeros", bytes: new Uint8Array(70_000) },
    { name: "noise", bytes: Uint8Array.from({ length: 5000 }, () => Math.floor(rand() * 256)) },
    { name: "one byte", bytes: new Uint8Array([42]) },
    {
      name: "long repeats past the 32 KiB window",
      bytes: Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251 ^ (i >> 15)),
    },
  ];
}

/** The zlib settings that change how a stream is written: block types, code shapes, distances. */
const SETTINGS = [
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((level) => ({ level })),
  { level: 9, strategy: constants.Z_FIXED },
  { level: 9, strategy: constants.Z_HUFFMAN_ONLY },
  { level: 9, strategy: constants.Z_RLE },
  { level: 9, strategy: constants.Z_FILTERED },
  { level: 9, windowBits: 9 },
  { level: 9, memLevel: 1 },
];

Deno.test("the filter's inflater agrees with zlib on every hand-made stream", async (t) => {
  const as = await AsInflater.create();
  for (const c of streamCases()) {
    await t.step(c.name, () => {
      const length = c.output?.length || 16;
      const inflated = agree(as, c.stream, length, c.name);
      assertEquals(inflated, Boolean(c.output?.length));
    });
  }
});

Deno.test("the filter's inflater reads what zlib writes at every level and strategy", async () => {
  const as = await AsInflater.create();
  for (const { name, bytes } of inputs()) {
    for (const options of SETTINGS) {
      const stream = new Uint8Array(deflateRawSync(bytes, options));
      assert(agree(as, stream, bytes.length, `${name}, ${JSON.stringify(options)}`));
      assertEquals(as.inflate(stream, bytes.length), bytes);
    }
  }
});

Deno.test("the filter's inflater reads a packed blob's stream of segments compressed apart", async () => {
  const as = await AsInflater.create();
  const { routes } = generateRoutes(5000, { rulesPerRoute: 1, hostnames: 500, seed: 3 });
  const blob = encodeBlob(buildIr(routes, { generation: 1 }).table);
  const { bytes, cuts } = packSegments(blob);
  assert(cuts.length > 4, `${cuts.length + 1} segments`);
  const stream = bytes.subarray(16);
  assert(agree(as, stream, blob.length, "segmented stream"));
  assertEquals(as.inflate(stream, blob.length), blob);
  // Without its final block the stream is unfinished: refused, as zlib refuses it.
  assertEquals(agree(as, stream.subarray(0, stream.length - 2), blob.length, "no final block"), false);
});

Deno.test(`the filter's inflater survives ${MUTATIONS} damaged streams and agrees with zlib on each`, async () => {
  const as = await AsInflater.create();
  const seed = Number(Deno.env.get("WASMROUTE_FUZZ_SEED") ?? 20261123);
  const rand = prng(seed);
  const bases: { stream: Uint8Array; length: number }[] = [];
  for (const { bytes } of inputs().filter((i) => i.bytes.length <= 20_000)) {
    for (const options of SETTINGS) {
      bases.push({ stream: new Uint8Array(deflateRawSync(bytes, options)), length: bytes.length });
    }
  }
  for (const c of streamCases()) {
    if (c.output?.length) bases.push({ stream: c.stream, length: c.output.length });
  }
  let inflated = 0;
  for (let i = 0; i < MUTATIONS; i++) {
    const base = bases[i % bases.length];
    const stream = mutateStream(base.stream, rand);
    // Mostly the true length; sometimes one off, to reach "longer" and "shorter" with damage.
    const length = Math.max(1, base.length + [0, 0, 0, 0, 1, -1][Math.floor(rand() * 6)]);
    if (agree(as, stream, length, `stream ${i} (seed ${seed})`)) inflated++;
  }
  console.log(`inflate fuzz: ${MUTATIONS} damaged streams, ${inflated} still inflate, 0 traps`);
  assert(
    inflated < MUTATIONS * 0.3,
    `${inflated} of ${MUTATIONS} damaged streams inflated: the damage is too gentle`,
  );
  assert(as.memoryBytes <= 16 << 20, `linear memory grew to ${as.memoryBytes} bytes`);
});

/** A dynamic block's header: HLIT 257, HDIST 1, and a code length code of 18 → 0, 1 → 10, 2 → 11. */
function dynamicHeader(w: BitWriter): BitWriter {
  w.bits(1, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(14, 4);
  // Code length code lengths in RFC 1951's order 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1.
  for (const l of [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2]) w.bits(l, 3);
  return w;
}

Deno.test("the filter's inflater refuses, as zlib does, what only a hand-made stream holds", async (t) => {
  const as = await AsInflater.create();
  const fixed = () => new BitWriter().bits(1, 1).bits(1, 2);
  const cases: { name: string; stream: Uint8Array; length: number; refusal: string }[] = [
    {
      name: "length symbol 286, which the fixed code has but no length",
      stream: fixed().code(0x30 + 0x61, 8).code(0xc0 + 6, 8).code(0, 7).finish(),
      length: 4,
      refusal: "invalid literal/length code",
    },
    {
      name: "distance symbol 30, which the fixed code has but no distance",
      stream: fixed().code(0x30 + 0x61, 8).code(1, 7).code(30, 5).code(0, 7).finish(),
      length: 4,
      refusal: "invalid distance code",
    },
    {
      name: "32 distance codes (HDIST 31)",
      stream: new BitWriter().bits(1, 1).bits(2, 2).bits(0, 5).bits(31, 5).bits(0, 4).bytes([0, 0, 0, 0])
        .finish(),
      length: 4,
      refusal: "too many literal/length or distance codes",
    },
    {
      // Literal 0 and end-of-block with 2-bit codes, nothing else: half the code space unused.
      name: "an incomplete literal/length code longer than one bit",
      stream: dynamicHeader(new BitWriter())
        .code(3, 2).code(0, 1).bits(127, 7).code(0, 1).bits(106, 7).code(3, 2).code(2, 2)
        .code(0, 2).code(1, 2).finish(),
      length: 1,
      refusal: "invalid literal/length code lengths",
    },
    {
      // 249 zeros, then an 18 (11 or more zeros) whose extra bits the stream lacks, 9 lengths before the last.
      name: "a stream that ends in a code length repeat's extra bits",
      stream: dynamicHeader(new BitWriter()).code(0, 1).bits(127, 7).code(0, 1).bits(100, 7).code(0, 1)
        .finish(),
      length: 1,
      refusal: "stream ends before its final block does",
    },
    {
      // A 9-bit literal, then length 227 + 5 extra bits of which 4 are left: zero bits read past the
      // end would give a copy of 227 bytes and an end-of-block.
      name: "a stream that ends in a length's extra bits",
      stream: fixed().code(0x190 + (0xc8 - 144), 9).code(0xc0 + 4, 8).finish(),
      length: 228,
      refusal: "stream ends before its final block does",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      assertEquals(as.inflate(c.stream, c.length), c.refusal);
      assertEquals(typeof reference(c.stream, c.length), "string", "zlib refuses it too");
    });
  }
});
