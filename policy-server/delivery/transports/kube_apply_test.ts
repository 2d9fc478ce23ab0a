// Kubernetes delivery against a stand-in API server on loopback (testing_kube_api.ts): no real API
// server runs here, so these tests pin down the exact requests one would get — method, path,
// query, content type, body, credentials — and how failures are retried.
import { stringify } from "yaml";
import { withStore } from "../../testing.ts";
import { parse as parseYaml } from "yaml";
import { assert, assertEquals, assertRejects } from "../../../tests/assert.ts";
import { createApp } from "../../app.ts";
import { compile } from "../../compile/mod.ts";
import { createServerMetrics } from "../../metrics.ts";
import { sampleRouteYaml } from "../../model/testing.ts";
import { Store } from "../../store/store.ts";
import type { DeliveryConfig } from "./delivery_config.ts";
import { startDelivery } from "./delivery_service.ts";
import { APPLY_PATCH_CONTENT_TYPE, KubeApiError, KubeClient, WasmPluginApplyTarget } from "./kube_apply.ts";
import { inClusterCredentials, kubeconfigCredentials } from "./kube_credentials.ts";
import type { KubeCredentials } from "./kube_credentials.ts";
import { Publisher } from "../write/publisher.ts";
import { renderTrafficExtension } from "../wasmplugin/render_plugin.ts";
import { renderWasmPlugin } from "../wasmplugin/render_wasmplugin.ts";
import { kubeStatus, startFakeKubeApi, TEST_TLS } from "./testing_kube_api.ts";
import type { RecordedRequest } from "./testing_kube_api.ts";

const MESH_PATH = "/apis/extensions.istio.io/v1alpha1/namespaces/istio-system/wasmplugins/wasmroute";
const PLUGIN = { url: "oci://ghcr.io/wasmroute/filter:0.1.0" };
const b64 = (text: string) => new TextEncoder().encode(text).toBase64();
const never = new AbortController().signal;

/** The store with routes compiled: generation 1. */
async function published(store: Store) {
  return await new Publisher(store, compile).ready();
}

/** What a server-side apply request must look like, whatever the credentials. */
function assertApplyRequest(req: RecordedRequest, path: string, expected: unknown) {
  assertEquals([req.method, req.path, req.query], ["PATCH", path, {
    fieldManager: "wasmroute",
    force: "true",
  }]);
  assertEquals(req.headers["content-type"], APPLY_PATCH_CONTENT_TYPE);
  assertEquals(req.headers["accept"], "application/json");
  assertEquals(JSON.parse(req.body), expected);
  const body = JSON.parse(req.body) as { metadata: object; spec: object };
  assertEquals(parseYaml(req.body), expected, "the body is YAML, as apply-patch+yaml says");
  // Only the fields the server owns or shares: never match, targetRefs or priority.
  assertEquals(Object.keys(body), ["apiVersion", "kind", "metadata", "spec"]);
  assertEquals(Object.keys(body.metadata), ["name", "namespace", "labels"]);
  for (const key of Object.keys(body.spec)) {
    assert(
      ["url", "sha256", "selector", "imagePullPolicy", "phase", "failStrategy", "pluginConfig"].includes(key),
      key,
    );
  }
}

