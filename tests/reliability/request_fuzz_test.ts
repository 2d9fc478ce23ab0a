// Hostile requests through the real filter serving a table with every kind of rule: random header
// sets, 64 KiB header values, lone surrogates (encoded as U+FFFD by the host, as Envoy's header
// maps hold bytes), empty and odd paths, %-escapes, missing pseudo-headers. No request may trap the
// filter or grow its memory without bound.
import { parseAllDocuments } from "yaml";
import { prng } from "../prng.ts";
import { assert } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import type { KubeObject } from "../../policy-server/model/types.ts";
import { emulatorOptions, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";

const REQUESTS = Number(Deno.env.get("WASMROUTE_FUZZ_REQUESTS") ?? 20_000);
const ROUTES = new URL("../scenarios/routes/", import.meta.url);

Deno.test(`the filter survives ${REQUESTS} hostile requests against every kind of rule`, async () => {
  const resources: KubeObject[] = [];
  for await (const e of Deno.readDir(ROUTES)) {
    resources.push(
      ...parseAllDocuments(await Deno.readTextFile(new URL(e.name, ROUTES))).map((d) => d.toJS()).filter(
        Boolean,
      ),
    );
  }
  const { blob } = await compile(resources, { generation: 1 });
  const host = newHostEmulator(
    emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(blob),
  );
  assert(host.startPlugin(), host.getErrors().join("\n"));
  const rand = prng(Number(Deno.env.get("WASMROUTE_FUZZ_SEED") ?? 11));
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const hosts = [
    "re.example.com",
    "api.example.com",
    "my-server",
    "shop.example.com",
    "www.example.com",
    "helloworld:5000",
    "replies.example.com",
    "",
    "[::1]:8080",
    "a".repeat(300),
    "HTTPBIN.example.com:99999",
    ":",
    "x.eu.example.com.",
  ];
  const paths = [
    "/",
    "",
    "/api/v1/users/%2e%2e/%00",
    "/%zz",
    "//",
    "/cart?" + "&".repeat(1000),
    "/old/" + "a/".repeat(2000),
    "/private/x?Version=2&Version=",
    "?",
    "#",
    "/api/v2/users/" + "é".repeat(500),
    "/mirror-all/x",
    "/cors",
  ];
  const noise = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0x10000))).join("");
  let localReplies = 0, routed = 0;
  const memoryAtStart = host.getMemorySize();
  for (let i = 0; i < REQUESTS; i++) {
    const headers: [string, string][] = [];
    if (rand() < 0.95) {
      headers.push([":method", pick(["GET", "POST", "OPTIONS", "DELETE", "get", "", noise(3)])]);
    }
    if (rand() < 0.95) {
      headers.push([":path", rand() < 0.1 ? "/" + noise(Math.floor(rand() * 200)) : pick(paths)]);
    }
    if (rand() < 0.95) headers.push([":authority", rand() < 0.05 ? noise(20) : pick(hosts)]);
    for (let k = Math.floor(rand() * 15); k > 0; k--) {
      const value = rand() < 0.02 ? "a".repeat(65536) : rand() < 0.2 ? noise(Math.floor(rand() * 100)) : "v";
      headers.push([
        pick([
          "version",
          "x-user",
          "user-agent",
          "x-hostile",
          "origin",
          "cookie",
          "x-request-id",
          "access-control-request-method",
          "x-wasmroute-cluster",
          "x-" + i,
        ]),
        value,
      ]);
    }
    const id = host.initializeHttpContext({ responseHeaders: [[":status", "200"]] });
    host.callOnRequestHeaders(id, headers, true);
    if (host.getSentLocalResponse(id)) localReplies++;
    else {
      routed++;
      host.callOnResponseHeaders(id, [[":status", "200"], ["server", noise(5)]], true);
    }
    host.completeHttpContext(id);
    if (host.getVmFailState() !== "Ok") {
      throw new Error(
        `request ${i} trapped the filter: ${JSON.stringify(headers).slice(0, 300)}\n${
          host.getErrors().at(-1)
        }`,
      );
    }
  }
  const memoryAtEnd = host.getMemorySize();
  console.log(
    `request fuzz: ${REQUESTS} requests, ${localReplies} local replies, ${routed} passed on, 0 traps, ` +
      `linear memory ${memoryAtStart} → ${memoryAtEnd} bytes`,
  );
  assert(memoryAtEnd <= 64 * 1024 * 1024, `linear memory grew to ${memoryAtEnd} bytes`);
});
