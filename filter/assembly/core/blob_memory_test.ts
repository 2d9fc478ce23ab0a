/**
 * The linear memory a decoded table takes, in the real module (the in-repo host through the bench's
 * harness): memory grows once by what the table needs (core/reserve.ts), so past the size where
 * the heap would have doubled a rule costs what it holds, not twice that, and the configuration is
 * in memory once (abi/host_buffers.ts). Issue 22's target is 500 bytes of linear memory per rule.
 */
import { assert, assertEquals } from "../../../tests/assert.ts";
import { BenchHost } from "../../../tools/bench/bench_host.ts";
import { compiledTable, FILTER_WASM, filterWasm } from "../../../tools/bench/fixtures.ts";
import { generateRequests } from "../../../tools/bench/generate_routes.ts";

const built = await Deno.stat(FILTER_WASM).then(() => true, () => false);

/** The serving VM's linear memory once `rules` generated rules are configured, checked by routing some requests. */
async function memoryAfterLoading(rules: number): Promise<number> {
  const table = await compiledTable(rules);
  const host = new BenchHost({ wasm: await filterWasm(), configuration: table.pluginConfig });
  try {
    for (const r of generateRequests(table.generated, 20, 3)) {
      assertEquals(host.decide(r.headers).cluster, r.cluster);
    }
    return host.memoryBytes();
  } finally {
    host.close();
  }
}

Deno.test({
  name: "a 30,000-rule table takes at most 360 bytes of linear memory per rule, not the doubled heap's 600",
  ignore: !built,
  async fn() {
    const small = await memoryAfterLoading(10);
    const perRule = (await memoryAfterLoading(30_000) - small) / 29_990;
    // 343 when the reservation is what the table takes; one that fell short would double the heap,
    // one a tenth too large would show here too.
    assert(perRule <= 360, `${perRule.toFixed(0)} bytes per rule`);
  },
});
