/**
 * The scenario files that are many requests alike, written from a few lines each: the same request
 * over a fixed set of request ids, with the counts the filter must reach over that set (what the
 * scenario suite checks in every host). The counts are the expectations of the test, chosen by
 * request id and the same in every host, so they stay written here, beside the ids they hold for.
 *
 * `npx -y deno@2.9.6 task gen:scenarios` rewrites the files; generate_scenarios_test.ts fails when a
 * committed file is not what this module writes (and `UPDATE_GOLDEN=1` rewrites them too).
 *
 * @module
 */

type Json = Record<string, unknown>;
type Header = [string, string];

const WASM = "filter/build/filter.wasm";

/** A request step: pseudo-headers first (`:scheme` only when given), then `x-request-id`, then `extra`. */
function request(
  at: { authority: string; path: string; scheme?: string },
  id: string,
  extra: Header[] = [],
): Json {
  const headers: Header[] = [[":method", "GET"], [":path", at.path], [":authority", at.authority]];
  if (at.scheme !== undefined) headers.push([":scheme", at.scheme]);
  return { requestHeaders: [...headers, ["x-request-id", id], ...extra] };
}

/** `prefix` + `n` in `width` digits, for `n` in [0, count). */
function ids(prefix: string, count: number, width = 0): string[] {
  return Array.from({ length: count }, (_, n) => `${prefix}${String(n).padStart(width, "0")}`);
}

const plugin = (routes: string) => [{ name: "wasmroute", _routes: routes }];

function mirrorSampling(): Json {
  const requests = 200, toShadow = 53;
  return {
    _description: `RequestMirror percent and fraction: of ${requests} requests, 25% are to be copied to ` +
      `api-shadow (${toShadow} here, chosen by request id and the same in every host) and 1/1000 to ` +
      `api-audit (none of these ${requests}).`,
    wasm: WASM,
    plugins: plugin("redirect-rewrite-mirror.yaml"),
    steps: ids("m-", requests, 3).map((id) =>
      request({ authority: "www.example.com", path: "/api/v1/x", scheme: "http" }, id)
    ),
    _expectMirrorCounts: { "outbound|80||api-shadow.web.svc.cluster.local": toShadow },
  };
}

function weightedSplit(): Json {
  const requests = 100, v1 = 90, v2 = 10;
  return {
    _description: `Seed 003 canary ${v1}/${v2} over ${requests} requests: requests spread by their ` +
      "x-request-id over the total weight, so a fixed set of ids gives the same split in every host; " +
      "weight 0 gets nothing.",
    wasm: WASM,
    _expectCounts: {
      "outbound|5000||helloworld-v1.sample.svc.cluster.local": v1,
      "outbound|5000||helloworld-v2.sample.svc.cluster.local": v2,
    },
    plugins: plugin("canary.yaml"),
    steps: ids("req-", requests, 2).map((id) =>
      request({ authority: "helloworld:5000", path: "/", scheme: "http" }, id)
    ),
  };
}

function stickyCanary(): Json {
  const perUser = 20;
  return {
    _description: `Sticky canary (annotation wasmroute.dev/sticky-key): ${perUser} requests of one user, ` +
      "each with its own request id, all reach one backend — by cookie on helloworld, by header on api.",
    wasm: WASM,
    plugins: plugin("sticky-canary.yaml"),
    steps: [
      ...ids("s-", perUser).map((id) =>
        request({ authority: "helloworld:5000", path: "/" }, id, [["cookie", "theme=dark; user=alice"]])
      ),
      ...ids("t-", perUser).map((id) => request({ authority: "api", path: "/" }, id, [["x-user", "bob"]])),
    ],
    _expectCounts: {
      "outbound|5000||helloworld-v2.sample.svc.cluster.local": perUser,
      "outbound|80||api-v1.sample.svc.cluster.local": perUser,
    },
  };
}

function backendsAndGrants(): Json {
  const canary = 40, canaryToWeb = 16;
  const web = (path: string, expect: Json) => ({
    ...request({ authority: "web.app", path, scheme: "http" }, "b-1"),
    _expect: expect,
  });
  return {
    _description: "backendRefs against the stored inventory: a ReferenceGrant permits the cross-namespace " +
      "ref and its absence answers 500 (RefNotPermitted); a ServiceImport goes to Istio's clusterset.local " +
      "cluster; a missing port or Service, or an unknown kind, answers 500; in a 50/50 split with one " +
      `unresolvable backend, its share answers 500. (Of the ${canary} canary requests, ${canaryToWeb} ` +
      `reach web and ${canary - canaryToWeb} answer 500 here, picked by request id.)`,
    wasm: WASM,
    plugins: plugin("backends-and-grants.yaml"),
    steps: [
      web("/pay", { cluster: "outbound|8080||payments.billing.svc.cluster.local" }),
      web("/ledger", { localReply: 500, cluster: null }),
      web("/hello", { cluster: "outbound|5000||helloworld.app.svc.clusterset.local" }),
      web("/wrong-port", { localReply: 500 }),
      web("/bucket", { localReply: 500 }),
      web("/", { cluster: "outbound|80||web.app.svc.cluster.local" }),
      ...ids("c-", canary, 2).map((id) =>
        request({ authority: "web.app", path: "/canary", scheme: "http" }, id)
      ),
    ],
    _expectCounts: {
      "outbound|8080||payments.billing.svc.cluster.local": 1,
      "outbound|5000||helloworld.app.svc.clusterset.local": 1,
      "outbound|80||web.app.svc.cluster.local": 1 + canaryToWeb,
    },
  };
}

/**
 * A scenario as the files spell it: JSON indented by one space, characters outside ASCII as `\uXXXX`
 * escapes, and a final newline.
 */
export function formatScenario(scenario: Json): string {
  const text = JSON.stringify(scenario, null, 1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `${text}\n`;
}

/** Each generated scenario file's name (in tests/scenarios/) and text. */
export function generateScenarios(): Map<string, string> {
  const scenarios: [string, Json][] = [
    ["backends-and-grants.json", backendsAndGrants()],
    ["mirror-sampling.json", mirrorSampling()],
    ["sticky-canary.json", stickyCanary()],
    ["weighted-split.json", weightedSplit()],
  ];
  return new Map(scenarios.map(([name, scenario]) => [name, formatScenario(scenario)]));
}

if (import.meta.main) {
  const dir = new URL("../", import.meta.url);
  for (const [name, text] of generateScenarios()) {
    await Deno.writeTextFile(new URL(name, dir), text);
    console.log(`tests/scenarios/${name}`);
  }
}
