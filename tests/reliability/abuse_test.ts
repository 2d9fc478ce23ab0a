// Abuse of the policy server over a real loopback server with tokens: every token × namespace × kind
// × verb answers what the documented role rules say (docs/configuration.md, "API tokens"), and a
// refused write stores nothing; oversized, deeply nested and alias-bomb bodies are refused fast; and
// a flood of invalid requests does not cost a concurrent valid writer a single write.
import { assert, assertEquals } from "../assert.ts";
import {
  sampleGateway,
  sampleReferenceGrant,
  sampleRoute,
  sampleService,
} from "../../policy-server/model/testing.ts";
import type { KubeObject } from "../../policy-server/model/types.ts";
import type { Role, TokenSpec } from "../../policy-server/security/parse_tokens.ts";
import { withServer } from "../../policy-server/testing.ts";

const TOKENS: TokenSpec[] = [
  { name: "op-all", token: "0p".repeat(20), namespaces: ["*"], role: "operator" },
  { name: "writer-a", token: "wa".repeat(20), namespaces: ["team-a"], role: "writer" },
  { name: "reader-a", token: "ra".repeat(20), namespaces: ["team-a"], role: "reader" },
  { name: "reader-all", token: "rx".repeat(20), namespaces: ["*"], role: "reader" },
];
const OPERATOR = TOKENS[0].token, WRITER = TOKENS[1].token, READER = TOKENS[2].token;

type Kind = "HTTPRoute" | "Gateway" | "ReferenceGrant" | "Service";
type Verb = "POST" | "PUT" | "DELETE" | "GET";
const KINDS: Kind[] = ["HTTPRoute", "Gateway", "ReferenceGrant", "Service"];
const VERBS: Verb[] = ["POST", "PUT", "DELETE", "GET"];
const NAMESPACES = ["team-a", "team-b"];
const PLURAL: Record<Kind, string> = {
  HTTPRoute: "httproutes",
  Gateway: "gateways",
  ReferenceGrant: "referencegrants",
  Service: "services",
};
/** The matrix's token column: none, an unknown one, and each configured one. */
const CALLERS: { label: string; token?: string; spec?: TokenSpec }[] = [
  { label: "none" },
  { label: "wrong", token: "not-a-configured-token-0123456789" },
  ...TOKENS.map((spec) => ({ label: spec.name, token: spec.token, spec })),
];

/** What a role may write, from the docs: writer → HTTPRoutes, Services, ServiceImports; operator → also the rest. */
const WRITABLE: Record<Role, Kind[]> = {
  reader: [],
  writer: ["HTTPRoute", "Service"],
  operator: ["HTTPRoute", "Service", "Gateway", "ReferenceGrant"],
};

/** The status the documented role rules give one cell. */
export function expectedStatus(
  spec: TokenSpec | undefined,
  namespace: string,
  kind: Kind,
  verb: Verb,
): number {
  if (!spec) return 401; // no token or an unknown one
  const inScope = spec.namespaces.includes("*") || spec.namespaces.includes(namespace);
  if (!inScope) return 403;
  if (verb === "GET") return 200;
  if (!WRITABLE[spec.role].includes(kind)) return 403;
  return verb === "POST" ? 201 : 200;
}

function object(kind: Kind, name: string, namespace: string): KubeObject {
  switch (kind) {
    case "HTTPRoute":
      return sampleRoute(name, namespace);
    case "Gateway":
      return sampleGateway(name, namespace);
    case "ReferenceGrant":
      return sampleReferenceGrant(name, namespace, "default");
    case "Service":
      return sampleService(name, namespace);
  }
}

const auth = (token?: string): Record<string, string> => token ? { Authorization: `Bearer ${token}` } : {};
const jsonHeaders = (token?: string) => ({ "Content-Type": "application/json", ...auth(token) });

async function call(url: string, init: RequestInit): Promise<{ status: number; ms: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, ms: performance.now() - t0, text };
}

