/**
 * The filter's side of the blob goldens (policy-server/blob/testdata/): the real module, in the
 * in-repo host, takes each golden blob as its configuration, and what it reads is what the golden's
 * IR says — the generation, how many virtual hosts (one per hostname) and routes, and the cluster a
 * request for each virtual host's first plain route reaches. The encoder is held to the same
 * goldens (policy-server/blob/encode_blob_test.ts), so both sides read one definition.
 */
import { assert, assertEquals } from "../../../tests/assert.ts";
import { goldenCases } from "../../../tests/golden.ts";
import { parseHex } from "../../../policy-server/blob/hexdump.ts";
import type { RouteTable } from "../../../policy-server/ir/types.ts";
import { emulatorOptions, type HostEmulator, newHostEmulator } from "../../../simulator/host/mod.ts";
import { decidedCluster } from "../../../tools/envoy/render_envoy_config.ts";

const GOLDEN = new URL("../../../policy-server/blob/testdata/", import.meta.url);
const WASM = new URL("../../build/filter.wasm", import.meta.url);

/** The filter configured with `blob`, and whether it took it. */
async function filterWith(blob: Uint8Array): Promise<[HostEmulator, boolean]> {
  const host = newHostEmulator(emulatorOptions().withWasm(await Deno.readFile(WASM)));
  return [host, host.configure("wasmroute", blob)];
}

function messages(host: HostEmulator): string[] {
  return host.host.state.logs.flatMap((l) => ("message" in l ? [l.message] : []));
}

function clusterFor(host: HostEmulator, authority: string, path: string): string | undefined {
  const id = host.initializeHttpContext();
  const headers: [string, string][] = [[":method", "GET"], [":scheme", "http"], [":path", path], [
    ":authority",
    authority,
  ]];
  host.callOnRequestHeaders(id, [...headers, ["x-request-id", "golden"]], true);
  const cluster = decidedCluster(host.getCurrentRequestHeaders(id));
  host.completeHttpContext(id);
  return cluster;
}

Deno.test("the filter reads every golden blob as its IR says", async (t) => {
  for (const c of await goldenCases(GOLDEN, ".ir.json")) {
    await t.step(c.name, async () => {
      const table: RouteTable = JSON.parse(await Deno.readTextFile(c.url));
      const blob = parseHex(await Deno.readTextFile(new URL(`${c.name}.blob.hex`, GOLDEN)));
      const [host, accepted] = await filterWith(blob);
      assert(accepted, host.host.state.errors.join("\n"));
      const hostnames = table.vhosts.reduce((n, vh) => n + vh.hostnames.length, 0);
      const routes = table.vhosts.reduce((n, vh) => n + vh.routes.length, 0);
      assert(
        messages(host).some((m) =>
          m.includes(
            `serving rule table generation ${table.generation} (${hostnames} virtual hosts, ${routes} routes)`,
          )
        ),
        messages(host).join("\n"),
      );
      for (const vh of table.vhosts) {
        const [first] = vh.routes;
        const name = vh.hostnames[0];
        if (!first || name.includes("*") || first.method || first.conditions.length || !first.path) continue;
        if (first.path.type === "RegularExpression") continue;
        const [backend] = first.action.backends;
        if (first.action.backends.length !== 1 || first.action.filters.length || backend.filters.length) {
          continue;
        }
        if (backend.unresolved || !backend.weight) continue;
        const authority = vh.port && vh.port !== 80 ? `${name}:${vh.port}` : name;
        assertEquals(
          clusterFor(host, authority, first.path.value),
          backend.cluster,
          `${authority}${first.path.value}`,
        );
      }
    });
  }
});

for (const format of [1, 2]) {
  Deno.test(`the filter refuses a format-${format} blob with a clear error`, async () => {
    // Format 1 as the released server wrote it; format 2 was never released, so a format-3 blob
    // stamped 2 stands for it (the format is read before anything else).
    const blob = parseHex(
      await Deno.readTextFile(
        new URL(`${format === 1 ? "format1/" : ""}gamma-header-routing.blob.hex`, GOLDEN),
      ),
    );
    blob[4] = format;
    const [host, accepted] = await filterWith(blob);
    assert(!accepted);
    const logged = [...host.host.state.errors, ...messages(host)];
    assert(
      logged.some((e) => e.includes(`blob format ${format} is no longer read`)),
      logged.join("\n"),
    );
  });
}
