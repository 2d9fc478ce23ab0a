/**
 * The local loop without Envoy: the real filter module runs in the in-repo proxy-wasm host with the
 * configuration string written into envoy.yaml, and the test plays Envoy's part — the HTTP filters
 * envoy.yaml puts before the wasm filter (the header_mutation filter stripping the internal headers)
 * change the client's request first; on a decision, the cluster_header route sends the request to
 * the cluster's endpoint from envoy.yaml, an echo server. What these tests see is what
 * `deno task envoy` shows with a real Envoy.
 *
 * Needs filter/build/filter.wasm (`deno task build:filter`); skipped without it.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../../tests/assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { emulatorOptions, type HostEmulator, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../build_filter.ts";
import { type EchoBackend, type EchoReply, startEchoBackend } from "./echo_backend.ts";
import { loadRoutes } from "./load_routes.ts";
import { AUTHORITY_HEADER, CLUSTER_HEADER, renderEnvoyConfig } from "./render_envoy_config.ts";
import { tableBackends } from "./table_backends.ts";

const root = new URL("../../", import.meta.url).pathname;
const haveFilter = await Deno.stat(FILTER_WASM).then(() => true, () => false);
// deno-lint-ignore no-explicit-any
type Json = any;

interface Outcome {
  status: number;
  /** Set when an echo server answered. */
  reply?: EchoReply;
  /** `wasmroute_…` for the filter's own answers, `fallback` when the filter did not decide. */
  details?: string;
  /** Echo replies to the copies the filter sent with HTTP calls (RequestMirror). */
  mirrored?: EchoReply[];
}

const HEADER_MUTATION = "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation";

/** The request headers an HTTP filter of envoy.yaml removes: the loop plays header_mutation removals only. */
function requestRemovals(filter: Json): string[] {
  if (filter.typed_config["@type"] !== HEADER_MUTATION) {
    throw new Error(`the loop does not play the HTTP filter ${filter.name} before the wasm filter`);
  }
  return filter.typed_config.mutations.request_mutations.map((m: Json) => {
    if (Object.keys(m).join() !== "remove") {
      throw new Error(`the loop plays only removals: ${JSON.stringify(m)}`);
    }
    return String(m.remove).toLowerCase();
  });
}

/** The loop for one route file: echo servers, envoy.yaml's config, and the filter loaded with it. */
class Loop {
  private constructor(
    readonly host: HostEmulator,
    readonly config: Json,
    readonly echoes: EchoBackend[],
    /** What the HTTP filters before the wasm filter remove from the client's request headers. */
    readonly removedFirst: Set<string>,
  ) {}

  static async open(target: string): Promise<Loop> {
    const compiled = await compile((await loadRoutes(join(root, target))).routes, { generation: 1 });
    const echoes = await Promise.all(
      tableBackends(compiled.table).map((b) => startEchoBackend(b, { log: () => {} })),
    );
    const config: Json = renderEnvoyConfig(compiled, echoes, { wasmPath: FILTER_WASM.pathname });
    const chain: Json[] =
      config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters;
    const at = chain.findIndex((f) => f.name === "envoy.filters.http.wasm");
    const wasm = chain[at];
    // Envoy runs the chain in order: the filters before the wasm filter change what it sees.
    const removedFirst = new Set(chain.slice(0, at).flatMap(requestRemovals));
    const { vm_config, configuration } = wasm.typed_config.config;
    const host = newHostEmulator(
      emulatorOptions().withWasm(vm_config.code.local.filename).withPluginConfiguration(configuration.value),
    );
    if (!host.startPlugin()) throw new Error("the filter refused the configuration written into envoy.yaml");
    return new Loop(host, config, echoes, removedFirst);
  }