Deno.test("abuse: the token × namespace × kind × verb matrix answers the documented role rules; refusals store nothing", async () => {
  await withServer(async (base, { store }) => {
    let cells = 0, failures = 0, leaked = 0;
    const problems: string[] = [];
    let n = 0;
    for (const caller of CALLERS) {
      for (const namespace of NAMESPACES) {
        for (const kind of KINDS) {
          for (const verb of VERBS) {
            cells++;
            const name = `cell-${n++}`;
            const obj = object(kind, name, namespace);
            const url = `${base}/v1/${PLURAL[kind]}/${namespace}/${name}`;
            if (verb !== "POST") {
              const seeded = await call(`${base}/v1/resources`, {
                method: "POST",
                headers: jsonHeaders(OPERATOR),
                body: JSON.stringify(obj),
              });
              assertEquals(seeded.status, 201, `seeding ${kind} ${namespace}/${name}: ${seeded.text}`);
            }
            const before = await store.get(kind, namespace, name);
            const changed = { ...object(kind, name, namespace) };
            changed.metadata = {
              ...changed.metadata,
              labels: { ...changed.metadata.labels, changed: "yes" },
            };
            const res = verb === "POST"
              ? await call(`${base}/v1/resources`, {
                method: "POST",
                headers: jsonHeaders(caller.token),
                body: JSON.stringify(obj),
              })
              : verb === "PUT"
              ? await call(url, {
                method: "PUT",
                headers: jsonHeaders(caller.token),
                body: JSON.stringify(changed),
              })
              : await call(url, { method: verb, headers: auth(caller.token) });
            const want = expectedStatus(caller.spec, namespace, kind, verb);
            const after = await store.get(kind, namespace, name);
            const cell = `${caller.label} ${verb} ${kind} ${namespace}`;
            if (res.status !== want) {
              failures++;
              problems.push(`${cell}: ${res.status}, expected ${want}: ${res.text.slice(0, 200)}`);
            }
            const ok = want < 300;
            // What is stored afterwards must be what the expected answer implies.
            const storedRight = verb === "GET"
              ? after?.metadata.resourceVersion === before?.metadata.resourceVersion
              : !ok
              ? (verb === "POST"
                ? !after
                : after?.metadata.resourceVersion === before?.metadata.resourceVersion &&
                  !after?.metadata.labels?.changed)
              : verb === "POST"
              ? !!after
              : verb === "DELETE"
              ? !after
              : after?.metadata.labels?.changed === "yes";
            if (!storedRight) {
              if (!ok) leaked++;
              problems.push(
                `${cell}: store wrong after ${res.status} (before ${!!before}, after ${!!after})`,
              );
            }
          }
        }
      }
    }
    console.log(
      `abuse matrix: cases tried ${cells}, failures ${failures}, refused writes that stored ${leaked}`,
    );
    assertEquals(problems, []);
    assertEquals(cells, CALLERS.length * NAMESPACES.length * KINDS.length * VERBS.length);
  }, { tokenSpecs: TOKENS });
});

/** `depth` nested JSON arrays. */
const nestedJson = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
/** A route whose spec holds `depth` nested objects. */
const nestedInSpec = (depth: number) =>
  JSON.stringify(sampleRoute("deep", "team-a")).replace(
    '"spec":{',
    `"spec":{"deep":${'{"x":'.repeat(depth)}1${"}".repeat(depth)},`,
  );
/** The billion-laughs YAML: nine levels of nine aliases each (10^9 "lol"s if expanded). */
function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = "abcdefghij";
  for (let i = 1; i < names.length; i++) {
    const prev = names[i - 1];
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  return lines.join("\n") + "\n";
}

Deno.test("abuse: oversized, deeply nested and alias-bomb bodies are refused with 400/413 in under a second", async () => {
  await withServer(async (base, { store }) => {
    const cases: { name: string; body: string; type: string; allowed: number[] }[] = [
      { name: "2 MiB body", body: "x".repeat(2 * 1024 * 1024), type: "application/yaml", allowed: [413] },
      {
        name: "1 MiB + 1 JSON list",
        body: JSON.stringify([sampleRoute("big", "team-a")]).padEnd(1024 * 1024 + 1, " "),
        type: "application/json",
        allowed: [413],
      },
      {
        name: "10,000 nested JSON arrays",
        body: nestedJson(10_000),
        type: "application/json",
        allowed: [400, 413],
      },
      {
        name: "10,000 nested JSON objects",
        body: '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000),
        type: "application/json",
        allowed: [400, 413],
      },
      {
        name: "10,000 nested objects inside an HTTPRoute spec",
        body: nestedInSpec(10_000),
        type: "application/json",
        allowed: [400, 413, 422],
      },
      {
        name: "10,000 nested YAML flow sequences",
        body: nestedJson(10_000),
        type: "application/yaml",
        allowed: [400, 413],
      },
      {
        name: "10,000 nested YAML flow mappings",
        body: "{a: ".repeat(10_000) + "1" + "}".repeat(10_000),
        type: "application/yaml",
        allowed: [400, 413],
      },
      { name: "billion laughs", body: billionLaughs(), type: "application/yaml", allowed: [400, 413] },
      {
        name: "billion laughs inside an HTTPRoute",
        body: billionLaughs() + "---\n" + JSON.stringify(sampleRoute("laughs", "team-a")),
        type: "application/yaml",
        allowed: [400, 413],
      },
    ];
    const problems: string[] = [];
    for (const c of cases) {
      const res = await call(`${base}/v1/routes`, {
        method: "POST",
        headers: { "Content-Type": c.type, ...auth(OPERATOR) },
        body: c.body,
      });
      if (!c.allowed.includes(res.status)) {
        problems.push(`${c.name}: ${res.status} (${res.text.slice(0, 160)}), expected one of ${c.allowed}`);
      }
      if (res.ms >= 1000) problems.push(`${c.name}: took ${res.ms.toFixed(0)} ms`);
      console.log(`  ${c.name}: ${res.status} in ${res.ms.toFixed(1)} ms`);
    }
    const health = await call(`${base}/healthz`, {});
    assertEquals(health.status, 200);
    assertEquals(await store.list(), [], "a refused body stored something");
    console.log(`abuse bodies: cases tried ${cases.length}, failures ${problems.length}`);
    assertEquals(problems, []);
  }, { tokenSpecs: TOKENS });
});

