/**
 * Weighted splits counted exactly: the filter spreads each request by the hash of its x-request-id,
 * so over a fixed set of ids each backend's count is known exactly from the TypeScript reference of
 * that hash and pick (testdata/sticky_hash.ts). A tolerance-based share check lets a weight off by one (71/29
 * for 70/30) through; an exact count does not.
 */
import { compileSimulator, loadResources } from "../../../tools/simulate.ts";
import { assert, assertEquals } from "../../../tests/assert.ts";
import { referenceHashKey, referencePick } from "./testdata/sticky_hash.ts";

const RESOURCES =
  new URL("../../../tests/conformance/httproute-weight/resources.yaml", import.meta.url).pathname;
const BACKENDS = ["infra/web-v1:8080", "infra/web-v2:8080", "infra/web-v3:8080"];
const IDS = Array.from({ length: 1000 }, (_, n) => `w-${n}`);

function referenceCounts(weights: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of IDS) {
    const backend = BACKENDS[referencePick(referenceHashKey(id), weights)];
    counts[backend] = (counts[backend] ?? 0) + 1;
  }
  return counts;
}

Deno.test("a 70/30/0 split sends each backend exactly the requests its weight's share of the hash picks", async () => {
  const { simulator } = await compileSimulator(await loadResources(RESOURCES));
  const counts: Record<string, number> = {};
  for (const id of IDS) {
    const d = simulator.decide({
      host: "weights.test",
      path: "/",
      gateway: "infra/edge",
      headers: { "x-request-id": id },
    });
    const key = d.backend ?? `none (status ${d.status})`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  assertEquals(counts, referenceCounts([70, 30, 0]));
});

Deno.test("the exact count tells a weight off by one from the right one", () => {
  const right = referenceCounts([70, 30, 0]), offByOne = referenceCounts([71, 29, 0]);
  assert(
    right["infra/web-v1:8080"] !== offByOne["infra/web-v1:8080"],
    "70/30 and 71/29 pick alike on these ids",
  );
  // Both stay within the 5 % tolerance of the conformance split, which is why it cannot tell them apart.
  assert(Math.abs(offByOne["infra/web-v1:8080"] / IDS.length - 0.7) < 0.05);
});
