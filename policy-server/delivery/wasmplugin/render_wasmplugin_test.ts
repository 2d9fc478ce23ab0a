import { parse } from "yaml";
import { VERSION } from "../../version.ts";
import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import {
  blobUrlOptions,
  DEFAULT_BLOB_SERVICE,
  renderWasmPlugin,
  wasmPluginToYaml,
} from "./render_wasmplugin.ts";
import type { InlineBlob } from "./render_wasmplugin.ts";

const blob = {
  generation: 7,
  sha256: "ab".repeat(32),
  blob: Uint8Array.from([0x57, 0x52, 0x54, 0x42, 0, 255, 128]),
};

Deno.test("renderWasmPlugin carries the blob as base64 with exactly blob, version and sha256", () => {
  const plugin = renderWasmPlugin(blob);
  assertEquals(Object.keys(plugin.spec.pluginConfig), ["blob", "version", "sha256"]);
  assertEquals(Uint8Array.fromBase64((plugin.spec.pluginConfig as InlineBlob).blob), blob.blob);
  assertEquals(plugin.spec.pluginConfig.version, "7");
  assertEquals(plugin.spec.pluginConfig.sha256, blob.sha256);
});

Deno.test("renderWasmPlugin defaults: istio-system, STATS phase, FAIL_CLOSE, IfNotPresent", () => {
  const { apiVersion, kind, metadata, spec } = renderWasmPlugin(blob);
  assertEquals([apiVersion, kind], ["extensions.istio.io/v1alpha1", "WasmPlugin"]);
  assertEquals([metadata.name, metadata.namespace], ["wasmroute", "istio-system"]);
  assertEquals([spec.phase, spec.failStrategy, spec.imagePullPolicy], [
    "STATS",
    "FAIL_CLOSE",
    "IfNotPresent",
  ]);
  assertEquals(spec.url, `oci://ghcr.io/wasmroute/filter:${VERSION}`);
  assertEquals("selector" in spec || "sha256" in spec, false);
});

Deno.test("renderWasmPlugin honours its options", () => {
  const { metadata, spec } = renderWasmPlugin(blob, {
    namespace: "istio-ingress",
    url: "file:///etc/wasm/filter.wasm",
    moduleSha256: "cd".repeat(32),
    failStrategy: "FAIL_OPEN",
    selector: { "istio.io/gateway-name": "web" },
  });
  assertEquals(metadata.namespace, "istio-ingress");
  assertEquals([spec.url, spec.sha256, spec.failStrategy], [
    "file:///etc/wasm/filter.wasm",
    "cd".repeat(32),
    "FAIL_OPEN",
  ]);
  assertEquals(spec.selector, { matchLabels: { "istio.io/gateway-name": "web" } });
});

Deno.test("wasmPluginToYaml round-trips and keeps the base64 on one line", () => {
  const big = { ...blob, blob: new Uint8Array(3000).fill(9) };
  const plugin = renderWasmPlugin(big);
  const text = wasmPluginToYaml(plugin);
  assertMatch(text, /^# Rendered by the wasmroute policy server: blob generation 7\./);
  assertEquals(parse(text), plugin);
  assertMatch(text, /\n {4}blob: [A-Za-z0-9+/=]{4000}\n/);
});

Deno.test("renderWasmPlugin carries a blob up to maxInlineBytes inline, and names a larger one by URL", () => {
  const byUrl = blobUrlOptions(DEFAULT_BLOB_SERVICE, blob.blob.length);
  assertEquals(
    renderWasmPlugin(blob, { blobUrl: byUrl }).spec.pluginConfig,
    renderWasmPlugin(blob).spec.pluginConfig,
  );
  const config = renderWasmPlugin(blob, {
    blobUrl: { ...byUrl, maxInlineBytes: blob.blob.length - 1 },
    scope: "gateway:istio-ingress/gateway",
  }).spec.pluginConfig;
  assertEquals(config, {
    blobCluster: "outbound|8080||wasmroute-policy-server.wasmroute-system.svc.cluster.local",
    blobAuthority: "wasmroute-policy-server.wasmroute-system.svc.cluster.local:8080",
    blobPath: `/v1/blob/sha256/${blob.sha256}`,
    version: "7",
    sha256: blob.sha256,
    scope: "gateway:istio-ingress/gateway",
  });
  const withToken = renderWasmPlugin(blob, {
    blobUrl: blobUrlOptions("policy.example:9000", 0, "proxy-secret"),
  });
  assertEquals(withToken.spec.pluginConfig, {
    blobCluster: "outbound|9000||policy.example",
    blobAuthority: "policy.example:9000",
    blobPath: `/v1/blob/sha256/${blob.sha256}`,
    blobToken: "proxy-secret",
    version: "7",
    sha256: blob.sha256,
  });
});
