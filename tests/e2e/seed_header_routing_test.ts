// The walking skeleton end to end: the seed's GAMMA route is POSTed to a policy server on
// loopback, the WasmPlugin it renders is handed to the real filter.wasm exactly as Istio hands it
// (pluginConfig as JSON), and the filter decides — in the in-repo host and, when present, in pwhost.
import { assertEquals } from "../assert.ts";
import { createApp } from "../../policy-server/app.ts";
import { Store } from "../../policy-server/store/store.ts";
import { emulatorOptions, newHostEmulator } from "../../simulator/host/mod.ts";
import { compareWithReference, referenceHostAvailable } from "../../simulator/host/reference_host.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import { decidedCluster } from "../../tools/envoy/render_envoy_config.ts";

// The seed's route, exactly as the example a user POSTs.
const ROUTE = await Deno.readTextFile(new URL("../../examples/header-routing/routes.yaml", import.meta.url));

const V1 = "outbound|80||my-server-v1.devopssong.svc.cluster.local";
const V2 = "outbound|80||my-server-v2.devopssong.svc.cluster.local";

const request = (extra: [string, string][]): [string, string][] => [
  [":method", "GET"],
  [":path", "/"],
  [":authority", "my-server"],
  ...extra,
];

/** Starts a policy server on loopback over a fresh KV file; returns its URL and a closer. */
async function startServer() {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-e2e-" });
  const store = await Store.open(`${dir}/wasmroute.kv`);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createApp({ store, log: () => {} }).fetch,
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    async close() {
      await server.shutdown();
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("a POSTed HTTPRoute sends `version: new` to my-server-v2:80 and the rest to my-server-v1:80 in the real filter", async () => {
  const server = await startServer();
  try {
    const posted = await fetch(`${server.url}/v1/routes`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: ROUTE,
    });
    assertEquals(posted.status, 201, await posted.clone().text());
    await posted.body?.cancel();
    const plugin = await (await fetch(`${server.url}/v1/wasmplugin?format=json`)).json();
    // Istio serialises the pluginConfig Struct as JSON for proxy_on_configure.
    const config = JSON.stringify(plugin.spec.pluginConfig);

    const host = newHostEmulator(
      emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(config),
    );
    assertEquals(host.startPlugin(), true, host.getErrors().join("\n"));
    const decide = (extra: [string, string][]) => {
      const id = host.initializeHttpContext();
      host.callOnRequestHeaders(id, request(extra), true);
      const cluster = decidedCluster(host.getCurrentRequestHeaders(id));
      const reselected = host.getRouteReselected(id);
      host.completeHttpContext(id);
      return { cluster, reselected };
    };
    assertEquals(decide([["version", "new"]]), { cluster: V2, reselected: true });
    assertEquals(decide([]), { cluster: V1, reselected: true });
    assertEquals(decide([["version", "old"]]), { cluster: V1, reselected: true });
    // A client cannot pick the cluster itself: the glue strips a client-sent copy before the filter,
    // and should one get through, the filter replaces it on a request it routes.
    assertEquals(decide([["x-wasmroute-cluster", V2]]), { cluster: V1, reselected: true });

    if (await referenceHostAvailable()) {
      const scenario = {
        wasm: FILTER_WASM.pathname,
        plugins: [{ name: "wasmroute", config }],
        steps: [{ requestHeaders: request([["version", "new"]]) }, { requestHeaders: request([]) }],
      };
      const { reference, diff } = await compareWithReference(scenario, Deno.cwd());
      assertEquals(diff, "", `the two hosts disagree:\n${diff}`);
      const clusterOf = (i: number) =>
        (reference.steps[i] as { requestHeaders: [string, string][] }).requestHeaders.find(([k]) =>
          k === "x-wasmroute-cluster"
        )?.[1];
      assertEquals([clusterOf(0), clusterOf(1)], [V2, V1]);
    }
  } finally {
    await server.close();
  }
});
