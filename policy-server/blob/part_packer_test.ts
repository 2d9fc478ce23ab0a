import { assert, assertEquals } from "../../tests/assert.ts";
import { prng } from "../../tests/prng.ts";
import type { RouteTable } from "../ir/types.ts";
import { assembleBlob, type EncodedPart, encodeParts, encodeVirtualHostPart } from "./encode_blob.ts";
import { packSegments, unpackBlob } from "./pack_blob.ts";
import { PartPacker } from "./part_packer.ts";
import { exampleHost, exampleTable } from "./testdata/_example_table.ts";

const reference = (table: Pick<RouteTable, "generation" | "rollback">, parts: EncodedPart[]) =>
  packSegments(assembleBlob(table, parts));

Deno.test("PartPacker packs a blob's parts into packBlob's bytes, with the same cuts", () => {
  for (const table of [exampleTable(0), exampleTable(1), exampleTable(40), exampleTable(3000, 77)]) {
    const parts = encodeParts(table);
    assertEquals(new PartPacker().pack(table, parts), reference(table, parts));
  }
  const rollback = { ...exampleTable(5, 3), rollback: true };
  assertEquals(
    new PartPacker().pack(rollback, encodeParts(rollback)),
    reference(rollback, encodeParts(rollback)),
  );
});

Deno.test("PartPacker gives packBlob's bytes along a random sequence of edits, reusing its last pack", () => {
  const rand = prng(11);
  const packer = new PartPacker();
  let parts = encodeParts(exampleTable(2500));
  let next = 10_000;
  for (let step = 1; step <= 25; step++) {
    const at = Math.floor(rand() * (parts.length + 1));
    const edit = rand();
    parts = [...parts];
    // Replace, insert or remove a virtual host's part; the others stay the same objects.
    if (edit < 0.5 && parts.length > 0) {
      parts[Math.min(at, parts.length - 1)] = encodeVirtualHostPart(exampleHost(next++, 1 + step % 12));
    } else if (edit < 0.8) parts.splice(at, 0, encodeVirtualHostPart(exampleHost(next++, step % 30)));
    else parts.splice(at, 1);
    const head = { generation: step };
    const packed = packer.pack(head, parts);
    assertEquals(packed, reference(head, parts), `step ${step}`);
    assertEquals(unpackBlob(packed.bytes), assembleBlob(head, parts));
  }
});

Deno.test("PartPacker compresses only the segments whose parts changed", () => {
  const table = exampleTable(3000);
  const parts = encodeParts(table);
  const packer = new PartPacker();
  const first = packer.pack(table, parts);
  const changed = [...parts];
  changed[2000] = encodeVirtualHostPart(exampleHost(2000, 10, 4444));
  const second = packer.pack({ generation: 2 }, changed);
  const segments = (p: { bytes: Uint8Array; cuts: readonly number[] }) =>
    [16, ...p.cuts].map((c, i) => p.bytes.subarray(c, p.cuts[i] ?? p.bytes.length));
  const before = segments(first);
  const after = segments(second);
  assertEquals(after.length, before.length);
  // The header's segment, the last (it ends the stream) and the changed part's: the rest are the
  // last pack's bytes.
  const differing = after.filter((s, i) => s.join() !== before[i].join()).length;
  assert(differing >= 2 && differing <= 7, `${differing} of ${after.length} segments differ`);
});
