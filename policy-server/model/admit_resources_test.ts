import { assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import { admitResources } from "./admit_resources.ts";
import { ResourceError } from "./resource_error.ts";
import { sampleRoute } from "./testing.ts";
import type { KubeObject } from "./types.ts";

const refused = (objects: KubeObject[]) =>
  assertThrows(() => admitResources(objects), ResourceError) as ResourceError;

Deno.test("admitResources rejects other kinds with 400", () => {
  const error = refused([sampleRoute(), { apiVersion: "v1", kind: "Service", metadata: { name: "x" } }]);
  assertEquals([error.status, error.reason, error.field, error.document], [400, "BadRequest", "kind", 1]);
  assertEquals(error.message, 'kind "Service" is not supported (only HTTPRoute)');
});

Deno.test("admitResources rejects unknown HTTPRoute versions with 400", () => {
  const error = refused([{ ...sampleRoute(), apiVersion: "gateway.networking.k8s.io/v1alpha2" }]);
  assertEquals([error.status, error.field], [400, "apiVersion"]);
});

Deno.test("admitResources rejects an empty request with 400", () => {
  assertEquals(refused([]).status, 400);
});

Deno.test("admitResources reports the invalid fields of every document with 422", () => {
  const a = sampleRoute("a");
  const b = sampleRoute("b");
  b.spec.rules![0].backendRefs![1].port = 70000;
  const c = sampleRoute("c");
  c.spec.parentRefs = [];
  const error = refused([a, b, c]);
  assertEquals([error.status, error.reason], [422, "Invalid"]);
  assertEquals(error.causes.map((e) => [e.document, e.field]), [
    [1, "spec.rules[0].backendRefs[1].port"],
    [2, "spec.parentRefs"],
  ]);
  assertMatch(error.causes[0].message, /^document 1: Invalid value: 70000/);
  assertMatch(
    error.message,
    /^HTTPRoute "default\/b" is invalid: spec\.rules\[0\]\.backendRefs\[1\]\.port: .*; HTTPRoute "default\/c"/,
  );
});

Deno.test("admitResources rejects the same route twice in one request with 422", () => {
  const error = refused([sampleRoute("a"), sampleRoute("b"), sampleRoute("a")]);
  assertEquals([error.status, error.field, error.document, error.causes[0].reason], [
    422,
    "metadata.name",
    2,
    "FieldValueDuplicate",
  ]);
});

Deno.test("admitResources normalises v1beta1, defaults the namespace and drops status", () => {
  const route = sampleRoute();
  delete (route.metadata as { namespace?: string }).namespace;
  const [admitted] = admitResources([{
    ...route,
    apiVersion: "gateway.networking.k8s.io/v1beta1",
    status: { parents: [] },
  }]);
  assertEquals(admitted.apiVersion, "gateway.networking.k8s.io/v1");
  assertEquals(admitted.metadata.namespace, "default");
  assertEquals("status" in admitted, false);
  assertEquals(admitted.spec, route.spec);
});
