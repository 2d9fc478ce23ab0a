import { assertEquals } from "../../tests/assert.ts";
import { sha256Hex } from "../compile/mod.ts";
import { PieceDigests } from "./piece_digests.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const sha = (pieces: Uint8Array[]) => Promise.all(pieces.map((p) => sha256Hex(p)));

Deno.test("PieceDigests gives each piece its SHA-256, for pieces new, seen in the last call and repeated", async () => {
  const digests = new PieceDigests();
  const first = [bytes(1, 2, 3), bytes(4), bytes()];
  assertEquals(await digests.of(first), await sha(first));
  const second = [bytes(4), bytes(1, 2, 3), bytes(1, 2, 3), bytes(9, 9)];
  assertEquals(await digests.of(second), await sha(second));
});

Deno.test("PieceDigests takes a remembered digest only for the very same bytes, whatever their key says", async () => {
  // Every piece filed under one key: a piece is found again only if its bytes are equal.
  const digests = new PieceDigests(() => "one key");
  const pieces = [bytes(1, 2, 3), bytes(1, 2, 4), bytes(7)];
  for (const piece of pieces) assertEquals(await digests.of([piece]), await sha([piece]));
  // Bytes that were the last call's, in another buffer, at another offset.
  const shifted = new Uint8Array([0, 7]).subarray(1);
  assertEquals(await digests.of([shifted]), await sha([shifted]));
});
