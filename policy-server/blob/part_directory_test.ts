import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { BlobFormatError } from "./blob_format_error.ts";
import { encodeBlob, encodeParts } from "./encode_blob.ts";
import { HEADER_SIZE } from "./format.ts";
import { readPartDirectory } from "./part_directory.ts";
import { exampleTable } from "./testdata/_example_table.ts";

Deno.test("readPartDirectory gives each part's section lengths and its entry, as the encoder wrote them", () => {
  const table = exampleTable(3);
  const blob = encodeBlob(table);
  const dir = readPartDirectory(blob);
  assertEquals(dir.lengths, encodeParts(table).map((p) => p.sections.map((s) => s.length)));
  assertEquals(dir.entries[0][0], HEADER_SIZE);
  assertEquals(dir.entries.at(-1)![1], dir.end);
  dir.entries.slice(1).forEach(([from], i) => assertEquals(from, dir.entries[i][1]));
});

Deno.test("readPartDirectory refuses a directory that does not fit the blob, naming why", () => {
  const blob = encodeBlob(exampleTable(2));
  const edited = (at: number, value: number) => {
    const out = blob.slice();
    new DataView(out.buffer).setUint32(at, value, true);
    return out;
  };
  const cases: [Uint8Array, string][] = [
    [edited(28, 0xffffff), "Part directory out of range"],
    [edited(20, 1000), "Part count past the part directory"],
    [edited(20, 1), "Bytes after the part directory"],
    [blob.slice(0, blob.length - 1), "Parts do not end at the blob's end"],
  ];
  for (const [bytes, message] of cases) {
    assertThrows(() => readPartDirectory(bytes), BlobFormatError, message);
  }
});
