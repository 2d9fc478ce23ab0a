import { assert } from "../../tests/assert.ts";
import { KV_LIMITS } from "../../policy-server/store/kv_batch.ts";
import { measureBlobSize, renderBlobSize, WASMPLUGIN_BUDGET } from "./blob_size.ts";

Deno.test("a 10,000-rule table's WasmPlugin is under 1 MiB and its packed blob fits one store write", async () => {
  const { sizes: [s] } = await measureBlobSize({ sizes: [10_000] });
  assert(s.wasmPluginYaml < WASMPLUGIN_BUDGET, `WasmPlugin YAML: ${s.wasmPluginYaml} bytes`);
  assert(s.wasmPluginJson < WASMPLUGIN_BUDGET, `WasmPlugin JSON: ${s.wasmPluginJson} bytes`);
  assert(s.blob < KV_LIMITS.totalBytes, `packed blob: ${s.blob} bytes`);
  assert(s.blob < s.rawBlob / 2, `packed ${s.blob} of ${s.rawBlob} bytes`);
  // The parts of the unpacked blob, by what the decoder read there: they add up to it.
  const sum = Object.values(s.sections).reduce((a, b) => a + b, 0);
  assert(sum <= s.rawBlob && sum > s.rawBlob - 64, `sections ${sum} of ${s.rawBlob} bytes`);
  assert(s.sections.STRINGS > s.rawBlob / 3, "the string tables are much of the blob");
  const md = renderBlobSize({ sizes: [s] });
  assert(!md.includes("NaN") && !md.includes("undefined") && !md.includes("**no**"), md);
});