Deno.test("kubernetes delivery: GET, then server-side apply PATCH over mutual TLS with a kubeconfig's client certificate", async () => {
  await withStore(async (store, dir) => {
    const meta = await published(store);
    const api = await startFakeKubeApi({
      tls: true,
      requireClientCert: true,
      reply: (req) => ({
        status: 200,
        body: { kind: "WasmPlugin", metadata: { name: "wasmroute" }, method: req.method },
      }),
    });
    const path = `${dir}/kubeconfig`;
    await Deno.writeTextFile(
      path,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "kind",
        clusters: [{
          name: "kind",
          cluster: { server: api.url, "certificate-authority-data": b64(TEST_TLS.ca) },
        }],
        users: [{
          name: "kind",
          user: {
            "client-certificate-data": b64(TEST_TLS.clientCert),
            "client-key-data": b64(TEST_TLS.clientKey),
          },
        }],
        contexts: [{ name: "kind", context: { cluster: "kind", user: "kind" } }],
      }),
    );
    const client = new KubeClient(await kubeconfigCredentials(path));
    try {
      const target = new WasmPluginApplyTarget({ client, store, flavour: { kind: "mesh" }, plugin: PLUGIN });
      assertEquals(target.name, "kubernetes istio-system/wasmroute");
      assertEquals(await target.push(meta, never), meta.generation);

      const [get, patch] = api.requests;
      assertEquals(api.requests.length, 2);
      assertEquals([get.method, get.path, get.query, get.body], ["GET", MESH_PATH, {}, ""]);
      const record = (await store.currentBlob())!;
      assertApplyRequest(patch, MESH_PATH, renderWasmPlugin(record, PLUGIN));
      for (const req of api.requests) {
        assertEquals(
          req.clientCert?.O,
          "wasmroute-test",
          "the client certificate was presented and verified",
        );
        assertEquals(req.headers.authorization, undefined);
      }
      // The server does require it: the same credentials without the certificate get nowhere.
      const anonymous = new KubeClient({ ...client.credentials, clientCert: undefined });
      try {
        const target = new WasmPluginApplyTarget({ client: anonymous, store, flavour: { kind: "mesh" } });
        assertEquals(((await assertRejects(() => target.push(meta, never))) as KubeApiError).status, 0);
        assertEquals(api.requests.length, 2);
      } finally {
        anonymous.close();
      }
    } finally {
      client.close();
      await api.close();
    }
  });
});

Deno.test("kubernetes delivery: the gateway flavour applies beside its Gateway, with its scope", async () => {
  await withStore(async (store) => {
    const meta = await published(store);
    const api = await startFakeKubeApi({ reply: () => ({ status: 200, body: {} }) });
    const client = new KubeClient({
      server: api.url,
      caCerts: [],
      authorization: () => Promise.resolve("Bearer t"),
      source: "test",
    });
    try {
      const flavour = { kind: "gateway" as const, namespace: "istio-ingress", name: "gateway" };
      await new WasmPluginApplyTarget({ client, store, flavour, plugin: PLUGIN, create: true }).push(
        meta,
        never,
      );
      assertEquals(api.requests.length, 1, "with --kube-create there is no GET first");
      const path = "/apis/extensions.istio.io/v1alpha1/namespaces/istio-ingress/wasmplugins/wasmroute";
      const record = (await store.currentBlob())!;
      assertApplyRequest(
        api.requests[0],
        path,
        renderWasmPlugin(record, {
          ...PLUGIN,
          namespace: "istio-ingress",
          scope: "gateway:istio-ingress/gateway",
        }),
      );
      assertEquals(api.requests[0].headers.authorization, "Bearer t");
      assertEquals(JSON.parse(api.requests[0].body).spec.pluginConfig.scope, "gateway:istio-ingress/gateway");
    } finally {
      client.close();
      await api.close();
    }
  });
});

Deno.test("kubernetes delivery: a missing WasmPlugin is not created; the push waits for the manifest", async () => {
  await withStore(async (store) => {
    const meta = await published(store);
    let exists = false;
    const api = await startFakeKubeApi({
      reply: (req) =>
        req.method === "GET" && !exists
          ? {
            status: 404,
            body: kubeStatus(404, "NotFound", 'wasmplugins.extensions.istio.io "wasmroute" not found'),
          }
          : { status: 200, body: {} },
    });
    const client = new KubeClient({
      server: api.url,
      caCerts: [],
      authorization: () => Promise.resolve(undefined),
      source: "test",
    });
    try {
      const target = new WasmPluginApplyTarget({ client, store, flavour: { kind: "mesh" }, plugin: PLUGIN });
      const error = await assertRejects(() => target.push(meta, never), "does not exist yet");
      assertEquals((error as KubeApiError).status, 404);
      assertEquals(api.requests.map((r) => r.method), ["GET"], "no PATCH: it would create the object");
      exists = true;
      await target.push(meta, never);
      assertEquals(api.requests.map((r) => r.method), ["GET", "GET", "PATCH"]);
    } finally {
      client.close();
      await api.close();
    }
  });
});

