// Pull mode never goes back: the real filter, pulling, refuses a blob of an older generation than
// the one it serves (a policy server that lost its store would publish generation 1 again) and keeps
// serving, unless the blob is marked as a rollback. The test plays the policy server's answers.
import { assert, assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { decodeBlob } from "../../policy-server/blob/decode_blob.ts";
import { encodeBlob } from "../../policy-server/blob/encode_blob.ts";
import { packBlob } from "../../policy-server/blob/pack_blob.ts";
import { emulatorOptions, type HostEmulator, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import { clusterFor, helloworldRoute } from "./helloworld.ts";

const PULL = {
  pullCluster: "outbound|8080||wasmroute.wasmroute-system.svc.cluster.local",
  pullAuthority: "wasmroute.wasmroute-system:8080",
  pullPath: "/v1/blob?wait=30s",
};

/** A packed blob routing to `backend` at `generation`, marked as a rollback when `rollback`. */
async function blobOf(backend: string, generation: number, rollback = false): Promise<Uint8Array> {
  const { blob } = await compile([helloworldRoute(backend)], { generation });
  return rollback ? packBlob(encodeBlob({ ...decodeBlob(blob), rollback: true })) : blob;
}

/** The Service the filter sends helloworld's request to, by its short name. */
const serviceFor = (host: HostEmulator) => clusterFor(host)?.split("|")[3]?.split(".")[0];

/** Answers the filter's pending pull with `blob` under ETag `etag`; returns that call's If-None-Match. */
function answer(host: HostEmulator, blob: Uint8Array, etag: string): string | undefined {
  if (host.getPendingHttpCalls().length === 0) host.tick();
  const [call] = host.getPendingHttpCalls();
  assert(call, "the filter is not pulling");
  const ifNoneMatch = call.headers.find(([k]) => k === "if-none-match")?.[1];
  host.callOnHttpCallResponse(call.token, [[":status", "200"], ["etag", etag]], blob);
  return ifNoneMatch;
}

Deno.test("a pulling filter refuses an older generation unless it is marked as a rollback", async () => {
  const host = newHostEmulator(
    emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(
      JSON.stringify(PULL),
    ),
  );
  assert(host.startPlugin(), host.getErrors().join("\n"));

  answer(host, await blobOf("helloworld-blue", 5), '"g5"');
  assertEquals(serviceFor(host), "helloworld-blue");

  // A store lost and started again: generation 1. Refused, blue keeps serving, and the filter waits
  // for the next change instead of fetching the same bytes again.
  assertEquals(answer(host, await blobOf("helloworld-green", 1), '"g1"'), '"g5"');
  assertEquals(serviceFor(host), "helloworld-blue");
  assert(
    host.getLogMessages().some((m) =>
      m.includes(
        "refused pulled blob: generation 1 is older than generation 5 serving, and not marked as a rollback",
      )
    ),
    host.getLogMessages().join("\n"),
  );

  // Marked as a rollback, the older generation is taken; from there newer ones as ever.
  assertEquals(answer(host, await blobOf("helloworld-green", 2, true), '"g2r"'), '"g1"');
  assertEquals(serviceFor(host), "helloworld-green");
  answer(host, await blobOf("helloworld-blue", 3), '"g3"');
  assertEquals(serviceFor(host), "helloworld-blue");
  // The same generation again (a server restarted on the same store) is no rewind.
  answer(host, await blobOf("helloworld-green", 3), '"g3b"');
  assertEquals(serviceFor(host), "helloworld-green");
});
