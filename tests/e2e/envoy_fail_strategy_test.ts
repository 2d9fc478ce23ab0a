// What each failStrategy does in a real Envoy after the module traps at run time, with the ABI
// fixture that traps on request (simulator/host/testdata/trap_filter.ts; wasmroute's own filter never
// traps). The emulators play the same scenarios (simulator/host/testdata/scenarios/trap_fail_*.json);
// Envoy adds what lives outside the ABI library: FAIL_RELOAD fails closed while it backs off, then a
// fresh VM serves.
import { assert, assertEquals } from "../assert.ts";
import { fixture } from "../../simulator/host/_fixtures.ts";
import { EnvoyHost } from "../../simulator/envoy/envoy_host.ts";
import { findEnvoy, NO_ENVOY } from "../../simulator/envoy/find_envoy.ts";
import type { FailStrategy } from "../../simulator/envoy/istio_bootstrap.ts";

const envoy = await findEnvoy();
if (!envoy) console.log(NO_ENVOY);

/** What a request met: the filter ran (it adds x-ok), was skipped, or Envoy answered itself. */
async function outcome(host: EnvoyHost, trap = false): Promise<string> {
  const x = await host.request([
    [":method", "GET"],
    [":path", "/"],
    [":authority", "web.default"],
    ...(trap ? [["x-trap", "1"]] as [string, string][] : []),
  ]);
  if (!x.forwarded) return `${x.response.status}`;
  return x.forwarded.headers.some(([k]) => k === "x-ok") ? "ran" : "skipped";
}

const AFTER_TRAP: Record<FailStrategy, string> = {
  FAIL_CLOSE: "503",
  FAIL_OPEN: "skipped",
  FAIL_RELOAD: "503",
};

for (const policy of ["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"] as FailStrategy[]) {
  Deno.test({
    name: `after a trap, ${policy}: later requests get ${AFTER_TRAP[policy]}, ${
      policy === "FAIL_RELOAD" ? "until a fresh VM serves about a second later" : "until a new configuration"
    }`,
    ignore: !envoy,
    fn: async () => {
      const wasm = await Deno.makeTempFile({ suffix: ".wasm" });
      await Deno.writeFile(wasm, await fixture("trap_filter"));
      const host = await EnvoyHost.start({
        envoy: envoy!,
        wasmPath: wasm,
        plugins: [{ pluginConfig: "a" }],
        ports: [80],
        clusters: ["outbound|80||web.default.svc.cluster.local"],
        failStrategy: policy,
      });
      try {
        assertEquals(await outcome(host), "ran");
        assertEquals(await outcome(host, true), "503", "the trapping request");
        assertEquals(await outcome(host), AFTER_TRAP[policy]);
        if (policy === "FAIL_RELOAD") {
          const started = performance.now();
          while (await outcome(host) !== "ran") {
            assert(performance.now() - started < 10_000, "no fresh VM within 10 s");
            await new Promise((r) => setTimeout(r, 50));
          }
          console.log(
            `envoy FAIL_RELOAD: a fresh VM served ${
              (performance.now() - started).toFixed(0)
            } ms after the trap`,
          );
        } else {
          assertEquals(
            await outcome(host),
            AFTER_TRAP[policy],
            "the failure stays until a new configuration",
          );
          assertEquals((await host.push("c")).accepted, true);
          assertEquals(await outcome(host), "ran");
        }
      } finally {
        await host.close();
        await Deno.remove(wasm);
      }
    },
  });
}
