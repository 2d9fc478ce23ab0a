// Configuration changes in a real Envoy, delivered as istiod delivers them (ECDS; here an atomic
// rename of the ECDS file): how long a new table takes to serve, a corrupt blob refused while the
// last good table keeps serving (and a good one applying after it: no VM is poisoned), what each
// failure policy does when the module cannot be loaded, and pull mode through an Envoy cluster.
import { assert, assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { renderWasmPlugin } from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import { EnvoyHost } from "../../simulator/envoy/envoy_host.ts";
import { findEnvoy, NO_ENVOY } from "../../simulator/envoy/find_envoy.ts";
import type { FailStrategy } from "../../simulator/envoy/istio_bootstrap.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import { decodeBlob } from "../../policy-server/blob/decode_blob.ts";
import { encodeBlob } from "../../policy-server/blob/encode_blob.ts";
import { packBlob } from "../../policy-server/blob/pack_blob.ts";
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

async function pluginConfig(backend: string, generation: number): Promise<string> {
  const resources = [helloworldRoute(backend)];
  const { blob, sha256 } = await compile(resources, { generation });
  return JSON.stringify(renderWasmPlugin({ blob, sha256, generation }).spec.pluginConfig);
}

async function servedBy(host: EnvoyHost): Promise<string | null> {
  const x = await host.request(HELLO_REQUEST);
  return x.forwarded?.cluster ?? `status ${x.response.status}`;
}

const start = async (config: string | null, o: { failStrategy?: FailStrategy; wasmPath?: string } = {}) =>
  await EnvoyHost.start({
    envoy: envoy!,
    wasmPath: o.wasmPath ?? FILTER_WASM.pathname,
    plugins: [{ pluginConfig: config }],
    ports: [5000],
    clusters: [V1, V2],
    failStrategy: o.failStrategy,
  });

Deno.test({
  name:
    "Envoy serves a pushed table within milliseconds, refuses a corrupt one and applies a good one after it",
  ignore: !envoy,
  fn: async () => {
    const host = await start(await pluginConfig("helloworld-v1", 1));
    try {
      assertEquals(await servedBy(host), V1);
      const timings: number[] = [];
      for (let i = 0; i < 10; i++) {
        const backend = i % 2 === 0 ? "helloworld-v2" : "helloworld-v1";
        const config = await pluginConfig(backend, i + 2);
        const started = performance.now();
        const pushed = await host.push(config);
        assert(pushed.accepted, "Envoy refused a good table");
        // The first request after the update is served by the new table: ECDS swaps it atomically.
        assertEquals(await servedBy(host), backend === "helloworld-v2" ? V2 : V1);
        timings.push(performance.now() - started);
      }
      timings.sort((a, b) => a - b);
      console.log(
        `envoy config push: write to first request served by the new table, p50 ${
          timings[5].toFixed(1)
        } ms, max ${timings[9].toFixed(1)} ms (10 pushes)`,
      );

      const good = JSON.parse(await pluginConfig("helloworld-v2", 20));
      const bytes = Uint8Array.from(atob(good.blob), (c) => c.charCodeAt(0));
      bytes[bytes.length - 5] ^= 0xff; // a damaged blob: its checksum no longer holds
      const corrupt = JSON.stringify({ ...good, blob: btoa(String.fromCharCode(...bytes)) });
      assertEquals((await host.push(corrupt)).accepted, false, "Envoy applied a corrupt blob");
      assertEquals(await servedBy(host), V1, "the last good table stopped serving after a refusal");
      assertEquals(
        (await host.push(JSON.stringify(good))).accepted,
        true,
        "a good table after a refusal was not applied",
      );
      assertEquals(await servedBy(host), V2);
      const log = host.envoy.log.join("\n");
      assert(
        /wasmroute: refused configuration/.test(log),
        "the filter did not say why it refused the configuration",
      );
    } finally {
      await host.close();
    }
  },
});

/** A pluginConfig of helloworld's route (to `backend`) among `filler` generated routes of other hostnames. */
async function largeConfig(backend: string, generation: number, filler: number): Promise<string> {
  const resources = [helloworldRoute(backend), ...generateRoutes(filler).routes];
  const { blob, sha256 } = await compile(resources, { generation });
  return JSON.stringify(renderWasmPlugin({ blob, sha256, generation }).spec.pluginConfig);
}

Deno.test({
  name:
    "Envoy serves tables whose pluginConfig is hundreds of KiB (the module keeps Envoy's buffer, no copy) and refuses a damaged one",
  ignore: !envoy,
  fn: async () => {
    const first = await largeConfig("helloworld-v1", 1, 10_000);
    // Past the size from which the filter takes the host's buffer itself (abi/host_buffers.ts).
    assert(first.length > 4 * 64 * 1024, `a configuration of ${first.length} bytes`);
    const host = await start(first);
    try {
      assertEquals(await servedBy(host), V1);
      const second = await largeConfig("helloworld-v2", 2, 10_000);
      assert((await host.push(second)).accepted, "Envoy refused a good table");
      assertEquals(await servedBy(host), V2);
      const good = JSON.parse(await largeConfig("helloworld-v1", 3, 10_000));
      const damaged = JSON.stringify({
        ...good,
        blob: good.blob.slice(0, 1000) + "AAAA" + good.blob.slice(1004),
      });
      assertEquals((await host.push(damaged)).accepted, false, "Envoy applied a damaged blob");
      assertEquals(await servedBy(host), V2, "the last good table stopped serving after a refusal");
      assert(
        (await host.push(JSON.stringify(good))).accepted,
        "a good table after a refusal was not applied",
      );
      assertEquals(await servedBy(host), V1);
    } finally {
      await host.close();
    }
  },
});

/**
 * A module Envoy cannot load fails the configuration itself, before any failure policy applies (the
 * policy governs a VM that loaded and then failed): Envoy refuses the ECDS update. On a proxy that
 * was serving, the last good configuration keeps serving; on a proxy that never had one, the filter's
 * configuration is missing and every request is answered 500, whatever the policy.
 */
for (const policy of ["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"] as FailStrategy[]) {
  Deno.test({
    name:
      `with ${policy}, a module that cannot be loaded is refused: the serving table stays, a new proxy answers 500`,
    ignore: !envoy,
    fn: async () => {
      const junk = await Deno.makeTempFile({ suffix: ".wasm" });
      await Deno.writeTextFile(junk, "not a wasm module");
      const serving = await start(await pluginConfig("helloworld-v2", 1), { failStrategy: policy });
      const fresh = await start(await pluginConfig("helloworld-v2", 1), {
        failStrategy: policy,
        wasmPath: junk,
      });
      try {
        const pushed = await serving.push(await pluginConfig("helloworld-v1", 2), undefined, {
          wasmPath: junk,
        });
        assertEquals(pushed.accepted, false, "Envoy applied a module it cannot load");
        assertEquals(await servedBy(serving), V2, "the serving table stopped after a refused module");
        const x = await fresh.request(HELLO_REQUEST);
        console.log(`envoy ${policy}, unloadable module on a new proxy: status ${x.response.status}`);
        assertEquals([x.response.status, x.forwarded], [500, null]);
      } finally {
        await serving.close();
        await fresh.close();
        await Deno.remove(junk);
      }
    },
  });
}

Deno.test({
  name: "pull mode: a route POSTed to the policy server is served by Envoy in under a second",
  ignore: !envoy,
  fn: async () => {
    await withServer(async (base) => {
      const post = async (backend: string) => {
        const res = await fetch(`${base}/v1/routes`, {
          method: "POST",
          headers: { "content-type": "application/yaml", authorization: "Bearer ops-secret" },
          body: helloworldYaml(backend),
        });
        await res.body?.cancel();
        return res;
      };
      const pull = "outbound|8080||wasmroute.wasmroute-system.svc.cluster.local";
      let host: EnvoyHost | undefined;
      try {
        assertEquals((await post("helloworld-v1")).status, 201);
        host = await EnvoyHost.start({
          envoy: envoy!,
          wasmPath: FILTER_WASM.pathname,
          plugins: [{
            pluginConfig: JSON.stringify({
              pullCluster: pull,
              pullAuthority: "wasmroute.wasmroute-system:8080",
              pullPath: "/v1/blob?wait=10s",
              pullToken: "proxy-secret",
            }),
          }],
          ports: [5000],
          clusters: [V1, V2],
          services: [{ cluster: pull, address: "127.0.0.1", port: Number(new URL(base).port) }],
        });
        const first = await until(async () => (await servedBy(host!)) === V1, 5000);
        console.log(`envoy pull mode: first table served ${first.toFixed(0)} ms after Envoy started`);
        // The filter asks again as soon as an answer arrives: a long poll is always waiting, so a POST
        // right after the first table is picked up as fast as any later one.
        const started = performance.now();
        assert((await post("helloworld-v2")).ok, "the route update was refused");
        await until(async () => (await servedBy(host!)) === V2, 3000);
        const total = performance.now() - started;
        console.log(`envoy pull mode: POST to first request served by the new route ${total.toFixed(0)} ms`);
        assert(total < 1000, `the new route took ${total.toFixed(0)} ms`);
      } finally {
        await host?.close();
      }
    }, { tokenSpecs: PROXY_TOKENS });
  },
});

/**
 * A policy server stand-in for pull mode serving the blobs the test publishes, as the real one does:
 * a pull whose If-None-Match is not the current ETag gets the current blob at once, the others wait
 * (a long poll) for the next one. Every VM of Envoy (the main thread's, each worker's) pulls.
 */
function scriptedBlobServer() {
  let current: { blob: Uint8Array; etag: string } | undefined;
  let waiting: (() => void)[] = [];
  let pulls = 0;
  let closed = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    pulls++;
    while (!current || req.headers.get("if-none-match") === current.etag) {
      if (closed) return new Response(null, { status: 503 });
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    return new Response(current.blob as Uint8Array<ArrayBuffer>, { headers: { etag: current.etag } });
  });
  return {
    port: server.addr.port,
    pulls: () => pulls,
    publish(blob: Uint8Array) {
      current = { blob, etag: `"${crypto.randomUUID()}"` };
      for (const wake of waiting.splice(0)) wake();
    },
    async close() {
      closed = true;
      waiting.forEach((wake) => wake());
      waiting = [];
      await server.shutdown();
    },
  };
}

