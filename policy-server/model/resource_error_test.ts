import { assertEquals } from "../../tests/assert.ts";
import { ResourceError } from "./resource_error.ts";

Deno.test("ResourceError reads 400 as BadRequest and 422 as Invalid, the first cause's field and document", () => {
  const causes = [
    { field: "spec.port", reason: "FieldValueInvalid" as const, message: "m1", document: 1 },
    { field: "spec.name", reason: "FieldValueRequired" as const, message: "m2", document: 3 },
  ];
  const invalid = new ResourceError(422, "2 errors", causes);
  assertEquals([invalid.name, invalid.status, invalid.reason, invalid.message], [
    "ResourceError",
    422,
    "Invalid",
    "2 errors",
  ]);
  assertEquals([invalid.field, invalid.document, invalid.causes], ["spec.port", 1, causes]);
  const bad = new ResourceError(400, "not YAML");
  assertEquals([bad.reason, bad.causes, bad.field, bad.document], ["BadRequest", [], undefined, undefined]);
});

Deno.test("ResourceError.badRequest is a 400 about one document, or the whole body, at a field or none", () => {
  const whole = ResourceError.badRequest("not YAML");
  assertEquals([whole.status, whole.message, whole.causes], [400, "not YAML", [
    { field: "", reason: "FieldValueInvalid", message: "not YAML", document: undefined },
  ]]);
  const one = ResourceError.badRequest('unknown field "spec.x"', 2, "spec.x");
  assertEquals([one.field, one.document, one.causes[0].message], ["spec.x", 2, 'unknown field "spec.x"']);
});
