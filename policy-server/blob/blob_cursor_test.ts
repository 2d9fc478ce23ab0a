import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { Cursor } from "./blob_cursor.ts";
import { BlobFormatError } from "./blob_format_error.ts";

Deno.test("Cursor reads varints up to 32 bits and marks what it read", () => {
  const notes: [number, number, string][] = [];
  const c = new Cursor(
    new Uint8Array([0x05, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    100,
    "Part",
    (f, t, w) => notes.push([f, t, w]),
  );
  assertEquals([c.varint(), c.varint()], [5, 0xffffffff]);
  c.mark(1, "the second");
  assertEquals(notes, [[101, 106, "the second"]]);
});

Deno.test("Cursor refuses a read past its bytes, a varint over 32 bits or over five bytes, naming its part", () => {
  const cases: [number[], string][] = [
    [[0x80], "Part: record runs past its section's end"],
    [[0xff, 0xff, 0xff, 0xff, 0x1f], "Part: varint over 32 bits"],
    [[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "Part: varint longer than 5 bytes"],
  ];
  for (const [bytes, message] of cases) {
    assertThrows(() => new Cursor(new Uint8Array(bytes), 0, "Part").varint(), BlobFormatError, message);
  }
});
