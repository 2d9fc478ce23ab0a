import { constants, crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { envelope, streamCases } from "../../tests/deflate_streams.ts";
import { goldenCases } from "../../tests/golden.ts";
import type { RouteTable } from "../ir/types.ts";
import { BlobFormatError } from "./blob_format_error.ts";
import { decodeBlob } from "./decode_blob.ts";
import { encodeBlob } from "./encode_blob.ts";
import { MAX_UNPACKED_LENGTH } from "./format.ts";
import { isPackedBlob, PACK_LEVEL, packBlob, packSegments, unpackBlob } from "./pack_blob.ts";
import { segmentBlob } from "./segment_blob.ts";
import { exampleTable } from "./testdata/_example_table.ts";

const testdata = new URL("./testdata/", import.meta.url);

async function goldenBlobs(): Promise<{ name: string; table: RouteTable; blob: Uint8Array }[]> {
  const out = [];
  for (const c of await goldenCases(testdata, ".ir.json")) {
    const table: RouteTable = JSON.parse(await Deno.readTextFile(c.url));
    out.push({ name: c.name, table, blob: encodeBlob(table) });
  }
  return out;
}

Deno.test("packBlob() round-trips through unpackBlob(), and decodeBlob() reads either form", async (t) => {
  for (const { name, table, blob } of await goldenBlobs()) {
    await t.step(name, () => {
      const packed = packBlob(blob);
      assert(isPackedBlob(packed) && !isPackedBlob(blob));
      assertEquals(unpackBlob(packed), blob);
      assertEquals(decodeBlob(packed), table);
      assertEquals(decodeBlob(blob), table);
    });
  }
});

Deno.test("packBlob() writes the documented header and the same bytes every time", () => {
  const blob = encodeBlob({ generation: 9, vhosts: [] });
  const packed = packBlob(blob);
  const view = new DataView(packed.buffer);
  assertEquals([...packed.subarray(0, 8)], [0x57, 0x52, 0x54, 0x5a, 1, 1, 0, 0]);
  assertEquals(view.getUint32(8, true), blob.length);
  assertEquals(view.getUint32(12, true), crc32(packed.subarray(16)) >>> 0);
  assertEquals(packBlob(blob.slice()), packed);
});

Deno.test("packBlob() compresses each segment on its own, ending the stream with an empty final block", () => {
  const blob = encodeBlob(exampleTable(3000));
  const { bytes, cuts } = packSegments(blob);
  const segments = segmentBlob(blob);
  assert(segments.length > 20);
  const ends = [...cuts, bytes.length - 2];
  segments.forEach((segment, i) => {
    const stream = bytes.subarray(i === 0 ? 16 : cuts[i - 1], ends[i]);
    assertEquals(
      stream,
      new Uint8Array(deflateRawSync(segment, { level: PACK_LEVEL, finishFlush: constants.Z_SYNC_FLUSH })),
    );
    // A segment's stream ends in a sync flush's empty stored block: LEN 0, NLEN 0xffff.
    assertEquals([...stream.subarray(-4)], [0, 0, 0xff, 0xff]);
  });
  assertEquals(cuts.length, segments.length - 1);
  assertEquals([...bytes.subarray(-2)], [0x03, 0x00]);
  assertEquals(unpackBlob(bytes), blob);
  assertEquals(new Uint8Array(inflateRawSync(bytes.subarray(16))), blob);
});

Deno.test("packBlob() refuses what no envelope may declare", () => {
  assertThrows(() => packBlob(new Uint8Array()), RangeError, "0 bytes");
});

Deno.test("unpackBlob() refuses envelopes that break the header rules", async (t) => {
  const blob = encodeBlob({ generation: 1, vhosts: [] });
  const stream = new Uint8Array(deflateRawSync(blob));
  const good = envelope(stream, blob.length);
  const edited = (at: number, value: number) => {
    const b = good.slice();
    b[at] = value;
    return b;
  };
  const cases: [string, Uint8Array, string][] = [
    ["shorter than the header", good.slice(0, 15), "shorter than its 16-byte header"],
    ["bad magic", edited(3, 0x42), "Bad magic"],
    ["version 2", envelope(stream, blob.length, [2, 1, 0, 0]), "version 2"],
    ["method 8 (zlib's deflate number)", envelope(stream, blob.length, [1, 8, 0, 0]), "compression method 8"],
    ["reserved bytes set", envelope(stream, blob.length, [1, 1, 0, 1]), "Reserved"],
    ["declared length 0", envelope(stream, 0), "length is 0"],
    ["declared length over 64 MiB", envelope(stream, MAX_UNPACKED_LENGTH + 1), "over the limit"],
    ["declared length DEFLATE cannot reach", envelope(stream, stream.length * 1032 + 1), "can hold"],
    ["compressed bytes damaged", edited(20, good[20] ^ 1), "Checksum mismatch"],
    ["declared length short", envelope(stream, blob.length - 1), "more than the declared"],
    ["declared length long", envelope(stream, blob.length + 1), `inflates to ${blob.length} bytes, not`],
    ["bytes after the stream", envelope(new Uint8Array([...stream, 0, 0]), blob.length), "2 bytes follow"],
  ];
  for (const [name, bytes, message] of cases) {
    await t.step(name, () => {
      assertThrows(() => unpackBlob(bytes), BlobFormatError, message);
    });
  }
  assertEquals(unpackBlob(good), blob);
});

Deno.test("unpackBlob() inflates exactly the streams zlib inflates and refuses the rest", async (t) => {
  for (const c of streamCases()) {
    await t.step(c.name, () => {
      const length = c.output?.length || 16;
      const packed = envelope(c.stream, length);
      if (c.output?.length) {
        assertEquals(unpackBlob(packed), c.output);
      } else {
        assertThrows(() => unpackBlob(packed), BlobFormatError);
      }
    });
  }
});

Deno.test("decodeBlob() names the envelope's problem for a packed blob and the inner one's after it", () => {
  const blob = encodeBlob({ generation: 1, vhosts: [] });
  assertThrows(() => decodeBlob(packBlob(blob).slice(0, 20)), BlobFormatError, "Checksum mismatch");
  const broken = blob.slice();
  broken[12] ^= 1; // the inner blob's own checksum
  assertThrows(() => decodeBlob(packBlob(broken)), BlobFormatError, "Checksum mismatch");
  assertThrows(
    () => decodeBlob(packBlob(new Uint8Array([1, 2, 3]))),
    BlobFormatError,
    "shorter than its header",
  );
});