const FLOOD = Number(Deno.env.get("WASMROUTE_FLOOD_REQUESTS") ?? 2000);
const FLOOD_CLIENTS = 16;

Deno.test(`abuse: ${FLOOD} invalid requests from ${FLOOD_CLIENTS} clients cost a concurrent valid writer nothing`, async () => {
  await withServer(async (base, { store }) => {
    const bad422 = sampleRoute("bad", "team-a");
    bad422.spec.rules![0].backendRefs![0].port = 0;
    const big = "x".repeat(1024 * 1024 + 16);
    /** The invalid requests, each with the only status it may get. */
    const kinds: { name: string; status: number; init: () => RequestInit }[] = [
      {
        name: "no token",
        status: 401,
        init: () => ({ method: "POST", body: JSON.stringify(sampleRoute("x", "team-a")) }),
      },
      {
        name: "wrong token",
        status: 401,
        init: () => ({ method: "POST", headers: jsonHeaders("wrong-token"), body: "{}" }),
      },
      {
        name: "malformed JSON",
        status: 400,
        init: () => ({ method: "POST", headers: jsonHeaders(WRITER), body: '{"a":' }),
      },
      {
        name: "reader writes",
        status: 403,
        init: () => ({
          method: "POST",
          headers: jsonHeaders(READER),
          body: JSON.stringify(sampleRoute("r", "team-a")),
        }),
      },
      {
        name: "writer out of scope",
        status: 403,
        init: () => ({
          method: "POST",
          headers: jsonHeaders(WRITER),
          body: JSON.stringify(sampleRoute("o", "team-b")),
        }),
      },
      {
        name: "invalid field",
        status: 422,
        init: () => ({ method: "POST", headers: jsonHeaders(WRITER), body: JSON.stringify(bad422) }),
      },
      {
        name: "unsupported kind",
        status: 400,
        init: () => ({
          method: "POST",
          headers: jsonHeaders(WRITER),
          body: JSON.stringify({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "d", namespace: "team-a" },
          }),
        }),
      },
      {
        name: "nested",
        status: 400,
        init: () => ({ method: "POST", headers: jsonHeaders(WRITER), body: nestedJson(5000) }),
      },
    ];
    let sent = 0, wrong = 0;
    const wrongs: string[] = [];
    let flooding = true;
    const flooders = Array.from({ length: FLOOD_CLIENTS }, async () => {
      while (sent < FLOOD) {
        const i = sent++;
        // One in 25 is an oversized body (413); the rest cycle through the kinds above.
        const k = i % 25 === 0
          ? {
            name: "oversized",
            status: 413,
            init: () => ({ method: "POST", headers: auth(WRITER), body: big }),
          }
          : kinds[i % kinds.length];
        const res = await fetch(`${base}/v1/routes`, k.init());
        await res.body?.cancel();
        if (res.status !== k.status) {
          wrong++;
          if (wrongs.length < 5) wrongs.push(`${k.name}: ${res.status}, expected ${k.status}`);
        }
      }
    });
    const acknowledged: string[] = [];
    const latencies: number[] = [];
    let validFailures = 0;
    const writer = (async () => {
      for (let n = 0; flooding && n < 100_000; n++) {
        const name = `valid-${n}`;
        const t0 = performance.now();
        const res = await fetch(`${base}/v1/routes`, {
          method: "POST",
          headers: jsonHeaders(WRITER),
          body: JSON.stringify(sampleRoute(name, "team-a")),
        });
        await res.body?.cancel();
        latencies.push(performance.now() - t0);
        if (res.ok) acknowledged.push(name);
        else validFailures++;
      }
    })();
    await Promise.all(flooders);
    flooding = false;
    await writer;
    const stored = new Set(
      (await store.list()).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
    );
    const lost = acknowledged.filter((name) => !stored.has(`HTTPRoute team-a/${name}`));
    const unexpected = [...stored].filter((k) => !k.startsWith("HTTPRoute team-a/valid-"));
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    console.log(
      `abuse flood: cases tried ${FLOOD} invalid + ${latencies.length} valid, failures ${
        wrong + validFailures
      }, ` +
        `lost writes ${lost.length}, valid p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms`,
    );
    assertEquals(wrongs, [], "invalid requests answered other than expected");
    assertEquals(validFailures, 0, "a valid write was refused during the flood");
    assertEquals(lost, [], "acknowledged writes missing");
    assertEquals(unexpected, [], "invalid requests stored something");
    assert(acknowledged.length > 0, "the valid writer never got a write in");
  }, { tokenSpecs: TOKENS });
});
