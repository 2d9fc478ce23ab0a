// Delivery by URL in a real Envoy (issue 22, item 4): a blob past the WasmPlugin's size reaches the
// proxy as a pluginConfig naming where to fetch it and its SHA-256, pushed by ECDS as istiod pushes
// it; the filter fetches the blob through an Envoy cluster from the policy server and serves it only
// if its bytes are the pinned ones. Until then, and after a refusal, the last good table serves.
import { Buffer } from "node:buffer";
import { assert, assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import {
  blobUrlOptions,
  renderWasmPlugin,
} from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import { EnvoyHost } from "../../simulator/envoy/envoy_host.ts";
import { findEnvoy, NO_ENVOY } from "../../simulator/envoy/find_envoy.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import {
  HELLO_REQUEST,
  helloworldCluster,
  helloworldRoute,
  helloworldYaml,
  PROXY_TOKENS,
} from "./helloworld.ts";
import { withServer } from "../../policy-server/testing.ts";
import { generateRoutes } from "../../tools/bench/generate_routes.ts";

const envoy = await findEnvoy();
if (!envoy) console.log(NO_ENVOY);

const V1 = helloworldCluster("helloworld-v1");
const V2 = helloworldCluster("helloworld-v2");
const SERVICE = "wasmroute-policy-server.wasmroute-system.svc.cluster.local:8080";
const BY_URL = blobUrlOptions(SERVICE, 0, "proxy-secret");

/** helloworld's route to `backend`, among `filler` generated routes of other hostnames. */
async function blobOf(backend: string, generation: number, filler = 0) {
  const resources = [helloworldRoute(backend), ...(filler > 0 ? generateRoutes(filler).routes : [])];
  return { ...await compile(resources, { generation }), generation };
}

async function servedBy(host: EnvoyHost): Promise<string> {
  const x = await host.request(HELLO_REQUEST);
  return x.forwarded?.cluster ?? `status ${x.response.status}`;
}

/** Polls `test` until it holds; the milliseconds it took. */
async function until(test: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await test())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - started;
}

const startEnvoy = async (pluginConfig: string, port: number) =>
  await EnvoyHost.start({
    envoy: envoy!,
    wasmPath: FILTER_WASM.pathname,
    plugins: [{ pluginConfig }],
    ports: [5000],
    clusters: [V1, V2],
    services: [{ cluster: BY_URL.cluster, address: "127.0.0.1", port }],
  });

Deno.test({
  name:
    "Envoy fetches a blob named by URL in its pluginConfig from the policy server and serves the new routes",
  ignore: !envoy,
  fn: async () => {
    // Every blob goes by URL here (the limit is 0): the pluginConfig the server renders is pushed as is.
    await withServer(async (base) => {
      const ops = { authorization: "Bearer ops-secret" };
      const post = async (backend: string) => {
        const res = await fetch(`${base}/v1/routes`, {
          method: "POST",
          headers: { "content-type": "application/yaml", ...ops },
          body: helloworldYaml(backend),
        });
        await res.body?.cancel();
        assert(res.ok, `POST answered ${res.status}`);
      };
      const rendered = async () => {
        const plugin = await (await fetch(`${base}/v1/wasmplugin?format=json`, { headers: ops })).json();
        return plugin.spec.pluginConfig;
      };
      let host: EnvoyHost | undefined;
      try {
        await post("helloworld-v1");
        const first = await rendered();
        assertEquals(first.blob, undefined, "the blob was carried inline");
        assertEquals(first.blobPath, `/v1/blob/sha256/${first.sha256}`);
        host = await startEnvoy(JSON.stringify(first), Number(new URL(base).port));
        const startup = await until(async () => (await servedBy(host!)) === V1, 5000);
        console.log(`envoy blob by URL: first table served ${startup.toFixed(0)} ms after Envoy started`);

        await post("helloworld-v2");
        const second = await rendered();
        const started = performance.now();
        assert((await host.push(JSON.stringify(second))).accepted, "Envoy refused the pluginConfig");
        await until(async () => (await servedBy(host!)) === V2, 5000);
        console.log(
          `envoy blob by URL: ECDS push to first request served by the fetched table ${
            (performance.now() - started).toFixed(0)
          } ms`,
        );
        assert(
          host.envoy.log.some((l) =>
            l.includes(`wasmroute: fetching rule table generation ${second.version}`)
          ),
        );
      } finally {
        await host?.close();
      }
    }, { tokenSpecs: PROXY_TOKENS, plugin: { blobUrl: BY_URL } });
  },
});

/**
 * A stand-in for the policy server that serves `bytes` at every path, so the test can make it serve
 * bytes other than the pinned ones (a tampered or mixed-up blob), then the right ones.
 */
function blobServer(bytes: Uint8Array) {
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    paths.push(new URL(req.url).pathname);
    return new Response(bytes as Uint8Array<ArrayBuffer>);
  });
  return {
    port: server.addr.port,
    paths,
    serve: (next: Uint8Array) => bytes = next,
    close: () => server.shutdown(),
  };
}

Deno.test({
  name:
    "Envoy refuses fetched bytes that are not the pinned blob, keeps the last good table, and serves the pinned one once it comes",
  ignore: !envoy,
  fn: async () => {
    const good = await blobOf("helloworld-v1", 1);
    // Fetched blobs of 10,000 rules: bodies the filter takes over from Envoy's buffer (abi/host_buffers.ts).
    const pinned = await blobOf("helloworld-v2", 2, 10_000);
    assert(pinned.blob.length > 64 * 1024, `a blob of ${pinned.blob.length} bytes`);
    // A sound blob of its own (it decodes and passes its checksum), but not the one the config pins.
    const other = await blobOf("helloworld-v2", 3, 10_000);
    const server = blobServer(other.blob);
    let host: EnvoyHost | undefined;
    try {
      host = await startEnvoy(JSON.stringify(renderWasmPlugin(good).spec.pluginConfig), server.port);
      assertEquals(await servedBy(host), V1);
      const config = renderWasmPlugin(pinned, { blobUrl: BY_URL }).spec.pluginConfig;
      assert((await host.push(JSON.stringify(config))).accepted, "Envoy refused the pluginConfig");
      const refusal = `not the pinned ${pinned.sha256}`;
      await until(() => Promise.resolve(host!.envoy.log.some((l) => l.includes(refusal))), 5000);
      for (let i = 0; i < 20; i++) {
        assertEquals(await servedBy(host), V1, "bytes other than the pinned were served");
      }
      const stats = await host.envoy.stats("wasmcustom.wasmroute.blob_refused_total");
      const refused = [...stats.values()].reduce((a, b) => a + b, 0);
      assert(refused >= 1, `wasmroute.blob_refused_total is ${refused}`);
      assert(server.paths.every((p) => p === `/v1/blob/sha256/${pinned.sha256}`), server.paths.join(", "));
      const line = host.envoy.log.find((l) => l.includes(refusal))!;
      assert(
        line.includes(
          `sha256 ${
            Buffer.from(await crypto.subtle.digest("SHA-256", other.blob as Uint8Array<ArrayBuffer>))
              .toString("hex")
          }`,
        ),
        line,
      );
      assert(line.includes("keeping generation 1"), line);

      // The server serves the pinned bytes now: the next attempt (within 2 s of backoff) serves them.
      server.serve(pinned.blob);
      const took = await until(async () => (await servedBy(host!)) === V2, 6000);
      console.log(`envoy blob by URL: pinned bytes served ${took.toFixed(0)} ms after the server had them`);
    } finally {
      await host?.close();
      await server.close();
    }
  },
});