Deno.test("kubernetes delivery: refusals carry the API server's Status message; an untrusted server certificate fails", async () => {
  await withStore(async (store) => {
    const meta = await published(store);
    const api = await startFakeKubeApi({
      tls: true,
      reply: (req) =>
        req.method === "GET" ? { status: 200, body: {} } : {
          status: 403,
          body: kubeStatus(
            403,
            "Forbidden",
            'wasmplugins.extensions.istio.io "wasmroute" is forbidden: User cannot patch',
          ),
        },
    });
    const creds: KubeCredentials = {
      server: api.url,
      caCerts: [TEST_TLS.ca],
      authorization: () => Promise.resolve("Bearer t"),
      source: "test",
    };
    const trusted = new KubeClient(creds);
    const untrusted = new KubeClient({ ...creds, caCerts: [] });
    try {
      const target = new WasmPluginApplyTarget({
        client: trusted,
        store,
        flavour: { kind: "mesh" },
        plugin: PLUGIN,
      });
      const forbidden = await assertRejects(() => target.push(meta, never), "User cannot patch");
      assertEquals((forbidden as KubeApiError).status, 403);
      const other = new WasmPluginApplyTarget({
        client: untrusted,
        store,
        flavour: { kind: "mesh" },
        plugin: PLUGIN,
      });
      const tls = await assertRejects(() => other.push(meta, never));
      assertEquals((tls as KubeApiError).status, 0, "no answer: the TLS handshake failed");
      assertEquals(api.requests.length, 2, "the untrusted attempt never reached the server");
    } finally {
      trusted.close();
      untrusted.close();
      await api.close();
    }
  });
});

