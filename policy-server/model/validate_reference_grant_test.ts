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

Deno.test("validateReferenceGrant wants an object with a known apiVersion and kind ReferenceGrant, as the API server words it", () => {
  const messages = (obj: unknown) => validateReferenceGrant(obj).map((e) => `${e.field}: ${e.message}`);
  assertEquals(messages(undefined), [": Required value"]);
  assertEquals(messages("x"), [': Invalid value: "string": must be of type object']);
  const { apiVersion: _a, kind: _k, ...bare } = sampleReferenceGrant();
  assertEquals(messages(bare), ["apiVersion: Required value", "kind: Required value"]);
  assertEquals(messages({ ...sampleReferenceGrant(), apiVersion: 3, kind: "Other" }), [
    'apiVersion: Invalid value: "number": must be of type string',
    'kind: Unsupported value: "Other": supported values: "ReferenceGrant"',
  ]);
  assertEquals(messages({ ...sampleReferenceGrant(), apiVersion: "v0" }).length, 1);
});

Deno.test("validateReferenceGrant checks the name as a DNS subdomain, the namespace as a label, and wants a spec object", () => {
  const reasons = (edit: (o: Loose) => void) => {
    const obj: Loose = sampleReferenceGrant();
    edit(obj);
    return validateReferenceGrant(obj).map((e) => [e.field, e.reason]);
  };
  assertEquals(reasons((o) => (o.metadata.name = "a.b-c")), []);
  assertEquals(reasons((o) => (o.metadata.name = "Bad_Name")), [["metadata.name", "FieldValueInvalid"]]);
  assertEquals(reasons((o) => (o.metadata.namespace = "a.b")), [["metadata.namespace", "FieldValueInvalid"]]);
  assertEquals(reasons((o) => delete o.spec), [["spec", "FieldValueRequired"]]);
  assertEquals(reasons((o) => (o.spec = "x")), [["spec", "FieldValueTypeInvalid"]]);
});

Deno.test("validateReferenceGrant wants each target's kind, and each target to be an object", () => {
  assertEquals(problems((g) => delete g.spec.to[0].kind), [["spec.to[0].kind", "FieldValueRequired"]]);
  assertEquals(problems((g) => (g.spec.to = ["x"])), [["spec.to[0]", "FieldValueTypeInvalid"]]);
  assertEquals(problems((g) => (g.spec.from = ["x"])), [["spec.from[0]", "FieldValueTypeInvalid"]]);
});
