import { assertEquals } from "../tests/assert.ts";
import { deriveKnownFields, KNOWN_FIELDS_FILE, knownFieldsJson } from "./derive_known_fields.ts";

Deno.test("known_fields.json is what the installed Gateway API and Kubernetes models declare", () => {
  // Regenerate with: deno run --allow-read --allow-write tools/derive_known_fields.ts
  assertEquals(Deno.readTextFileSync(KNOWN_FIELDS_FILE), knownFieldsJson(deriveKnownFields()));
});

Deno.test("deriveKnownFields follows base interfaces and maps: parentRefs, labels, a Service's selector", () => {
  // deno-lint-ignore no-explicit-any
  const fields = deriveKnownFields() as Record<string, any>;
  assertEquals(Object.keys(fields.HTTPRoute.spec.parentRefs[0]).sort(), [
    "group",
    "kind",
    "name",
    "namespace",
    "port",
    "sectionName",
  ]);
  assertEquals(fields.HTTPRoute.metadata.labels, { "*": "*" });
  assertEquals(fields.Service.spec.selector, { "*": "*" });
  assertEquals(fields.HTTPRoute.metadata.managedFields[0].fieldsV1, "*");
});
