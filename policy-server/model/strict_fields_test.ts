import { assertEquals } from "../../tests/assert.ts";
import { fieldTreeOf, pruneUnknown, unknownFields } from "./strict_fields.ts";
import { sampleRoute } from "./testing.ts";

const route = fieldTreeOf("HTTPRoute")!;

Deno.test("unknownFields names each field the HTTPRoute schema lacks, with Kubernetes' path", () => {
  const typo = sampleRoute() as unknown as {
    spec: Record<string, unknown> & { rules: Record<string, unknown>[] };
  };
  typo.spec.hostname = "x.example";
  typo.spec.rules[0].bakendRefs = [];
  typo.spec.rules[0].matches = [{ header: [{ name: "version", value: "new" }] }];
  assertEquals(unknownFields(typo, route), [
    "spec.rules[0].matches[0].header",
    "spec.rules[0].bakendRefs",
    "spec.hostname",
  ]);
});

Deno.test("unknownFields knows every field of a complete route, and free-form maps", () => {
  const full = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "r", labels: { anything: "x" }, annotations: { "a/b": "c" } },
    spec: {
      parentRefs: [{ group: "", kind: "Service", name: "s", port: 80, sectionName: "a", namespace: "n" }],
      hostnames: ["a.example"],
      rules: [{
        name: "r0",
        matches: [{
          path: { type: "Exact", value: "/" },
          headers: [{ name: "a", value: "b", type: "Exact" }],
        }],
        filters: [{ type: "CORS", cors: { allowOrigins: ["*"], maxAge: 5 } }],
        backendRefs: [{
          name: "s",
          port: 80,
          weight: 1,
          filters: [{
            type: "RequestMirror",
            requestMirror: { backendRef: { name: "m", port: 80 }, percent: 5 },
          }],
        }],
        timeouts: { request: "1s" },
      }],
    },
    status: { parents: [{ parentRef: { name: "s" }, controllerName: "x", conditions: [] }] },
  };
  assertEquals(unknownFields(full, route), []);
  assertEquals(
    unknownFields({
      apiVersion: "v1",
      kind: "Service",
      spec: { ports: [{ port: 80, targetPort: "http" }], selector: { app: "x" } },
    }, fieldTreeOf("Service")!),
    [],
  );
});

Deno.test("pruneUnknown keeps what the schema knows and drops the rest, as the API server stores it", () => {
  const pruned = pruneUnknown({
    kind: "HTTPRoute",
    spec: { hostnames: ["a"], hostname: "a", rules: [{ bakendRefs: [] }] },
  }, route);
  assertEquals(pruned, { kind: "HTTPRoute", spec: { hostnames: ["a"], rules: [{}] } });
});

Deno.test("fieldTreeOf covers every stored kind and nothing else", () => {
  for (const kind of ["HTTPRoute", "Gateway", "ReferenceGrant", "Service", "ServiceImport", "Namespace"]) {
    assertEquals(typeof fieldTreeOf(kind), "object", kind);
  }
  assertEquals(fieldTreeOf("ConfigMap"), undefined);
  assertEquals(fieldTreeOf("toString"), undefined);
});

Deno.test("unknownFields leaves a value of the wrong type to validation, and keeps free-form values whole", () => {
  const tree = fieldTreeOf("HTTPRoute")!;
  for (const spec of ["x", [1, 2], null, 3]) {
    assertEquals(unknownFields({ apiVersion: "v1", kind: "HTTPRoute", spec }, tree), []);
    assertEquals(pruneUnknown({ spec }, tree), { spec });
  }
  // managedFields[].fieldsV1 is free-form: whatever it holds is known.
  const managed = {
    metadata: { managedFields: [{ manager: "kubectl", fieldsV1: { "f:spec": { "f:rules": {} } } }] },
  };
  assertEquals(unknownFields(managed, tree), []);
  assertEquals(pruneUnknown(managed, tree), managed);
});
