// Envoy keeps many streams open on one worker and ends them in any order. The filter keeps its
// stream contexts in its own table and reuses their objects (abi/context_table.ts, filter.ts): each
// stream must still be answered as itself, whatever was created and deleted around it.
import { assertEquals } from "../assert.ts";
import { exampleFilter } from "./example_filter.ts";
import { prng } from "../prng.ts";
import { decidedCluster } from "../../tools/envoy/render_envoy_config.ts";

const V1 = "outbound|80||my-server-v1.devopssong.svc.cluster.local";
const V2 = "outbound|80||my-server-v2.devopssong.svc.cluster.local";

Deno.test("hundreds of interleaved streams, ended in random order, are each decided as themselves", async () => {
  const host = await exampleFilter("header-routing");
  const random = prng(7);
  const open = new Map<number, string>();
  let checked = 0;
  for (let round = 0; round < 20; round++) {
    // Open a burst of streams, each wanting v2 or v1, then answer their headers in shuffled order.
    const burst: [number, string][] = [];
    for (let i = 0; i < 40; i++) {
      const id = host.initializeHttpContext();
      const want = random() < 0.5 ? V2 : V1;
      open.set(id, want);
      burst.push([id, want]);
    }
    burst.sort(() => random() - 0.5);
    for (const [id, want] of burst) {
      const headers: [string, string][] = [[":method", "GET"], [":path", "/"], [":authority", "my-server"]];
      if (want === V2) headers.push(["version", "new"]);
      host.callOnRequestHeaders(id, headers, true);
      assertEquals(decidedCluster(host.getCurrentRequestHeaders(id)), want);
      checked++;
    }
    // End a random half of everything open, so later streams reuse ids' slots and objects.
    for (const id of [...open.keys()]) {
      if (random() < 0.5) {
        host.completeHttpContext(id);
        open.delete(id);
      }
    }
  }
  assertEquals(checked, 800);
  assertEquals(host.getErrors(), []);
});
