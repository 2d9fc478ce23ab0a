import { crc32 } from "node:zlib";
import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { goldenCases } from "../../tests/golden.ts";
import { BlobFormatError, decodeBlob } from "./decode_blob.ts";
import { encodeBlob } from "./encode_blob.ts";
import { parseHex } from "./hexdump.ts";

const testdata = new URL("./testdata/", import.meta.url);

Deno.test("decodeBlob() reads every golden blob back into its IR", async (t) => {
  for (const c of await goldenCases(testdata, ".ir.json")) {
    await t.step(c.name, async () => {
      const blob = parseHex(await Deno.readTextFile(new URL(`${c.name}.blob.hex`, testdata)));
      assertEquals(decodeBlob(blob), JSON.parse(await Deno.readTextFile(c.url)));
    });
  }
});

/** A valid blob with `edit` applied and its checksum made right again, so deeper checks are reached. */
function tampered(edit: (view: DataView) => void): Uint8Array {
  const blob = encodeBlob({
    generation: 1,
    vhosts: [{
      hostnames: ["h"],
      mode: "gateway",
      port: 0,
      routes: [{ conditions: [], action: { route: "r", rule: 0, backends: [], filters: [] } }],
    }],
  });
  const view = new DataView(blob.buffer);
  edit(view);
  view.setUint32(12, crc32(blob.subarray(16)) >>> 0, true);
  return blob;
}

Deno.test("decodeBlob() refuses blobs that break the format", async (t) => {
  const good = tampered(() => {});
  const cases: [string, Uint8Array, string][] = [
    ["truncated", good.slice(0, good.length - 4), "Total length"],
    ["shorter than the header", good.slice(0, 10), "shorter than its header"],
    [
      "flipped bit",
      (() => {
        const b = good.slice();
        b[b.length - 5] ^= 0x10;
        return b;
      })(),
      "Checksum",
    ],
    [
      "bad magic",
      (() => {
        const b = good.slice();
        b[0] = 0;
        return b;
      })(),
      "magic",
    ],
    ["newer format", tampered((v) => v.setUint16(4, 2, true)), "Unsupported format"],
    ["huge section count", tampered((v) => v.setUint32(20, 0x10000000, true)), "directory out of range"],
    ["section past the end", tampered((v) => v.setUint32(32 + 8, 0xffffff, true)), "out of range"],
    [
      "huge record count",
      tampered((v) => v.setUint32(v.getUint32(32 + 12 + 4, true), 0x7fffffff, true)),
      "does not match",
    ],
    [
      // The filter refuses it (found by the packed-blob fuzz test): so must the inspector.
      "empty route range starting past the routes",
      tampered((v) => {
        const vhosts = v.getUint32(32 + 12 + 4, true);
        v.setUint32(vhosts + 4 + 12, 5, true);
        v.setUint32(vhosts + 4 + 16, 0, true);
      }),
      "Virtual host 0: routes out of range",
    ],
  ];
  for (const [name, blob, message] of cases) {
    await t.step(name, () => void assertThrows(() => decodeBlob(blob), BlobFormatError, message));
  }
});

Deno.test("a rollback's blob carries the ROLLBACK header flag, and decodes with it", () => {
  const marked = encodeBlob({ generation: 4, vhosts: [], rollback: true });
  assertEquals(new DataView(marked.buffer).getUint32(24, true), 1);
  assertEquals(decodeBlob(marked), { generation: 4, vhosts: [], rollback: true });
  const plain = encodeBlob({ generation: 4, vhosts: [] });
  assertEquals(new DataView(plain.buffer).getUint32(24, true), 0);
  assertEquals(decodeBlob(plain), { generation: 4, vhosts: [] });
});

Deno.test("decodeBlob() takes the optional FRONTENDS section and refuses a bad one", async (t) => {
  const table = {
    generation: 1,
    vhosts: [],
    frontends: [{ address: "10.96.0.20", port: 9080, service: "shop/reviews", hostname: "reviews.shop" }],
  };
  await t.step("round trip", () => assertEquals(decodeBlob(encodeBlob(table)), table));
  await t.step("absent when the table has none", () => {
    const blob = encodeBlob({ generation: 1, vhosts: [] });
    assertEquals(new DataView(blob.buffer).getUint32(20, true), 8);
  });
  const edited = (edit: (view: DataView, record: number) => void) => {
    const blob = encodeBlob({
      ...table,
      frontends: [...table.frontends, { ...table.frontends[0], port: 9090 }],
    });
    const view = new DataView(blob.buffer);
    edit(view, view.getUint32(32 + 8 * 12 + 4, true) + 4); // directory entry 8 is FRONTENDS
    view.setUint32(12, crc32(blob.subarray(16)) >>> 0, true);
    return blob;
  };
  const cases: [string, (view: DataView, record: number) => void, string][] = [
    ["port 0", (v, r) => v.setUint16(r + 4, 0, true), "Frontend 0: bad address"],
    ["reserved bytes", (v, r) => v.setUint16(r + 6, 1, true), "Frontend 0: bad address"],
    ["address out of range", (v, r) => v.setUint32(r, 999, true), "out of range"],
    [
      "the same address and port twice",
      (v, r) => v.setUint16(r + 16 + 4, 9080, true),
      "Frontend 1: address and port",
    ],
  ];
  for (const [name, edit, message] of cases) {
    await t.step(name, () => void assertThrows(() => decodeBlob(edited(edit)), BlobFormatError, message));
  }
});
