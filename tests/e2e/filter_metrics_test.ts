// The filter counts requests itself and hands the counters to Envoy on its root context's tick
// (docs/troubleshooting.md): no host call per request, at most a tick late.
import { parseAllDocuments } from "yaml";
import { assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { renderWasmPlugin } from "../../policy-server/delivery/render_wasmplugin.ts";
import type { KubeObject } from "../../policy-server/model/types.ts";
import { emulatorOptions, newHostEmulator } from "../../tools/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";

const ROUTES = await Deno.readTextFile(new URL("../../examples/header-routing/routes.yaml", import.meta.url));

Deno.test("request counters reach the host only on tick, each request counted once", async () => {
  const resources = parseAllDocuments(ROUTES).map((d) => d.toJS() as KubeObject).filter(Boolean);
  const { blob, sha256 } = await compile(resources, { generation: 1 });
  const config = JSON.stringify(renderWasmPlugin({ blob, sha256, generation: 1 }).spec.pluginConfig);
  const host = newHostEmulator(
    emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(config),
  );
  assertEquals(host.startPlugin(), true, host.getErrors().join("\n"));
  const send = (authority: string, path: string) => {
    const id = host.initializeHttpContext();
    host.callOnRequestHeaders(id, [[":method", "GET"], [":path", path], [":authority", authority]], true);
    host.completeHttpContext(id);
  };
  send("my-server", "/");
  send("my-server", "/a");
  send("unknown.example", "/");
  const counters = () =>
    ["requests_total", "routed_total", "local_replies_total"].map((n) =>
      host.getCounterMetric(`wasmroute.${n}`) ?? 0
    );
  assertEquals(counters(), [0, 0, 0], "nothing is handed over before the tick");
  host.tick();
  assertEquals(counters(), [3, 2, 0]);
  send("my-server", "/");
  host.tick();
  host.tick();
  assertEquals(counters(), [4, 3, 0], "each request is counted once");
});