Deno.test({
  name: "pull mode in Envoy never goes back: an older generation is refused unless marked as a rollback",
  ignore: !envoy,
  fn: async () => {
    const blobOf = async (backend: string, generation: number, rollback = false) => {
      const resources = [helloworldRoute(backend)];
      const { blob } = await compile(resources, { generation });
      return rollback ? packBlob(encodeBlob({ ...decodeBlob(blob), rollback: true })) : blob;
    };
    const server = scriptedBlobServer();
    const pull = "outbound|8080||wasmroute.wasmroute-system.svc.cluster.local";
    let host: EnvoyHost | undefined;
    try {
      host = await EnvoyHost.start({
        envoy: envoy!,
        wasmPath: FILTER_WASM.pathname,
        plugins: [{
          pluginConfig: JSON.stringify({
            pullCluster: pull,
            pullAuthority: "wasmroute:8080",
            pullPath: "/v1/blob?wait=30s",
          }),
        }],
        ports: [5000],
        clusters: [V1, V2],
        services: [{ cluster: pull, address: "127.0.0.1", port: server.port }],
      });
      server.publish(await blobOf("helloworld-v2", 6));
      await until(async () => (await servedBy(host!)) === V2, 5000);
      // A store that lost its data publishes an early generation again: refused, v2 keeps serving.
      const pulls = server.pulls();
      server.publish(await blobOf("helloworld-v1", 2));
      // Each VM refuses it and asks again: then the refusal has happened everywhere.
      await until(() => Promise.resolve(server.pulls() >= pulls + 2), 5000);
      assertEquals(await servedBy(host), V2, "an older generation replaced the serving table");
      // A rollback is older by design, and marked: served.
      server.publish(await blobOf("helloworld-v1", 4, true));
      await until(async () => (await servedBy(host!)) === V1, 5000);
      assert(host.envoy.log.some((l) => /refused pulled blob/.test(l)), "the refusal was not logged");
    } finally {
      await host?.close();
      await server.close();
    }
  },
});

/** Polls `test` until it holds; the milliseconds it took. */
async function until(test: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await test())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - started;
}
