/**
 * The real filter in the in-repo host, configured with an example's routes exactly as Istio would
 * hand them over (the pluginConfig the policy server renders, as JSON).
 *
 * @module
 */
import { parseAllDocuments } from "yaml";
import { assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { renderWasmPlugin } from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import type { KubeObject } from "../../policy-server/model/types.ts";
import { emulatorOptions, type HostEmulator, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";

/** A started filter serving `examples/<example>/routes.yaml`. */
export async function exampleFilter(example: string): Promise<HostEmulator> {
  const text = await Deno.readTextFile(new URL(`../../examples/${example}/routes.yaml`, import.meta.url));
  const resources = parseAllDocuments(text).map((d) => d.toJS() as KubeObject).filter(Boolean);
  const { blob, sha256 } = await compile(resources, { generation: 1 });
  const config = JSON.stringify(renderWasmPlugin({ blob, sha256, generation: 1 }).spec.pluginConfig);
  const host = newHostEmulator(
    emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(config),
  );
  assertEquals(host.startPlugin(), true, host.getErrors().join("\n"));
  return host;
}
