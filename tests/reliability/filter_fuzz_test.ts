// The filter must never take Envoy down. 100,000 random and mutated rule blobs go through the real
// filter's proxy_on_configure: none may trap, none may grow memory without bound, the filter must
// accept exactly the blobs the TypeScript decoder accepts (the format tested from both sides), and
// after every refusal the table already serving must still answer. Then hostile requests.
import { crc32 } from "node:zlib";
import { parseAllDocuments } from "yaml";
import { prng } from "../prng.ts";
import { assert, assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { decodeBlob } from "../../policy-server/blob/decode_blob.ts";
import type { KubeObject } from "../../policy-server/model/types.ts";
import { emulatorOptions, type HostEmulator, newHostEmulator } from "../../tools/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";

const BLOBS = Number(Deno.env.get("WASMROUTE_FUZZ_BLOBS") ?? 100_000);
const SCENARIO_ROUTES = new URL("../scenarios/routes/", import.meta.url);

async function corpus(): Promise<Uint8Array[]> {
  const blobs: Uint8Array[] = [];
  for await (const e of Deno.readDir(SCENARIO_ROUTES)) {
    const text = await Deno.readTextFile(new URL(e.name, SCENARIO_ROUTES));
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

/** One hostile variant of a valid blob. */
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

function decides(host: HostEmulator, authority: string): string | null {
  const id = host.initializeHttpContext();
  host.callOnRequestHeaders(id, [[":method", "GET"], [":path", "/"], [":authority", authority]], true);
  const cluster = host.getCurrentRequestHeaders(id).find(([k]) => k === "x-wasmroute-cluster")?.[1] ?? null;
  host.completeHttpContext(id);
  return cluster;
}

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

Deno.test(`proxy_on_configure survives ${BLOBS} hostile blobs, agrees with the TypeScript decoder, and keeps serving`, async () => {
  const blobs = await corpus();
  const seed = Number(Deno.env.get("WASMROUTE_FUZZ_SEED") ?? 20261123);
  const rand = prng(seed);
  const serving = (await compile(
    parseAllDocuments(await Deno.readTextFile(new URL("seed-header-routing.yaml", SCENARIO_ROUTES))).map((
      d,
    ) => d.toJS()),
    { generation: 1 },
  )).blob;
  const host = newHostEmulator(
    emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(
      JSON.stringify({ blob: b64(serving) }),
    ),
  );
  assert(host.startPlugin(), host.getErrors().join("\n"));
  const v1 = "outbound|80||my-server-v1.devopssong.svc.cluster.local";
  assertEquals(decides(host, "my-server"), v1);
  const memoryAtStart = host.getMemorySize();

  let refused = 0;
  const disagreements: string[] = [];
  for (let i = 0; i < BLOBS; i++) {
    const blob = mutate(blobs[i % blobs.length], rand);
    // An empty configuration is not a blob: the filter accepts it and passes traffic through.
    let tsAccepts = true;
    try {
      decodeBlob(blob);
    } catch {
      tsAccepts = i % 2 === 0 && blob.length === 0;
    }
    // Half as Istio sends it (JSON, base64), half as raw bytes (envoy.yaml written by hand).
    const config = i % 2 ? JSON.stringify({ blob: b64(blob) }) : blob;
    const accepted = host.configure("wasmroute", config);
    if (host.getVmFailState() !== "Ok") {
      throw new Error(`blob ${i} (seed ${seed}) trapped the filter: ${host.getErrors().at(-1)}`);
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
      // Rarely, a mutation is still a valid blob: go back to the known table.
      assert(host.configure("wasmroute", JSON.stringify({ blob: b64(serving) })));
    } else refused++;
    if (i % 5000 === 0) {
      assertEquals(decides(host, "my-server"), v1, `after blob ${i} the serving table changed`);
    }
  }
  assertEquals(disagreements, [], "the filter and the TypeScript decoder disagree on these blobs");
  assertEquals(decides(host, "my-server"), v1);
  assert(refused > BLOBS * 0.8, `only ${refused} of ${BLOBS} refused: the mutations are too gentle`);
  const memoryAtEnd = host.getMemorySize();
  console.log(
    `fuzz: ${BLOBS} blobs tried, ${refused} refused, ${BLOBS - refused} valid, 0 traps, ` +
      `linear memory ${memoryAtStart} → ${memoryAtEnd} bytes`,
  );
  assert(memoryAtEnd <= 64 * 1024 * 1024, `linear memory grew to ${memoryAtEnd} bytes`);
});
