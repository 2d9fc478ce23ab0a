import { assert, assertEquals } from "../../../tests/assert.ts";
import { decodeBlob, encodeBlob, isPackedBlob, packSegments, unpackBlob } from "../../blob/mod.ts";
import { compile } from "../../compile/mod.ts";
import { sampleRoute } from "../../model/testing.ts";
import { samePackedRules, sameRules } from "./same_rules.ts";

/** A packed blob, as compile() makes it. */
const blobOf = async (generation: number, ...names: string[]) =>
  (await compile(names.map((n) => sampleRoute(n)), { generation })).blob;
/** The format-1 blob inside it. */
const plainOf = async (generation: number, ...names: string[]) =>
  unpackBlob(await blobOf(generation, ...names));

Deno.test("sameRules: the same rules at another generation are the same, though checksum and generation differ", async () => {
  for (const blobAt of [blobOf, plainOf]) {
    const [a, b] = [await blobAt(1, "web"), await blobAt(7, "web")];
    assertEquals([decodeBlob(a).generation, decodeBlob(b).generation], [1, 7]);
    assert(a.subarray(12, 16).some((byte, i) => byte !== b[12 + i]), "the checksums differ");
    assert(sameRules(a, b));
    assert(sameRules(b, a));
    assert(sameRules(a, a));
  }
});

Deno.test("sameRules: other rules differ, at any generation", async () => {
  for (const blobAt of [blobOf, plainOf]) {
    const [web, api] = [await blobAt(1, "web"), await blobAt(1, "api")];
    assert(!sameRules(web, api), "other bytes");
    assert(!sameRules(await blobAt(1, "web"), await blobAt(2, "web", "api")), "other length");
    assert(!sameRules(await blobAt(1), await blobAt(2, "web")), "an empty table and a route");
  }
  const [web, api] = [await plainOf(1, "web"), await plainOf(1, "api")];
  assertEquals(web.length, api.length);
  assert(!sameRules(web, api), "same length, other bytes");
});

Deno.test("sameRules: a packed blob and a plain one never match, nor does a packed blob that does not unpack", async () => {
  const packed = await blobOf(1, "web");
  assert(isPackedBlob(packed));
  assert(!sameRules(packed, unpackBlob(packed)));
  assert(!sameRules(unpackBlob(packed), packed));
  const damaged = packed.slice();
  damaged[damaged.length - 1] ^= 1;
  assert(!sameRules(packed, damaged));
});

Deno.test("sameRules ignores exactly bytes 12..20 and 24..28 (checksum, generation, flags) of a format-1 blob", async () => {
  const a = await plainOf(1, "web");
  for (let i = 0; i < 32; i++) {
    const b = a.slice();
    b[i] ^= 0xff;
    assertEquals(sameRules(a, b), (i >= 12 && i < 20) || (i >= 24 && i < 28), `byte ${i}`);
  }
  const last = a.slice();
  last[last.length - 1] ^= 1;
  assert(!sameRules(a, last), "the last byte counts");
});

Deno.test("sameRules compares inputs shorter than a header whole", () => {
  const short = Uint8Array.from({ length: 16 }, (_, i) => i);
  assert(sameRules(short, short.slice()));
  const other = short.slice();
  other[13] = 0;
  assert(!sameRules(short, other));
  assert(sameRules(new Uint8Array(0), new Uint8Array(0)));
});

Deno.test("samePackedRules: one packer's blobs compare by their segments, the header's version fields aside", async () => {
  const packed = async (generation: number, names: string[], rollback = false) => {
    const { table } = await compile(names.map((n) => sampleRoute(n)), { generation });
    return packSegments(encodeBlob({ ...table, ...(rollback && { rollback }) }));
  };
  const web = await packed(1, ["web"]);
  assert(web.cuts.length > 0);
  assert(samePackedRules(web, await packed(9, ["web"])));
  assert(samePackedRules(web, await packed(3, ["web"], true)), "a rollback's mark is a version field");
  assert(!samePackedRules(web, await packed(1, ["api"])));
  assert(!samePackedRules(web, await packed(1, ["web", "api"])));
  assert(!samePackedRules(await packed(1, []), web));
  // Bytes that are not a format-3 blob have no segments: compared as sameRules compares them.
  const plain = packSegments(new Uint8Array([1, 2, 3]));
  assertEquals(plain.cuts, []);
  assert(samePackedRules(plain, packSegments(new Uint8Array([1, 2, 3]))));
  assert(!samePackedRules(plain, web));
});
