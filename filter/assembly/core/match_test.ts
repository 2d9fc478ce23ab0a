/**
 * Route matching is exact although routes are found by hash (filter/assembly/core/match.ts): a route
 * is filed under the 32-bit hash of its path, and a request tries the routes filed under the hashes
 * of its path and segment prefixes. Two paths of one length and one hash must still not match each
 * other's routes. Run through the real filter in the in-repo host (tools/simulate.ts).
 */
import { instantiateTestModule } from "../../compile_assemblyscript.ts";
import { assertEquals } from "../../../tests/assert.ts";
import { compileSimulator, parseResourcesText } from "../../../tools/simulate.ts";

/** Two paths of 7 bytes with the same hashBytes (core/hash.ts), found by search. */
const FILED = "/xpnaaa", COLLIDING = "/vkpeaa";
/** Two header names of 7 bytes with the same hashBytes, found by search. */
const NAME_A = "x-ssfda", NAME_B = "x-qjsea";

const RESOURCES = `
apiVersion: v1
kind: Namespace
metadata: {name: infra}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: v1
kind: Service
metadata: {name: plain, namespace: infra}
spec: {ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: with-header, namespace: infra}
spec: {ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: prefixes, namespace: infra}
spec:
  parentRefs: [{name: edge}]
  hostnames: [match.test]
  rules:
  - matches: [{path: {type: PathPrefix, value: /names}, headers: [{name: ${NAME_A}, value: "1"}]}]
    backendRefs: [{name: plain, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /names}, headers: [{name: ${NAME_B}, value: "1"}]}]
    backendRefs: [{name: with-header, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: "${FILED}"}, headers: [{name: x-variant, value: b}]}]
    backendRefs: [{name: with-header, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: "${FILED}"}}]
    backendRefs: [{name: plain, port: 8080}]
`;

interface HashExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  alloc(size: number): number;
  hash_bytes(ptr: number, len: number): number;
}

Deno.test("the two paths this test needs still have one hash", async () => {
  const x = await instantiateTestModule<HashExports>("filter/assembly/core/testdata/hash_entry", {
    cacheName: "wasmroute-hash-entry",
    sources: [
      "filter/assembly/core/hash.ts",
      "filter/assembly/core/scan.ts",
      "filter/assembly/core/target.ts",
    ],
  });
  const hash = (s: string) => {
    const bytes = new TextEncoder().encode(s), ptr = x.alloc(bytes.length);
    new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
    return x.hash_bytes(ptr, bytes.length) >>> 0;
  };
  assertEquals(FILED.length, COLLIDING.length);
  assertEquals(hash(COLLIDING), hash(FILED), "core/hash.ts changed: find another pair");
  assertEquals(NAME_A.length, NAME_B.length);
  assertEquals(hash(NAME_A), hash(NAME_B), "core/hash.ts changed: find another pair of names");
});

Deno.test("a PathPrefix matches its own segments only, not a path that shares its hash", async (t) => {
  const { simulator } = await compileSimulator(parseResourcesText(RESOURCES));
  const decide = (path: string, headers: Record<string, string> = {}) => {
    const d = simulator.decide({ host: "match.test", path, gateway: "infra/edge", headers });
    return d.backend ?? d.status;
  };
  const cases: [string, Record<string, string>, string | number][] = [
    [FILED, {}, "infra/plain:8080"],
    [`${FILED}/more`, {}, "infra/plain:8080"],
    [FILED, { "x-variant": "b" }, "infra/with-header:8080"],
    [COLLIDING, {}, 404],
    [`${COLLIDING}/more`, {}, 404],
    [COLLIDING, { "x-variant": "b" }, 404],
    [`${COLLIDING}/more`, { "x-variant": "b" }, 404],
  ];
  for (const [path, headers, want] of cases) {
    await t.step(`${path} ${JSON.stringify(headers)}`, () => assertEquals(decide(path, headers), want));
  }
});

Deno.test("header conditions on two names that share a hash each read their own header", async (t) => {
  const { simulator } = await compileSimulator(parseResourcesText(RESOURCES));
  const decide = (headers: Record<string, string>) => {
    const d = simulator.decide({ host: "match.test", path: "/names", gateway: "infra/edge", headers });
    return d.backend ?? d.status;
  };
  const cases: [Record<string, string>, string | number][] = [
    [{ [NAME_A]: "1" }, "infra/plain:8080"],
    [{ [NAME_B]: "1" }, "infra/with-header:8080"],
    [{ [NAME_B]: "1", [NAME_A]: "2" }, "infra/with-header:8080"],
    [{}, 404],
  ];
  for (const [headers, want] of cases) {
    await t.step(JSON.stringify(headers), () => assertEquals(decide(headers), want));
  }
});
