import { assert, assertEquals } from "../../tests/assert.ts";
import { BenchHost, prepare } from "./bench_host.ts";
import { baselineWasm, compiledTable, FILTER_WASM, filterWasm } from "./fixtures.ts";
import { generateRequests } from "./generate_routes.ts";

const built = await Deno.stat(FILTER_WASM).then(() => true, () => false);

Deno.test({
  name: "the bench host routes generated requests to their rules and leaves the requests as they were",
  ignore: !built,
  async fn() {
    const table = await compiledTable(50);
    const host = new BenchHost({ wasm: await filterWasm(), configuration: table.pluginConfig });
    const requests = generateRequests(table.generated, 40);
    for (const r of requests) assertEquals(host.decide(r.headers).cluster, r.cluster);
    const prepared = prepare(requests.map((r) => r.headers));
    host.timeRequestHeaders(prepared, 100);
    host.timeStreams(prepared, 100);
    prepared.forEach((p, i) => assertEquals(p.live, requests[i].headers));
    assertEquals(host.errors(), []);
    host.close();
  },
});

Deno.test({
  name: "the bench host answers proxy_get_log_level with info unless told to keep the host's trace",
  ignore: !built,
  async fn() {
    const table = await compiledTable(10);
    const requests = prepare(generateRequests(table.generated, 10).map((r) => r.headers));
    const logsPerRequest = (host: BenchHost) => {
      const before = host.host.state.logs.length;
      host.timeStreams(requests, 10);
      host.close();
      return (host.host.state.logs.length - before) / 10;
    };
    const info = new BenchHost({ wasm: await filterWasm(), configuration: table.pluginConfig });
    // A filter that never asks for the level has nothing to be answered.
    if (info.logLevelPatched === 0) return info.close();
    const atInfo = logsPerRequest(info);
    assertEquals(atInfo, 0, "nothing logged per request at info");
    const trace = new BenchHost({
      wasm: await filterWasm(),
      configuration: table.pluginConfig,
      logLevel: "host",
    });
    assertEquals(trace.logLevelPatched, 0);
    assert(logsPerRequest(trace) >= atInfo);
  },
});

Deno.test("the baseline module reads :authority and :path and continues", async () => {
  const host = new BenchHost({ wasm: await baselineWasm(), countCalls: true });
  host.calls.clear();
  const result = host.decide([[":authority", "a.example.com"], [":path", "/x"], [":method", "GET"]]);
  assertEquals(result, { cluster: undefined, status: undefined, action: "Continue" });
  assertEquals([...host.calls].map(([name, s]) => [name, s.calls]), [["proxy_get_header_map_value", 2]]);
  host.close();
});
