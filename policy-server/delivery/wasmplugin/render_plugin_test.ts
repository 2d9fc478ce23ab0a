import { assertEquals } from "../../../tests/assert.ts";
import {
  pluginConfigOf,
  pluginPath,
  pluginToYaml,
  renderPlugin,
  renderTrafficExtension,
} from "./render_plugin.ts";
import { renderWasmPlugin } from "./render_wasmplugin.ts";

const BLOB = { generation: 7, sha256: "ab".repeat(32), blob: new Uint8Array([1, 2, 3]) };
const OPTIONS = {
  url: "oci://r/filter:1",
  moduleSha256: "cd".repeat(32),
  selector: { app: "web" },
  scope: "mesh",
};

Deno.test("a TrafficExtension carries the WasmPlugin's fields, the Wasm ones under spec.wasm", () => {
  const plugin = renderWasmPlugin(BLOB, OPTIONS);
  const extension = renderTrafficExtension(BLOB, OPTIONS);
  assertEquals([extension.apiVersion, extension.kind], ["extensions.istio.io/v1alpha1", "TrafficExtension"]);
  assertEquals(extension.metadata, plugin.metadata);
  const { selector, phase, ...wasm } = plugin.spec;
  assertEquals(extension.spec, { selector, phase, wasm });
  assertEquals(pluginConfigOf(extension), pluginConfigOf(plugin), "the filter gets the same configuration");
});

Deno.test("renderPlugin renders the kind asked for, WasmPlugin by default", () => {
  assertEquals(renderPlugin(BLOB, OPTIONS), renderWasmPlugin(BLOB, OPTIONS));
  assertEquals(
    renderPlugin(BLOB, { ...OPTIONS, kind: "TrafficExtension" }),
    renderTrafficExtension(BLOB, OPTIONS),
  );
  assertEquals(renderPlugin(BLOB, { ...OPTIONS, kind: "WasmPlugin" }).kind, "WasmPlugin");
});

Deno.test("each kind has its own API path and YAML names the generation", () => {
  assertEquals(
    pluginPath("WasmPlugin", "istio-system", "wasmroute"),
    "/apis/extensions.istio.io/v1alpha1/namespaces/istio-system/wasmplugins/wasmroute",
  );
  assertEquals(
    pluginPath("TrafficExtension", "a b", "x"),
    "/apis/extensions.istio.io/v1alpha1/namespaces/a%20b/trafficextensions/x",
  );
  assertEquals(
    pluginToYaml(renderTrafficExtension(BLOB)).split("\n")[0],
    "# Rendered by the wasmroute policy server: blob generation 7.",
  );
});
