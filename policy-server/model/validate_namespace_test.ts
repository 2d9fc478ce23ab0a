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
