import assert from "node:assert/strict";
import { decodePairs, encodePairs, PAIRS_MAX_COUNT, pairsSize } from "./pairs.ts";

// {"a": "1", "bb": "22"} as cpp-host serializes it.
const SERIALIZED = [
  2,
  0,
  0,
  0, //      number of pairs
  1,
  0,
  0,
  0, //      length of "a"
  1,
  0,
  0,
  0, //      length of "1"
  2,
  0,
  0,
  0, //      length of "bb"
  2,
  0,
  0,
  0, //      length of "22"
  0x61,
  0, //         "a" NUL
  0x31,
  0, //         "1" NUL
  0x62,
  0x62,
  0, //   "bb" NUL
  0x32,
  0x32,
  0, //   "22" NUL
];

Deno.test("encodePairs() writes the layout cpp-host reads", () => {
  assert.deepEqual([...encodePairs([["a", "1"], ["bb", "22"]])], SERIALIZED);
  assert.equal(pairsSize([["a", "1"], ["bb", "22"]]), SERIALIZED.length);
});

Deno.test("decodePairs() reads what encodePairs() writes, UTF-8 included", () => {
  const headers: [string, string][] = [["x-name", "värde ✓"], ["", ""], ["emoji", "🚀"]];
  assert.deepEqual(decodePairs(encodePairs(headers)), headers);
  assert.equal(pairsSize(headers), encodePairs(headers).length);
  assert.deepEqual(decodePairs(new Uint8Array(SERIALIZED)), [["a", "1"], ["bb", "22"]]);
});

Deno.test("decodePairs() yields no headers for malformed input, as cpp-host", async (t) => {
  const cases: [string, number[]][] = [
    ["empty", []],
    ["shorter than the count", [1, 0, 0]],
    ["count beyond the data", [3, 0, 0, 0, 1, 0, 0, 0]],
    ["missing NUL after a name", SERIALIZED.map((b, i) => (i === 21 ? 0x7a : b))],
    ["trailing byte", [...SERIALIZED, 0]],
    ["value longer than the data", [1, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0x61, 0]],
    ["more pairs than cpp-host accepts", [...new Uint8Array(new Uint32Array([PAIRS_MAX_COUNT + 1]).buffer)]],
  ];
  for (const [name, bytes] of cases) {
    await t.step(name, () => assert.deepEqual(decodePairs(new Uint8Array(bytes)), []));
  }
});

Deno.test("decodePairs() reads a zero count as an empty map", () => {
  assert.deepEqual(decodePairs(new Uint8Array([0, 0, 0, 0])), []);
});
