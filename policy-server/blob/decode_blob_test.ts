import { crc32 } from "node:zlib";
import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { goldenCases } from "../../tests/golden.ts";
import type { RouteTable } from "../ir/types.ts";
import { BlobFormatError, decodeBlob } from "./decode_blob.ts";
import { encodeBlob } from "./encode_blob.ts";
import { HEADER_SIZE, PART_ENTRY_SIZE } from "./format.ts";
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

Deno.test("decodeBlob() still reads the format-1 blobs a store kept from before format 2", async (t) => {
  const format1 = new URL("format1/", testdata);
  for (const c of await goldenCases(format1, ".ir.json")) {
    await t.step(c.name, async () => {
      const blob = parseHex(await Deno.readTextFile(new URL(`${c.name}.blob.hex`, format1)));
      assertEquals(blob[4], 1);
      assertEquals(decodeBlob(blob), JSON.parse(await Deno.readTextFile(c.url)));
    });
  }
});

const TABLE: RouteTable = {
  generation: 1,
  vhosts: [{
    hostnames: ["h"],
    mode: "gateway",
    port: 0,
    routes: [{
      path: { type: "Exact", value: "/a" },
      conditions: [],
      action: { route: "r", rule: 0, backends: [], filters: [] },
    }],
  }],
};
const PART = HEADER_SIZE + PART_ENTRY_SIZE;

/** A valid blob with `edit` applied to its one part, and its checksums made right again. */
function tampered(edit: (part: Uint8Array) => Uint8Array): Uint8Array {
  const good = encodeBlob(TABLE);
  const part = edit(good.slice(PART));
  const blob = new Uint8Array(PART + part.length);
  blob.set(good.subarray(0, PART));
  blob.set(part, PART);
  const view = new DataView(blob.buffer);
  view.setUint32(8, blob.length, true);
  view.setUint32(HEADER_SIZE, part.length, true);
  view.setUint32(HEADER_SIZE + 4, crc32(part) >>> 0, true);
  view.setUint32(12, crc32(blob.subarray(16, PART)) >>> 0, true);
  return blob;
}

/** The part's bytes with the byte at `at` (from the end when negative) set to `value`. */
const byteSet = (at: number, value: number) => (p: Uint8Array) => {
  p[at < 0 ? p.length + at : at] = value;
  return p;
};

Deno.test("decodeBlob() refuses blobs that break the format", async (t) => {
  const good = encodeBlob(TABLE);
  const header = (edit: (v: DataView) => void) => {
    const b = good.slice();
    const v = new DataView(b.buffer);
    edit(v);
    v.setUint32(12, crc32(b.subarray(16, PART)) >>> 0, true);
    return b;
  };
  const cases: [string, Uint8Array, string][] = [
    ["truncated", good.slice(0, good.length - 4), "Total length"],
    ["shorter than the header", good.slice(0, 10), "shorter than its header"],
    [
      "flipped bit in a part",
      (() => {
        const b = good.slice();
        b[b.length - 3] ^= 0x10;
        return b;
      })(),
      "Part 0: checksum",
    ],
    [
      "flipped bit in the directory",
      (() => {
        const b = good.slice();
        b[HEADER_SIZE + 5] ^= 1;
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
    ["newer format", header((v) => v.setUint16(4, 3, true)), "Unsupported format 3"],
    ["huge part count", header((v) => v.setUint32(20, 0x10000000, true)), "directory out of range"],
    ["part past the end", header((v) => v.setUint32(HEADER_SIZE, 0xffffff, true)), "Part 0 out of range"],
    ["reserved flag", header((v) => v.setUint32(24, 2, true)), "Reserved header bits"],
    ["string past the part", tampered(byteSet(2, 0x7f)), "runs past the part's end"],
    [
      "a varint of six bytes",
      tampered((_p) => Uint8Array.of(1, 0x80, 0x80, 0x80, 0x80, 0x80, 0)),
      "varint longer",
    ],
    ["bad UTF-8", tampered(byteSet(3, 0xff)), "not valid UTF-8"],
    ["string reference past the table", tampered(byteSet(-7, 9)), "string reference 9 out of range"],
    ["action reference past the actions", tampered(byteSet(-6, 1)), "action reference 1 out of range"],
    ["records past the end", tampered((p) => p.subarray(0, p.length - 1)), "runs past the part's end"],
    ["bytes after the records", tampered((p) => Uint8Array.of(...p, 0)), "bytes after its records"],
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

Deno.test("decodeBlob() takes the optional frontends part and refuses a bad one", async (t) => {
  const frontend = { address: "10.96.0.20", port: 9080, service: "shop/reviews", hostname: "reviews.shop" };
  const table = { generation: 1, vhosts: [], frontends: [frontend] };
  await t.step("round trip", () => assertEquals(decodeBlob(encodeBlob(table)), table));
  await t.step("absent when the table has none", () => {
    const blob = encodeBlob({ generation: 1, vhosts: [] });
    assertEquals(new DataView(blob.buffer).getUint32(20, true), 0);
  });
  const cases: [string, RouteTable, string][] = [
    ["port 0", { ...table, frontends: [{ ...frontend, port: 0 }] }, "frontend 0: bad address or port"],
    ["empty address", { ...table, frontends: [{ ...frontend, address: "" }] }, "frontend 0: bad address"],
    [
      "the same address and port twice",
      { ...table, frontends: [frontend, frontend] },
      "frontend 1: address and port",
    ],
  ];
  for (const [name, bad, message] of cases) {
    await t.step(name, () => void assertThrows(() => decodeBlob(encodeBlob(bad)), BlobFormatError, message));
  }
});