Deno.test("kubernetes delivery end to end: a POST answers at once; its push fails, is retried and lands, with the rotated service account token", async () => {
  await withStore(async (store, dir) => {
    // The pod's service account, as the kubelet mounts it.
    const sa = `${dir}/serviceaccount`;
    await Deno.mkdir(sa);
    await Deno.writeTextFile(`${sa}/token`, "token-1");
    await Deno.writeTextFile(`${sa}/ca.crt`, TEST_TLS.ca);
    await Deno.writeTextFile(`${sa}/namespace`, "wasmroute-system");

    let gate: PromiseWithResolvers<void> | undefined;
    let patches = 0;
    const api = await startFakeKubeApi({
      tls: true,
      reply: async (req) => {
        const token = (await Deno.readTextFile(`${sa}/token`)).trim();
        if (req.headers.authorization !== `Bearer ${token}`) {
          return { status: 401, body: kubeStatus(401, "Unauthorized", "Unauthorized") };
        }
        if (req.method === "GET") return { status: 200, body: {} };
        patches++;
        if (patches === 2) {
          await gate?.promise;
          return { status: 500, body: kubeStatus(500, "InternalError", "etcdserver: request timed out") };
        }
        return { status: 200, body: JSON.parse(req.body) };
      },
    });
    const { port } = new URL(api.url);
    const env: Record<string, string> = {
      KUBERNETES_SERVICE_HOST: "127.0.0.1",
      KUBERNETES_SERVICE_PORT: port,
    };
    const config: DeliveryConfig = { flavours: [{ kind: "mesh" }], kubeApply: true, kubeCreate: false };
    const metrics = createServerMetrics();
    const logs: Record<string, unknown>[] = [];
    const publisher = new Publisher(store, compile);
    await publisher.ready();
    const delivery = await startDelivery({
      store,
      config,
      plugin: PLUGIN,
      log: (e) => logs.push(e),
      metrics,
      pusher: { initialBackoffMs: 20, maxBackoffMs: 50, jitter: 0 },
      kubeCredentials: () => inClusterCredentials({ dir: sa, env: (n) => env[n] }),
    });
    const app = createApp({
      store,
      publisher,
      plugin: delivery.plugin,
      delivery: delivery.routes,
      log: () => {},
    });
    try {
      // Start-up: the current generation goes out at once.
      await Promise.all(delivery.pushers.map((p) => p.idle()));
      assertEquals(api.requests.map((r) => r.method), ["GET", "PATCH"]);
      assertEquals(JSON.parse(api.requests[1].body).spec.pluginConfig.version, "1");

      // The token rotates; a POST makes generation 2, whose first PATCH hangs and then fails.
      await Deno.writeTextFile(`${sa}/token`, "token-2");
      gate = Promise.withResolvers<void>();
      const t0 = performance.now();
      const res = await app.request("/v1/routes", {
        method: "POST",
        body: sampleRouteYaml(),
        headers: { "Content-Type": "application/yaml" },
      });
      const postMs = performance.now() - t0;
      assertEquals(res.status, 201);
      const generation = (await res.json()).blob.generation;
      assertEquals(generation, 2);
      assert(postMs < 1000, `the POST waited ${postMs} ms`);
      while (patches < 2) await new Promise((r) => setTimeout(r, 5));
      assertEquals(
        (await (await app.request("/v1/delivery")).json()).targets[0].inFlight,
        2,
        "the POST answered while its push was still in flight",
      );
      gate.resolve();
      while (metrics.pushes.get({ target: "kubernetes" }) < 2) await new Promise((r) => setTimeout(r, 5));

      const after = api.requests.slice(2);
      assertEquals(after.map((r) => r.method), ["GET", "PATCH", "GET", "PATCH"], "failure, then retry");
      for (const req of after) assertEquals(req.headers.authorization, "Bearer token-2");
      const record = (await store.currentBlob())!;
      assertApplyRequest(after[3], MESH_PATH, renderWasmPlugin(record, PLUGIN));
      assertEquals(JSON.parse(after[3].body).spec.pluginConfig.version, "2");

      assertEquals(metrics.pushFailures.get({ target: "kubernetes" }), 1);
      assertEquals(metrics.pushes.get({ target: "kubernetes" }), 2);
      const failed = logs.find((e) => e.msg === "blob delivery failed");
      assertEquals([failed?.generation, failed?.retryInMs], [2, 20]);
      assert(String(failed?.error).includes("etcdserver: request timed out"));
      const status = (await (await app.request("/v1/delivery")).json()).targets[0];
      assertEquals([status.target, status.lastSuccess.generation, status.consecutiveFailures], [
        "kubernetes istio-system/wasmroute",
        2,
        0,
      ]);
    } finally {
      await delivery.stop();
      await api.close();
    }
  });
});

Deno.test("kubernetes delivery: with kind TrafficExtension the same apply goes to the trafficextensions resource", async () => {
  await withStore(async (store) => {
    const meta = await published(store);
    const api = await startFakeKubeApi({ reply: () => ({ status: 200, body: {} }) });
    const client = new KubeClient({
      server: api.url,
      caCerts: [],
      authorization: () => Promise.resolve(undefined),
      source: "test",
    });
    try {
      const plugin = { ...PLUGIN, kind: "TrafficExtension" as const };
      const target = new WasmPluginApplyTarget({ client, store, flavour: { kind: "mesh" }, plugin });
      assertEquals(await target.push(meta, never), meta.generation);
      const path = "/apis/extensions.istio.io/v1alpha1/namespaces/istio-system/trafficextensions/wasmroute";
      const [get, patch] = api.requests;
      assertEquals([get.method, get.path, patch.method, patch.path], ["GET", path, "PATCH", path]);
      const body = JSON.parse(patch.body);
      assertEquals(body, renderTrafficExtension((await store.currentBlob())!, PLUGIN));
      assertEquals(
        Object.keys(body.spec).sort(),
        ["phase", "wasm"],
        "match, targetRefs and priority stay the manifests'",
      );
    } finally {
      client.close();
      await api.close();
    }
  });
});
