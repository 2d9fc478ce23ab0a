import { assertEquals } from "../../tests/assert.ts";
import type { CauseType } from "./resource_error.ts";
import { sampleReferenceGrant } from "./testing.ts";
import { validateReferenceGrant } from "./validate_reference_grant.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

function problems(edit: (grant: Loose) => void): [string, CauseType][] {
  const grant: Loose = sampleReferenceGrant();
  edit(grant);
  return validateReferenceGrant(grant).map((e) => [e.field, e.reason]);
}

const many = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

Deno.test("validateReferenceGrant accepts v1beta1 and v1, with and without a target name", () => {
  assertEquals(validateReferenceGrant(sampleReferenceGrant()), []);
  assertEquals(problems((g) => (g.apiVersion = "gateway.networking.k8s.io/v1")), []);
  assertEquals(problems((g) => (g.spec.to[0].name = "web-v1")), []);
});

const cases: [string, (g: Loose) => void, [string, CauseType][]][] = [
  ["apiVersion is a served version", (g) => (g.apiVersion = "gateway.networking.k8s.io/v1alpha2"), [[
    "apiVersion",
    "FieldValueNotSupported",
  ]]],
  ["spec is required", (g) => delete g.spec, [["spec", "FieldValueRequired"]]],
  ["from is required", (g) => delete g.spec.from, [["spec.from", "FieldValueRequired"]]],
  ["from is not empty", (g) => (g.spec.from = []), [["spec.from", "FieldValueRequired"]]],
  ["at most 16 from", (g) => (g.spec.from = many(17, () => g.spec.from[0])), [[
    "spec.from",
    "FieldValueTooMany",
  ]]],
  ["to is not empty", (g) => (g.spec.to = []), [["spec.to", "FieldValueRequired"]]],
  ["at most 16 to", (g) => (g.spec.to = many(17, () => g.spec.to[0])), [["spec.to", "FieldValueTooMany"]]],
  ["from needs a group, which may be empty", (g) => delete g.spec.from[0].group, [[
    "spec.from[0].group",
    "FieldValueRequired",
  ]]],
  ["to needs a group", (g) => delete g.spec.to[0].group, [["spec.to[0].group", "FieldValueRequired"]]],
  ["from needs a kind", (g) => delete g.spec.from[0].kind, [["spec.from[0].kind", "FieldValueRequired"]]],
  ["from needs a namespace", (g) => delete g.spec.from[0].namespace, [[
    "spec.from[0].namespace",
    "FieldValueRequired",
  ]]],
  ["from namespaces are labels", (g) => (g.spec.from[0].namespace = "a.b"), [[
    "spec.from[0].namespace",
    "FieldValueInvalid",
  ]]],
  ["groups are lowercase", (g) => (g.spec.to[0].group = "Apps"), [["spec.to[0].group", "FieldValueInvalid"]]],
  ["to names are not empty", (g) => (g.spec.to[0].name = ""), [["spec.to[0].name", "FieldValueInvalid"]]],
  ["from items are objects", (g) => (g.spec.from = ["default"]), [["spec.from[0]", "FieldValueTypeInvalid"]]],
];

for (const [name, edit, expected] of cases) {
  Deno.test(`validateReferenceGrant: ${name}`, () => assertEquals(problems(edit), expected));
}
