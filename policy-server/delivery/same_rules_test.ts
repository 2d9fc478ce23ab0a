import { assert, assertEquals } from "../../tests/assert.ts";
import { decodeBlob } from "../blob/mod.ts";
import { compile } from "../compile/mod.ts";
import { sampleRoute } from "../model/testing.ts";
import { sameRules } from "./same_rules.ts";

const blobOf = async (generation: number, ...names: string[]) =>
  (await compile(names.map((n) => sampleRoute(n)), { generation })).blob;

Deno.test("sameRules: the same rules at another generation are the same, though checksum and generation differ", async () => {
  const [a, b] = [await blobOf(1, "web"), await blobOf(7, "web")];
  assertEquals([decodeBlob(a).generation, decodeBlob(b).generation], [1, 7]);
  assert(a.subarray(12, 16).some((byte, i) => byte !== b[12 + i]), "the checksums differ");
  assert(sameRules(a, b));
  assert(sameRules(b, a));
  assert(sameRules(a, a));
});

Deno.test("sameRules: other rules differ, at any generation", async () => {
  const [web, api] = [await blobOf(1, "web"), await blobOf(1, "api")];
  assertEquals(web.length, api.length);
  assert(!sameRules(web, api), "same length, other bytes");
  assert(!sameRules(await blobOf(1, "web"), await blobOf(2, "web", "api")), "other length");
  assert(!sameRules(await blobOf(1), await blobOf(2, "web")), "an empty table and a route");
});

Deno.test("sameRules ignores exactly bytes 12..20", async () => {
  const a = await blobOf(1, "web");
  for (let i = 0; i < 32; i++) {
    const b = a.slice();
    b[i] ^= 0xff;
    assertEquals(sameRules(a, b), i >= 12 && i < 20, `byte ${i}`);
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
