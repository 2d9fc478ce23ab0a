import { join } from "node:path";
import { assertEquals, assertMatch, assertThrows } from "../assert.ts";
import { typeCheckObjects, validateObject } from "./validate_object.ts";

const root = new URL("../../", import.meta.url).pathname;
const route = (spec: unknown) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: "r", namespace: "ns" },
  spec,
});

Deno.test("validateObject passes a valid object and names what is wrong in an invalid one", () => {
  validateObject(
    route({ parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "a", port: 80 }] }] }),
  );
  const error = assertThrows(() =>
    validateObject(route({ rules: [{ backendRefs: [{ name: "a", port: "80" }] }] }))
  );
  assertMatch(error.message, /backendRefs\/0\/port must be integer/);
  assertThrows(
    () =>
      validateObject({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d" },
        spec: { replicas: -1 },
      }),
  );
});

Deno.test("validateObject refuses kinds it has no schema for", () => {
  assertThrows(
    () => validateObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }),
    Error,
    "no schema for v1/Pod",
  );
});

Deno.test("validateObject checks a TrafficExtension by its CRD's rules and WasmPlugin's field schemas", () => {
  const extension = (spec: unknown) => ({
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "TrafficExtension",
    metadata: { name: "wasmroute", namespace: "istio-system" },
    spec,
  });
  const wasm = {
    url: "oci://ghcr.io/wasmroute/filter:0.1.0",
    failStrategy: "FAIL_CLOSE",
    imagePullPolicy: "IfNotPresent",
  };
  validateObject(extension({ match: [{ mode: "CLIENT" }], phase: "STATS", priority: 1000, wasm }));
  validateObject(extension({ lua: { inlineCode: "function envoy_on_request(h) end" } }));
  const refused = (spec: unknown, message: string | RegExp) =>
    assertMatch(
      assertThrows(() => validateObject(extension(spec))).message,
      message instanceof RegExp ? message : new RegExp(message),
    );
  refused({ phase: "STATS", wasm: { ...wasm, sha265: "x" } }, "spec.wasm.sha265: unknown field");
  refused({ url: wasm.url, wasm }, "spec.url: unknown field");
  refused({ phase: "STATS" }, "exactly one of wasm or lua");
  refused({ wasm, lua: { inlineCode: "" } }, "exactly one of wasm or lua");
  refused(
    { wasm, selector: { matchLabels: { a: "b" } }, targetRefs: [{ kind: "Gateway", name: "g" }] },
    "only one of targetRefs or selector",
  );
  refused({ wasm: { ...wasm, failStrategy: "FAIL_SOMETIMES" } }, /failStrategy/);
  refused({ phase: "LATE", wasm }, /phase/);
});

Deno.test("validateObject checks MCS objects by hand", () => {
  const base = { apiVersion: "multicluster.x-k8s.io/v1alpha1", metadata: { name: "web", namespace: "ns" } };
  validateObject({ ...base, kind: "ServiceExport" });
  validateObject({
    ...base,
    kind: "ServiceImport",
    spec: { type: "ClusterSetIP", ports: [{ port: 80, protocol: "TCP" }] },
  });
  assertThrows(
    () => validateObject({ ...base, kind: "ServiceExport", spec: { port: 80 } }),
    Error,
    "spec.port: unknown field",
  );
  assertThrows(
    () => validateObject({ ...base, kind: "ServiceImport", spec: { type: "Magic", ports: [] } }),
    Error,
    "spec.type",
  );
});

Deno.test("typeCheckObjects reports fields the API does not define, with the object's source", async () => {
  const good = route({ parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "a", port: 80 }] }] });
  // The seed posts' v1alpha1 syntax: forwardTo does not exist in gateway.networking.k8s.io/v1.
  const stale = route({
    parentRefs: [{ name: "gw" }],
    rules: [{ forwardTo: [{ serviceName: "a", port: 80 }] }],
  });
  const typo = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d" },
    spec: {
      selector: {},
      template: {
        spec: { containers: [{ name: "c", image: "i", securityContext: { readOnlyRootFS: true } }] },
      },
    },
  };
  const config = join(root, "deno.json");
  assertEquals(await typeCheckObjects([{ object: good, source: "good.yaml#0" }], config), []);
  const problems = await typeCheckObjects([
    { object: good, source: "good.yaml#0" },
    { object: stale, source: "stale.yaml#0" },
    { object: typo, source: "typo.yaml#0" },
  ], config);
  assertEquals(problems.length, 2);
  assertMatch(problems[0], /^stale\.yaml#0: TS2353 .*'"forwardTo"' does not exist/);
  assertMatch(problems[1], /^typo\.yaml#0: TS2353 .*'"readOnlyRootFS"' does not exist/);
});
