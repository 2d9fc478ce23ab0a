import { assertEquals } from "../../tests/assert.ts";
import { sampleNamespace } from "./testing.ts";
import { validateNamespace } from "./validate_namespace.ts";

const fields = (obj: unknown) => validateNamespace(obj).map((e) => [e.field, e.reason]);

Deno.test("validateNamespace checks the name as an RFC 1123 label and labels as strings", () => {
  assertEquals(fields(sampleNamespace()), []);
  assertEquals(fields(sampleNamespace("team-a.prod")), [["metadata.name", "FieldValueInvalid"]]);
  assertEquals(fields(sampleNamespace("a".repeat(64))), [["metadata.name", "FieldValueTooLong"]]);
  assertEquals(fields(sampleNamespace("apps", { tier: 1 } as never)), [[
    "metadata.labels.tier",
    "FieldValueTypeInvalid",
  ]]);
  assertEquals(fields({ ...sampleNamespace(), metadata: {} }), [["metadata.name", "FieldValueRequired"]]);
});

Deno.test("validateNamespace ignores metadata.namespace: Namespaces are cluster-scoped", () => {
  assertEquals(fields({ ...sampleNamespace(), metadata: { name: "apps", namespace: "Not A Label" } }), []);
});

Deno.test("validateNamespace wants an object with a known apiVersion and kind Namespace, as the API server words it", () => {
  const messages = (obj: unknown) => validateNamespace(obj).map((e) => `${e.field}: ${e.message}`);
  assertEquals(messages(undefined), [": Required value"]);
  assertEquals(messages("x"), [': Invalid value: "string": must be of type object']);
  const { apiVersion: _a, kind: _k, ...bare } = sampleNamespace();
  assertEquals(messages(bare), ["apiVersion: Required value", "kind: Required value"]);
  assertEquals(messages({ ...sampleNamespace(), apiVersion: 3, kind: "Other" }), [
    'apiVersion: Invalid value: "number": must be of type string',
    'kind: Unsupported value: "Other": supported values: "Namespace"',
  ]);
  assertEquals(messages({ ...sampleNamespace(), apiVersion: "v0" }).length, 1);
});