  async request(authority: string, path: string, headers: Record<string, string> = {}): Promise<Outcome> {
    const id = this.host.initializeHttpContext();
    const client = Object.entries(headers).filter(([name]) => !this.removedFirst.has(name.toLowerCase()));
    this.host.callOnRequestHeaders(
      id,
      [[":authority", authority], [":method", "GET"], [":path", path], ...client],
      true,
    );
    const stream = this.host.completeHttpContext(id);
    if (stream.localReply) return { status: stream.localReply.status, details: stream.localReply.details };
    // Envoy sends an HTTP call to the cluster it names, which must be one of envoy.yaml's.
    const mirrored: EchoReply[] = [];
    for (const call of stream.httpCalls) {
      const headers = new Map(call.headers);
      const res = await this.send(call.upstream, headers.get(":path") ?? "/", headers);
      if (res.status !== 200) {
        return { status: 503, details: `HTTP call to unknown cluster ${call.upstream}` };
      }
      mirrored.push(await res.json());
    }
    const sent = new Map(stream.requestHeaders);
    const cluster = sent.get(CLUSTER_HEADER);
    if (cluster === undefined) return { status: 404, details: "fallback" };
    // The cluster_header route: the cluster's endpoint, without the decision header.
    sent.delete(CLUSTER_HEADER);
    const res = await this.send(cluster, sent.get(":path") ?? path, sent);
    if (res.status !== 200) return { status: res.status, details: `no cluster ${cluster}` };
    return { status: res.status, reply: await res.json(), ...(mirrored.length > 0 && { mirrored }) };
  }

  /** A request to the endpoint envoy.yaml gives `cluster`; 503 when it has no such cluster. */
  private async send(cluster: string, path: string, headers: Map<string, string>): Promise<Response> {
    const endpoint = this.config.static_resources.clusters.find((c: Json) => c.name === cluster)
      ?.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    if (!endpoint) return new Response(null, { status: 503 });
    const forwarded = [...headers].filter(([name]) => !name.startsWith(":"));
    return await fetch(`http://${endpoint.address}:${endpoint.port_value}${path}`, { headers: forwarded });
  }

