import { assert, assertEquals } from "../../tests/assert.ts";
import { encodeBlob } from "./encode_blob.ts";
import { HEADER_SIZE } from "./format.ts";
import { SEGMENT_MAX, SEGMENT_MIN, segmentBlob } from "./segment_blob.ts";
import { exampleHost, exampleTable } from "./testdata/_example_table.ts";

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("segmentBlob() splits a blob into consecutive segments, the header first and alone", () => {
  for (const table of [exampleTable(0), exampleTable(1), exampleTable(3000)]) {
    const blob = encodeBlob(table);
    const segments = segmentBlob(blob);
    assertEquals(concat(segments), blob);
    assertEquals(segments[0].length, HEADER_SIZE);
    assert(segments.every((s) => s.length > 0));
  }
});

Deno.test("segmentBlob() cuts a large blob into segments of SEGMENT_MIN to SEGMENT_MAX bytes", () => {
  const segments = segmentBlob(encodeBlob(exampleTable(3000))).slice(1);
  assert(segments.length > 20, `only ${segments.length} segments`);
  // The last segment of each of the five columns may be shorter than the minimum.
  assert(segments.filter((s) => s.length < SEGMENT_MIN).length <= 5);
  assert(segments.every((s) => s.length <= SEGMENT_MAX + 4096));
});

Deno.test("segmentBlob() keeps the segments a change to one virtual host does not reach", () => {
  const table = exampleTable(3000);
  const before = segmentBlob(encodeBlob(table)).map(hex);
  for (const [n, change] of [[1500, 9090], [17, 7070], [2999, 1]]) {
    const vhosts = [...table.vhosts];
    vhosts[n] = exampleHost(n, 10, change);
    const after = segmentBlob(encodeBlob({ ...table, vhosts })).map(hex);
    const kept = new Set(before);
    // The header, and in each of the five columns the segment holding the host (or two, when the
    // change moves a cut).
    assert(after.filter((s) => !kept.has(s)).length <= 6, `${after.filter((s) => !kept.has(s)).length} new`);
  }
  const inserted = segmentBlob(encodeBlob({ ...table, vhosts: [exampleHost(9999), ...table.vhosts] })).map(
    hex,
  );
  assert(inserted.filter((s) => !new Set(before).has(s)).length <= 11);
});

Deno.test("segmentBlob() takes bytes that are not a format-3 blob whole", () => {
  const blob = encodeBlob(exampleTable(2));
  const cases = [
    new Uint8Array([1, 2, 3]),
    blob.slice(0, blob.length - 1),
    Object.assign(blob.slice(), { 4: 1 }), // another format
    Object.assign(blob.slice(), { 28: 0xff }), // a directory past the end
  ];
  for (const bytes of cases) assertEquals(segmentBlob(bytes), [bytes]);
});
