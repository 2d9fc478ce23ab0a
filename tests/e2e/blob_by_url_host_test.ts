// Delivery by URL in the in-repo host: the real filter gets a pluginConfig naming its blob by URL
// and SHA-256 as a configuration update; the test plays Envoy's part for the HTTP call, sending it
// to a real policy server on loopback, or answering with other bytes to see them refused.
import { assert, assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import {
  blobUrlOptions,
  renderWasmPlugin,
} from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import { emulatorOptions, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import { clusterFor, helloworldCluster, helloworldRoute, helloworldYaml } from "./helloworld.ts";
import { withServer } from "../../policy-server/testing.ts";

const BLUE = helloworldCluster("helloworld-blue");
const GREEN = helloworldCluster("helloworld-green");
const BY_URL = blobUrlOptions("wasmroute-policy-server.wasmroute-system.svc.cluster.local:8080", 0);

Deno.test("the filter fetches a blob named by URL, refuses other bytes, and serves the pinned ones", async () => {
  await withServer(async (base) => {
    const blue = await compile(
      [helloworldRoute("helloworld-blue")],
      { generation: 1 },
    );
    const host = newHostEmulator(
      emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(
        JSON.stringify(renderWasmPlugin({ ...blue, generation: 1 }).spec.pluginConfig),
      ),
    );
    assert(host.startPlugin(), host.getErrors().join("\n"));
    assertEquals(clusterFor(host), BLUE);

    const res = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: helloworldYaml("helloworld-green"),
    });
    await res.body?.cancel();
    const config = await (await fetch(`${base}/v1/blob?format=config`)).json();
    assert(host.configure(host.pluginName, JSON.stringify(config)), host.getErrors().join("\n"));
    // The call goes out as the configuration is taken; the last table serves meanwhile. (The
    // canary's root context, configured first and then dropped, sent one too: the last call is the
    // serving root's.)
    const call = host.getPendingHttpCalls().at(-1)!;
    const callsOfRoot = () => host.getPendingHttpCalls().filter((c) => c.contextId === call.contextId);
    const header = (name: string) => call.headers.find(([k]) => k === name)?.[1];
    assertEquals([call.upstream, header(":method"), header(":path"), header(":authority")], [
      BY_URL.cluster,
      "GET",
      config.blobPath,
      BY_URL.authority,
    ]);
    assertEquals(clusterFor(host), BLUE);

    // Other bytes — here a sound blob, just not the pinned one — are refused and counted.
    host.callOnHttpCallResponse(call.token, [[":status", "200"]], blue.blob);
    assertEquals(clusterFor(host), BLUE);
    assert(host.getLogMessages().some((m) => m.includes(`not the pinned ${config.sha256}`)));
    assertEquals(host.getCounterMetric("wasmroute.blob_refused_total"), 1);
    host.tick();
    assertEquals(callsOfRoot().length, 0, "asked again before the retry delay");

    // After the delay, the next tick asks again; the server's answer is the pinned blob.
    await new Promise((r) => setTimeout(r, 1050));
    host.tick();
    const [retry] = callsOfRoot();
    assert(retry, "no retry after the delay");
    const answer = await fetch(`${base}${config.blobPath}`);
    assertEquals(answer.status, 200);
    host.callOnHttpCallResponse(
      retry.token,
      [[":status", "200"], ...answer.headers.entries()],
      new Uint8Array(await answer.arrayBuffer()),
    );
    assertEquals(clusterFor(host), GREEN);
    host.tick();
    await new Promise((r) => setTimeout(r, 1050));
    host.tick();
    assertEquals(callsOfRoot().length, 0, "fetched again after the pinned blob");
  }, { plugin: { blobUrl: BY_URL } });
});
