import { crc32 } from "node:zlib";
import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { goldenCases } from "../../tests/golden.ts";
import type { RouteTable } from "../ir/types.ts";
import { BlobFormatError, decodeBlob } from "./decode_blob.ts";
import { assembleBlob, encodeBlob, encodeParts } from "./encode_blob.ts";
import { HEADER_SIZE, SECTION } from "./format.ts";
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

Deno.test("decodeBlob() still reads the format-1 blobs a store kept from the release before", async (t) => {
  const dir = new URL("format1/", testdata);
  for (const c of await goldenCases(dir, ".ir.json")) {
    await t.step(c.name, async () => {
      const blob = parseHex(await Deno.readTextFile(new URL(`${c.name}.blob.hex`, dir)));
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
      action: {
        route: "ns/r",
        rule: 0,
        backends: [{
          cluster: "outbound|80||s.ns.svc.cluster.local",
          label: "ns/s:80",
          weight: 1,
          filters: [],
        }],
        filters: [],
      },
    }],
  }],
};

/**
 * A valid blob with `edit` applied to one section of its one part, and its directory and checksum
 * made right again. The sections of TABLE's part: tables `01 03 [ns/r] [h] [s] 00`, records
 * `01 01 00 00 00 00 01 01 01 00`, rule IDs `01 01 01 00`, rules `00 00 01 02 01 02 01 50 00`.
 */
function tampered(section: number, edit: (bytes: Uint8Array) => Uint8Array): Uint8Array {
  const [part] = encodeParts(TABLE);
  const sections = part.sections.map((s, k) => (k === section ? edit(s.slice()) : s));
  return assembleBlob(TABLE, [{ sections }]);
}

/** The section's bytes with the byte at `at` (from the end when negative) set to `value`. */
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
    v.setUint32(12, crc32(b.subarray(16)) >>> 0, true);
    return b;
  };
  const flipped = (at: number) => {
    const b = good.slice();
    b[at < 0 ? b.length + at : at] ^= 0x10;
    return b;
  };
  const { RECORDS, RULE_IDS, RULES, TABLES } = SECTION;
  const cases: [string, Uint8Array, string][] = [
    ["truncated", good.slice(0, good.length - 4), "Total length"],
    ["shorter than the header", good.slice(0, 10), "shorter than its header"],
    ["flipped bit in a part", flipped(-3), "Checksum"],
    ["flipped bit in the directory", flipped(HEADER_SIZE + 1), "Checksum"],
    [
      "bad magic",
      (() => {
        const b = good.slice();
        b[0] = 0;
        return b;
      })(),
      "magic",
    ],
    ["newer format", header((v) => v.setUint16(4, 4, true)), "Unsupported format 4"],
    [
      "huge part count",
      header((v) => v.setUint32(20, 0x10000000, true)),
      "Part count past the part directory",
    ],
    ["directory past the end", header((v) => v.setUint32(28, 0xffffff, true)), "directory out of range"],
    ["section past the end", header((v) => v.setUint8(HEADER_SIZE, 0x7f)), "do not end at the blob's end"],
    ["reserved flag", header((v) => v.setUint32(24, 2, true)), "Reserved header bits"],
    ["string past the part", tampered(TABLES, byteSet(2, 0x7f)), "runs past"],
    [
      "a varint of six bytes",
      tampered(RECORDS, (_p) => Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0)),
      "varint longer",
    ],
    ["bad UTF-8", tampered(TABLES, byteSet(3, 0xff)), "not valid UTF-8"],
    ["string reference past the table", tampered(RECORDS, byteSet(1, 9)), "string reference 9 out of range"],
    [
      "action reference past the actions",
      tampered(RECORDS, byteSet(-1, 1)),
      "action reference 1 out of range",
    ],
    [
      "rule number past the HTTPRoutes' rules",
      tampered(RULE_IDS, byteSet(-1, 2)),
      "rule number 1 out of range",
    ],
    ["an HTTPRoute of no rules", tampered(RULE_IDS, byteSet(2, 0)), "ns/r: 0 rules"],
    [
      "the HTTPRoute namespace outside a rule",
      tampered(RECORDS, byteSet(1, 2)),
      "HTTPRoute namespace outside a rule",
    ],
    [
      "records past the end",
      tampered(RECORDS, (p) => p.subarray(0, p.length - 1)),
      "runs past its section's end",
    ],
    ["bytes after the records", tampered(RECORDS, (p) => Uint8Array.of(...p, 0)), "bytes after its records"],
    ["bytes after the rules", tampered(RULES, (p) => Uint8Array.of(...p, 0)), "bytes after its rules"],
    ["bytes after the tables", tampered(TABLES, (p) => Uint8Array.of(...p, 0)), "bytes after its tables"],
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
