// The filter must never take Envoy down. Random and mutated rule blobs — 100,000 plain (format 1)
// and 100,000 packed — go through the real filter's proxy_on_configure: none may trap, none may grow
// memory without bound, the filter must accept exactly the blobs the TypeScript decoder accepts (the
// format tested from both sides), a packed blob both accept must serve the same table as the
// format-1 blob the TypeScript side unpacks from it, and after every refusal the table already
// serving must still answer.
import { constants, crc32, deflateRawSync } from "node:zlib";
import { parseAllDocuments } from "yaml";
import { prng } from "../prng.ts";
import { assert, assertEquals } from "../assert.ts";
import {
  BitWriter,
  dynamicBlock,
  envelope,
  fixedBlock,
  lengthsFor,
  mutateStream,
  storedBlock,
  streamCases,
} from "../deflate_streams.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { decodeBlob } from "../../policy-server/blob/decode_blob.ts";
import { unpackBlob } from "../../policy-server/blob/pack_blob.ts";
import type { RouteTable } from "../../policy-server/ir/types.ts";
import type { KubeObject } from "../../policy-server/model/types.ts";
import { emulatorOptions, type HostEmulator, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import { decidedCluster } from "../../tools/envoy/render_envoy_config.ts";

const BLOBS = Number(Deno.env.get("WASMROUTE_FUZZ_BLOBS") ?? 100_000);
const PACKED = Number(Deno.env.get("WASMROUTE_FUZZ_PACKED") ?? 100_000);
const SEED = Number(Deno.env.get("WASMROUTE_FUZZ_SEED") ?? 20261123);
const SCENARIO_ROUTES = new URL("../scenarios/routes/", import.meta.url);
const V1 = "outbound|80||my-server-v1.devopssong.svc.cluster.local";

/** Every scenario's routes, compiled (packed, as the policy server delivers them). */
async function corpus(): Promise<Uint8Array[]> {
  const names = (await Array.fromAsync(Deno.readDir(SCENARIO_ROUTES))).map((e) => e.name).sort();
  const blobs: Uint8Array[] = [];
  for (const name of names) {
    const text = await Deno.readTextFile(new URL(name, SCENARIO_ROUTES));
    const resources = parseAllDocuments(text).map((d) => d.toJS() as KubeObject).filter(Boolean);
    blobs.push((await compile(resources, { generation: 2 })).blob);
  }
  return blobs;
}

/** Puts the right checksum back, so the mutation reaches the checks behind it. */
function reseal(blob: Uint8Array): Uint8Array {
  if (blob.length >= 16) {
    new DataView(blob.buffer, blob.byteOffset).setUint32(12, crc32(blob.subarray(16)) >>> 0, true);
  }
  return blob;
}

/** One hostile variant of a valid format-1 blob. */
function mutate(base: Uint8Array, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const b = base.slice();
  const view = new DataView(b.buffer);
  switch (pick(8)) {
    case 0: // truncated (and resealed, with the length field telling the truth or not)
      return reseal(b.slice(0, pick(b.length)));
    case 1: { // flipped bits, checksum left wrong
      for (let i = pick(4) + 1; i > 0; i--) b[pick(b.length)] ^= 1 << pick(8);
      return b;
    }
    case 2: { // flipped bits past the checksum, checksum fixed: the structure checks must catch them
      for (let i = pick(4) + 1; i > 0; i--) b[16 + pick(b.length - 16)] ^= 1 << pick(8);
      return reseal(b);
    }
    case 3: { // a huge count or offset at a random aligned place
      const at = 16 + 4 * pick((b.length - 16) >> 2);
      view.setUint32(at, [0xffffffff, 0x7fffffff, 0x10000, b.length, b.length + 1][pick(5)], true);
      return reseal(b);
    }
    case 4: { // a section directory entry pointing elsewhere
      const entry = 32 + 12 * pick(view.getUint32(20, true));
      view.setUint32(entry + 4 * (1 + pick(2)), pick(b.length * 2), true);
      return reseal(b);
    }
    case 5: { // random bytes behind a valid header
      for (let i = 32; i < b.length; i++) b[i] = pick(256);
      return reseal(b);
    }
    case 6: // random small values in the records (kinds, refs, counts)
      for (let i = pick(8) + 1; i > 0; i--) {
        view.setUint16(32 + 2 * pick((b.length - 32) >> 1), pick(40), true);
      }
      return reseal(b);
    default: // pure noise
      return Uint8Array.from({ length: pick(256) }, () => pick(256));
  }
}

/** zlib settings that write the same bytes as other block types and code shapes. */
const ZLIB_SETTINGS = [
  { level: 0 },
  { level: 1 },
  { level: 6 },
  { level: 9, strategy: constants.Z_FIXED },
  { level: 9, strategy: constants.Z_HUFFMAN_ONLY },
  { level: 9, strategy: constants.Z_RLE },
  { level: 9, windowBits: 9, memLevel: 1 },
];

/**
 * The bytes as DEFLATE streams zlib does not write: stored blocks of random sizes, fixed-code
 * literals, one dynamic block of literals, a mix — each a valid stream of exactly `bytes`.
 */
function handMade(bytes: Uint8Array, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const w = new BitWriter();
  let at = 0;
  const kind = pick(3);
  while (at < bytes.length) {
    const n = Math.min(bytes.length - at, 1 + pick(kind === 2 ? 4000 : 700));
    const part = bytes.subarray(at, at + n);
    at += n;
    const final = at === bytes.length;
    const block = kind === 2 ? pick(3) : kind;
    if (block === 0) storedBlock(w, part, { final });
    else if (block === 1) fixedBlock(w, [...part], { final });
    else {
      // Bytes 0..254 at 8 bits, byte 255 and end-of-block at 9: a complete code without lengths.
      const litLens = lengthsFor(257, Object.fromEntries(Array.from({ length: 257 }, (_, s) => [s, 8])));
      litLens[255] = litLens[256] = 9;
      dynamicBlock(w, [...part], { final, litLens, distLens: [0] });
    }
  }
  return w.finish();
}

const STREAM_CASES = streamCases();

/** One hostile or equivalent variant of a valid packed blob (`raw` is the format-1 blob inside). */
function mutatePacked(packed: Uint8Array, raw: Uint8Array, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const stream = packed.subarray(16);
  const length = raw.length;
  switch (pick(12)) {
    case 0: { // a header byte (magic, version, method, reserved, length, checksum)
      const b = packed.slice();
      b[pick(16)] ^= 1 << pick(8);
      return b;
    }
    case 1: // a declared length near or far from the truth
      return envelope(
        stream,
        [0, 1, length - 1, length + 1, length * 2, 0xffffffff, 64 << 20, stream.length * 1032][pick(8)] >>> 0,
      );
    case 2: { // damaged compressed bytes, checksum left as it was
      const b = packed.slice();
      for (let i = pick(3) + 1; i > 0; i--) b[16 + pick(stream.length)] ^= 1 << pick(8);
      return b;
    }
    case 3:
    case 4:
    case 5: // damaged compressed bytes, checksum made right: the inflater must catch it
      return envelope(mutateStream(stream, rand), length);
    case 6: // cut short, checksum right or not
      return pick(2)
        ? packed.slice(0, pick(packed.length))
        : envelope(stream.slice(0, pick(stream.length)), length);
    case 7: { // bytes after the stream, checksum right or not
      const more = Array.from({ length: 1 + pick(4) }, () => pick(256));
      return pick(2)
        ? Uint8Array.from([...packed, ...more])
        : envelope(Uint8Array.from([...stream, ...more]), length);
    }
    case 8: // the same blob written by zlib another way, or by hand (stored, fixed and dynamic blocks)
      return envelope(
        pick(2)
          ? new Uint8Array(deflateRawSync(raw, ZLIB_SETTINGS[pick(ZLIB_SETTINGS.length)]))
          : handMade(raw, rand),
        length,
      );
    case 9: // a hand-made stream, damaged
      return envelope(mutateStream(handMade(raw, rand), rand), length);
    case 10: { // a hostile format-1 blob inside a good envelope
      const inner = mutate(raw, rand);
      return inner.length
        ? envelope(new Uint8Array(deflateRawSync(inner)), inner.length)
        : envelope(stream, 0);
    }
    default: { // a stream that breaks one rule of DEFLATE (or keeps them all on bytes that are no blob)
      const c = STREAM_CASES[pick(STREAM_CASES.length)];
      return envelope(c.stream, c.output?.length || 1 + pick(300));
    }
  }
}

/**
 * What the filter answers for GET `path` on `authority`: its cluster, or its local reply's status.
 * The request id makes weighted picks repeatable.
 */
function answer(host: HostEmulator, authority: string, path = "/"): string {
  const id = host.initializeHttpContext();
  const headers: [string, string][] = [[":method", "GET"], [":path", path], [":authority", authority]];
  host.callOnRequestHeaders(id, [...headers, ["x-request-id", "fuzz"]], true);
  const cluster = decidedCluster(host.getCurrentRequestHeaders(id));
  const reply = host.getSentLocalResponse(id)?.statusCode;
  host.completeHttpContext(id);
  return cluster ?? (reply === undefined ? "pass" : String(reply));
}

/** Requests that reach every virtual host of `table`: its hostnames at "/" and at its routes' paths. */
function probesOf(table: RouteTable): [string, string][] {
  const probes: [string, string][] = [];
  for (const vh of table.vhosts.slice(0, 6)) {
    const host = vh.hostnames[0].replace("*", "a");
    probes.push([host, "/"]);
    for (const r of vh.routes.slice(0, 3)) {
      if (r.path && r.path.type !== "RegularExpression") probes.push([host, r.path.value]);
    }
  }
  return probes;
}

/** The filter's last "serving rule table …" line (generation and counts) and its answers to `probes`. */
function observe(host: HostEmulator, probes: [string, string][]): string[] {
  const logs = host.host.state.logs;
  let serving = "";
  for (let i = logs.length - 1; i >= 0 && !serving; i--) {
    const l = logs[i];
    if ("message" in l && l.message.includes("serving rule table")) serving = l.message;
  }
  return [
    serving,
    ...probes.map(([authority, path]) => `${authority}${path} → ${answer(host, authority, path)}`),
  ];
}

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

/** A filter serving the seed-header-routing table, as every round starts and returns to. */
async function servingFilter(): Promise<{ host: HostEmulator; serving: Uint8Array }> {
  const serving = (await compile(
    parseAllDocuments(await Deno.readTextFile(new URL("seed-header-routing.yaml", SCENARIO_ROUTES)))
      .map((d) => d.toJS()),
    { generation: 1 },
  )).blob;
  const host = newHostEmulator(
    emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(
      JSON.stringify({ blob: b64(serving) }),
    ),
  );
  assert(host.startPlugin(), host.getErrors().join("\n"));
  assertEquals(answer(host, "my-server"), V1);
  return { host, serving };
}

interface Round {
  /** Blob i of the round. */
  blob(i: number): Uint8Array;
  /** Called when both decoders accept blob i (the filter serves it now). */
  accepted?(blob: Uint8Array, table: RouteTable, host: HostEmulator): void;
}

/** Feeds `count` blobs to the filter and the TypeScript decoder; returns how many were refused. */
async function fuzz(count: number, round: Round): Promise<{ refused: number; memory: [number, number] }> {
  const { host, serving } = await servingFilter();
  const memoryAtStart = host.getMemorySize();
  let refused = 0;
  const disagreements: string[] = [];
  for (let i = 0; i < count; i++) {
    const blob = round.blob(i);
    // An empty configuration is not a blob: the filter accepts it and passes traffic through.
    let table: RouteTable | undefined;
    let tsAccepts = true;
    try {
      table = decodeBlob(blob);
    } catch {
      tsAccepts = i % 2 === 0 && blob.length === 0;
    }
    // Half as Istio sends it (JSON, base64), half as raw bytes (envoy.yaml written by hand).
    const config = i % 2 ? JSON.stringify({ blob: b64(blob) }) : blob;
    const accepted = host.configure("wasmroute", config);
    if (host.getVmFailState() !== "Ok") {
      throw new Error(`blob ${i} (seed ${SEED}) trapped the filter: ${host.getErrors().at(-1)}`);
    }
    if (accepted !== tsAccepts && disagreements.length < 5) {
      let why = "";
      try {
        decodeBlob(blob);
      } catch (e) {
        why = (e as Error).message;
      }
      disagreements.push(
        `blob ${i}: filter ${accepted}, TypeScript ${tsAccepts} (${why || host.getLogMessages().at(-1)})`,
      );
      if (Deno.env.get("WASMROUTE_FUZZ_DUMP")) {
        await Deno.writeFile(`${Deno.env.get("WASMROUTE_FUZZ_DUMP")}/blob-${i}.bin`, blob);
      }
    }
    if (accepted) {
      if (table) round.accepted?.(blob, table, host);
      // Rarely, a mutation is still a valid blob: go back to the known table.
      assert(host.configure("wasmroute", JSON.stringify({ blob: b64(serving) })));
    } else refused++;
    if (i % 5000 === 0) {
      assertEquals(answer(host, "my-server"), V1, `after blob ${i} the serving table changed`);
    }
  }
  assertEquals(disagreements, [], "the filter and the TypeScript decoder disagree on these blobs");
  assertEquals(answer(host, "my-server"), V1);
  const memoryAtEnd = host.getMemorySize();
  assert(memoryAtEnd <= 64 * 1024 * 1024, `linear memory grew to ${memoryAtEnd} bytes`);
  return { refused, memory: [memoryAtStart, memoryAtEnd] };
}

Deno.test(`proxy_on_configure survives ${BLOBS} hostile blobs, agrees with the TypeScript decoder, and keeps serving`, async () => {
  const blobs = (await corpus()).map(unpackBlob);
  const rand = prng(SEED);
  const { refused, memory } = await fuzz(BLOBS, { blob: (i) => mutate(blobs[i % blobs.length], rand) });
  assert(refused > BLOBS * 0.8, `only ${refused} of ${BLOBS} refused: the mutations are too gentle`);
  console.log(
    `fuzz: ${BLOBS} blobs tried, ${refused} refused, ${BLOBS - refused} valid, 0 traps, ` +
      `linear memory ${memory[0]} → ${memory[1]} bytes`,
  );
});

Deno.test(`proxy_on_configure survives ${PACKED} hostile packed blobs, agrees with the TypeScript decoder, and serves what it unpacks`, async () => {
  const blobs = await corpus();
  const raws = blobs.map(unpackBlob);
  const rand = prng(SEED + 1);
  let compared = 0;
  const { refused, memory } = await fuzz(PACKED, {
    blob: (i) => mutatePacked(blobs[i % blobs.length], raws[i % blobs.length], rand),
    accepted(blob, table, host) {
      // The same table: what the filter makes of the packed blob, and of the format-1 blob the
      // policy server unpacks from it, answer alike.
      const probes = probesOf(table);
      const packed = observe(host, probes);
      assert(host.configure("wasmroute", unpackBlob(blob)), "the filter refuses the blob unpacked");
      assertEquals(packed, observe(host, probes), "the packed and the unpacked blob serve different tables");
      compared++;
    },
  });
  assert(refused > PACKED * 0.6, `only ${refused} of ${PACKED} refused: the mutations are too gentle`);
  assert(compared > PACKED * 0.05, `only ${compared} packed blobs both accepted: too few tables compared`);
  console.log(
    `packed fuzz: ${PACKED} packed blobs tried, ${refused} refused, ${compared} accepted by both with the ` +
      `same table, 0 traps, linear memory ${memory[0]} → ${memory[1]} bytes`,
  );
});
