// Pull delivery end to end: the real filter, configured to pull, long-polls a real policy server on
// loopback through proxy_http_call. The test plays Envoy's part for the HTTP calls: it sends each
// call the filter makes to the server and hands the answer back to the filter.
import { assert, assertEquals } from "../assert.ts";
import { emulatorOptions, type HostEmulator, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import { clusterFor, helloworldCluster, helloworldYaml, PROXY_TOKENS } from "./helloworld.ts";
import { withServer } from "../../policy-server/testing.ts";

const PULL = {
  pullCluster: "outbound|8080||wasmroute.wasmroute-system.svc.cluster.local",
  pullAuthority: "wasmroute.wasmroute-system:8080",
  pullPath: "/v1/blob?wait=10s",
};

/** Envoy's part: the pending call goes to the server; returns a function delivering its answer. */
async function forward(host: HostEmulator, base: string) {
  const [call] = host.getPendingHttpCalls();
  assert(call, "the filter made no call");
  const header = (name: string) => call.headers.find(([k]) => k === name)?.[1];
  assertEquals([call.upstream, header(":method"), header(":authority")], [
    PULL.pullCluster,
    "GET",
    PULL.pullAuthority,
  ]);
  const headers: Record<string, string> = {};
  if (header("if-none-match")) headers["If-None-Match"] = header("if-none-match")!;
  const res = await fetch(`${base}${header(":path")}`, { headers });
  const body = new Uint8Array(await res.arrayBuffer());
  const answer: [string, string][] = [[":status", String(res.status)], ...[...res.headers.entries()]];
  return () => host.callOnHttpCallResponse(call.token, answer, body);
}

Deno.test("a filter in pull mode picks up a new blob in well under a second and keeps the last good one", async () => {
  await withServer(async (base) => {
    const post = async (yaml: string) => {
      const res = await fetch(`${base}/v1/routes`, {
        method: "POST",
        headers: { "Content-Type": "application/yaml" },
        body: yaml,
      });
      await res.body?.cancel();
      assert(res.ok, `POST answered ${res.status}`);
    };
    await post(helloworldYaml("helloworld-blue"));
    const host = newHostEmulator(
      emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(
        JSON.stringify(PULL),
      ),
    );
    assert(host.startPlugin(), host.getErrors().join("\n"));
    assertEquals(clusterFor(host), undefined, "no table yet: requests pass through");

    host.tick();
    (await forward(host, base))();
    assertEquals(clusterFor(host), helloworldCluster("helloworld-blue"));

    // The next call carries the ETag and hangs until the blob changes.
    host.tick();
    const waiting = forward(host, base);
    await new Promise((r) => setTimeout(r, 200));
    const changedAt = performance.now();
    await post(helloworldYaml("helloworld-green"));
    const deliver = await waiting;
    const latency = performance.now() - changedAt;
    deliver();
    assertEquals(clusterFor(host), helloworldCluster("helloworld-green"));
    assert(latency < 1000, `the change took ${Math.round(latency)} ms to arrive`);

    // The server is down or answers garbage: the filter keeps serving green.
    host.tick();
    const [down] = host.getPendingHttpCalls();
    host.callOnHttpCallResponse(down.token, [[":status", "503"]], "upstream connect error");
    host.tick();
    const [garbage] = host.getPendingHttpCalls();
    host.callOnHttpCallResponse(garbage.token, [[":status", "200"], ["etag", '"x"']], "WRTBnot a blob");
    assertEquals(clusterFor(host), helloworldCluster("helloworld-green"));
    assert(host.getLogMessages().some((m) => m.includes("refused pulled blob")));
  }, {});
});

Deno.test("a filter in pull mode authenticates with its pull token where the server requires tokens", async () => {
  await withServer(async (base) => {
    const res = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml", Authorization: "Bearer ops-secret" },
      body: helloworldYaml("helloworld-blue"),
    });
    await res.body?.cancel();
    assert(res.ok, `POST answered ${res.status}`);
    const config = { ...PULL, pullToken: "proxy-secret" };
    const host = newHostEmulator(
      emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(
        JSON.stringify(config),
      ),
    );
    assert(host.startPlugin(), host.getErrors().join("\n"));
    host.tick();
    const [call] = host.getPendingHttpCalls();
    const auth = call.headers.find(([k]) => k === "authorization")?.[1];
    assertEquals(auth, "Bearer proxy-secret");
    const answer = await fetch(`${base}${call.headers.find(([k]) => k === ":path")![1]}`, {
      headers: { Authorization: auth! },
    });
    assertEquals(answer.status, 200);
    host.callOnHttpCallResponse(
      call.token,
      [[":status", "200"], ...[...answer.headers.entries()]],
      new Uint8Array(await answer.arrayBuffer()),
    );
    assertEquals(clusterFor(host), helloworldCluster("helloworld-blue"));
  }, { tokenSpecs: PROXY_TOKENS });
});