  /** How many of `n` requests, with fixed distinct request ids, each backend answered: reproducible. */
  async spread(authority: string, path: string, n: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const { reply } = await this.request(authority, path, { "x-request-id": `local-loop-${i}` });
      const key = reply?.backend ?? "none";
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  async close(): Promise<void> {
    await Promise.all(this.echoes.map((e) => e.close()));
  }
}

function loopTest(name: string, target: string, fn: (loop: Loop) => Promise<void>) {
  Deno.test({
    name,
    ignore: !haveFilter,
    fn: async () => {
      const loop = await Loop.open(target);
      try {
        await fn(loop);
      } finally {
        await loop.close();
      }
    },
  });
}

loopTest(
  "header routing: `version: new` reaches my-server-v2, anything else my-server-v1",
  "examples/header-routing",
  async (loop) => {
    assertEquals(
      (await loop.request("my-server", "/", { version: "new" })).reply?.backend,
      "devopssong/my-server-v2:80",
    );
    assertEquals((await loop.request("my-server", "/")).reply?.backend, "devopssong/my-server-v1:80");
    assertEquals(
      (await loop.request("my-server.devopssong.svc.cluster.local", "/", { version: "old" })).reply?.backend,
      "devopssong/my-server-v1:80",
    );
    // Traffic the table does not know is left to Istio's routes (the fallback here).
    assertEquals((await loop.request("other-service", "/")).details, "fallback");
  },
);

loopTest(
  "a client cannot set the filter's internal headers, on requests the filter routes or passes",
  "examples/header-routing",
  async (loop) => {
    const spoof = {
      [CLUSTER_HEADER]: "outbound|80||my-server-v2.devopssong.svc.cluster.local",
      [AUTHORITY_HEADER]: "evil.example.com",
    };
    // Routed: the filter's choice stands, and the backend sees neither header.
    const routed = await loop.request("my-server", "/", spoof);
    assertEquals(routed.reply?.backend, "devopssong/my-server-v1:80");
    assertEquals(CLUSTER_HEADER in routed.reply!.headers, false);
    assertEquals(AUTHORITY_HEADER in routed.reply!.headers, false);
    // Passed through: the header_mutation filter stripped the client's cluster header before the
    // wasm filter, so the cluster_header route does not take the request to the client's pick.
    assertEquals(await loop.request("other-service", "/", spoof), { status: 404, details: "fallback" });
  },
);

loopTest("canary 90/10 spreads requests by request id", "examples/canary", async (loop) => {
  const counts = await loop.spread("helloworld", "/hello", 400);
  assertEquals(Object.keys(counts).sort(), ["sample/helloworld-v1:80", "sample/helloworld-v2:80"]);
  const share = counts["sample/helloworld-v2:80"] / 400;
  assert(share > 0.04 && share < 0.17, `v2 got ${share}`);
  assertEquals((await loop.request("helloworld", "/other")).details, "wasmroute_no_matching_route");
});

loopTest("canary 80/20 gives v2 about a fifth", "examples/canary/routes-80-20.yaml", async (loop) => {
  const share = (await loop.spread("helloworld", "/hello/world", 400))["sample/helloworld-v2:80"] / 400;
  assert(share > 0.13 && share < 0.28, `v2 got ${share}`);
});

loopTest(
  "blue-green sends everything to blue unless green is asked for",
  "examples/blue-green",
  async (loop) => {
    assertEquals(await loop.spread("helloworld", "/", 50), { "sample/helloworld-v1:80": 50 });
    assertEquals(
      (await loop.request("helloworld", "/", { "x-env": "green" })).reply?.backend,
      "sample/helloworld-v2:80",
    );
  },
);

loopTest(
  "blue-green after the switch sends everything to green",
  "examples/blue-green/routes-green.yaml",
  async (loop) => {
    assertEquals(await loop.spread("helloworld", "/", 50), { "sample/helloworld-v2:80": 50 });
    assertEquals(
      (await loop.request("helloworld", "/", { "x-env": "blue" })).reply?.backend,
      "sample/helloworld-v1:80",
    );
  },
);

loopTest(
  "the gateway route adds my-added-header on the way to httpbin",
  "examples/gateway-header-modifier",
  async (loop) => {
    const { reply } = await loop.request("httpbin.example.com", "/headers");
    assertEquals(reply?.backend, "default/httpbin:8000");
    assertEquals(reply?.headers["my-added-header"], "added-value");
    assertEquals((await loop.request("httpbin.example.com", "/get?a=1")).reply?.path, "/get?a=1");
    assertEquals(
      (await loop.request("httpbin.example.com", "/status/200")).details,
      "wasmroute_no_matching_route",
    );
    assertEquals((await loop.request("other.example.com", "/get")).details, "fallback");
  },
);

loopTest(
  "mirroring: v1 answers and echoserver gets a copy (while unsupported, the rule answers 500)",
  "examples/mirroring",
  async (loop) => {
    const outcome = await loop.request("helloworld", "/hello", { "x-request-id": "m-1" });
    if (await compilesCleanly("examples/mirroring")) {
      assertEquals(outcome.reply?.backend, "sample/helloworld-v1:80");
      assertEquals(outcome.mirrored?.map((m) => [m.backend, m.path]), [["sample/echoserver:80", "/hello"]]);
    } else {
      assertEquals(outcome, { status: 500, details: "wasmroute_no_backend" });
    }
  },
);

/** Whether the compiler serves everything in an example (it reports what it cannot serve yet). */
async function compilesCleanly(target: string): Promise<boolean> {
  const { statuses } = await compile((await loadRoutes(join(root, target))).routes, { generation: 1 });
  return statuses.every((s) => s.parents.every((p) => p.conditions.every((c) => c.status === "True")));
}

loopTest(
  "ServiceImport backends split 80/20 once resolved (while unsupported, their share answers 500)",
  "examples/multi-cluster",
  async (loop) => {
    if (await compilesCleanly("examples/multi-cluster")) {
      const counts = await loop.spread("helloworld.example.com", "/hello", 200);
      assertEquals(Object.keys(counts).sort(), ["sample/helloworld-v1:80", "sample/helloworld-v2:80"]);
    } else {
      assertEquals(await loop.request("helloworld.example.com", "/hello"), {
        status: 500,
        details: "wasmroute_backend_unresolved",
      });
    }
  },
);

loopTest(
  "the multi-cluster route with Service backends splits 80/20",
  "examples/multi-cluster/routes-service.yaml",
  async (loop) => {
    const counts = await loop.spread("helloworld.example.com", "/hello", 200);
    assertEquals(Object.keys(counts).sort(), ["sample/helloworld-v1:80", "sample/helloworld-v2:80"]);
  },
);
