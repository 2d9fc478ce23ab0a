import { assertEquals } from "../../tests/assert.ts";
import { assertGolden, goldenCases } from "../../tests/golden.ts";
import type { RouteTable } from "../ir/types.ts";
import { encodeBlob } from "./encode_blob.ts";
import { formatHex } from "./hexdump.ts";

const testdata = new URL("./testdata/", import.meta.url);

Deno.test("encodeBlob() writes the golden bytes of every blob case", async (t) => {
  for (const c of await goldenCases(testdata, ".ir.json")) {
    await t.step(c.name, async () => {
      const table: RouteTable = JSON.parse(await Deno.readTextFile(c.url));
      await assertGolden(new URL(`${c.name}.blob.hex`, testdata), formatHex(encodeBlob(table)));
    });
  }
});

Deno.test("encodeBlob() is deterministic and stores equal strings once", () => {
  const backend = { cluster: "c", label: "c", weight: 1, filters: [] };
  const table: RouteTable = {
    generation: 1,
    vhosts: [{
      hostnames: ["c"],
      mode: "mesh",
      port: 0,
      routes: [{ conditions: [], action: { route: "c", rule: 0, backends: [backend], filters: [] } }],
    }],
  };
  const a = encodeBlob(table), b = encodeBlob(structuredClone(table));
  assertEquals(a, b);
  assertEquals(new DataView(a.buffer).getUint32(a[36], /* STRINGS offset */ true), 1);
});

Deno.test("encodeBlob() writes an action shared by several matches once", () => {
  const action = { route: "ns/r", rule: 0, backends: [], filters: [] };
  const table: RouteTable = {
    generation: 1,
    vhosts: [{
      hostnames: ["h"],
      mode: "gateway",
      port: 0,
      routes: [{ conditions: [], action }, { conditions: [], action }],
    }],
  };
  const blob = encodeBlob(table);
  const view = new DataView(blob.buffer);
  const actionsAt = view.getUint32(32 + 4 * 12 + 4, true); // directory entry 4 is ACTIONS
  assertEquals(view.getUint32(actionsAt, true), 1);
});
