// Runs every scenario in testdata/scenarios through this host and through pwhost (proxy-wasm-cpp-host,
// the ABI library Envoy embeds) and requires the same decisions. Skipped only when the pwhost
// binary is absent (set PWHOST to point elsewhere).

import assert from "node:assert/strict";
import { compareWithReference, NO_PWHOST, referenceHostAvailable } from "./reference_host.ts";
import { writeFixtures } from "./_fixtures.ts";

const SCENARIOS = new URL("./testdata/scenarios/", import.meta.url);
const FIXTURES = [
  "headers_filter",
  "local_reply_filter",
  "http_call_filter",
  "configure_filter",
  "trap_filter",
  "metrics_filter",
  "route_cache_filter",
  "missing_import_filter",
  "abi_probe",
];

const withReference = await referenceHostAvailable();
if (!withReference) console.log(NO_PWHOST);

Deno.test({
  name: "runScenario() decides like pwhost (proxy-wasm-cpp-host) on every scenario",
  ignore: !withReference,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "wasmroute-cross-host-" });
    try {
      await writeFixtures(dir, FIXTURES);
      await Deno.writeTextFile(`${dir}/not_wasm.wasm`, "this is not a wasm module\n");
      await Deno.writeFile(`${dir}/no_abi_marker.wasm`, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
      const files = [...Deno.readDirSync(SCENARIOS)].map((e) => e.name).filter((n) => n.endsWith(".json"))
        .sort();
      for (const file of files) {
        await t.step(file, async () => {
          const path = new URL(file, SCENARIOS).pathname;
          const { diff } = await compareWithReference(path, dir);
          assert.equal(diff, "", `${file}: reports differ\n${diff}`);
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
