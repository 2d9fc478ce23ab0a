import { assertEquals } from "../../tests/assert.ts";
import type { CauseType } from "./resource_error.ts";
import { sampleServiceImport } from "./testing.ts";
import { validateServiceImport } from "./validate_service_import.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

function problems(edit: (serviceImport: Loose) => void): [string, CauseType][] {
  const serviceImport: Loose = sampleServiceImport();
  edit(serviceImport);
  return validateServiceImport(serviceImport).map((e) => [e.field, e.reason]);
}

Deno.test("validateServiceImport accepts a valid ServiceImport, also without ports", () => {
  assertEquals(validateServiceImport(sampleServiceImport()), []);
  assertEquals(problems((s) => ((s.spec.ports = []), (s.spec.type = "Headless"))), []);
});

const cases: [string, (s: Loose) => void, [string, CauseType][]][] = [
  ["apiVersion is v1alpha1", (s) => (s.apiVersion = "multicluster.x-k8s.io/v1"), [[
    "apiVersion",
    "FieldValueNotSupported",
  ]]],
  ["type is required", (s) => delete s.spec.type, [["spec.type", "FieldValueRequired"]]],
  ["type is an enum", (s) => (s.spec.type = "ClusterIP"), [["spec.type", "FieldValueNotSupported"]]],
  ["ports are required", (s) => delete s.spec.ports, [["spec.ports", "FieldValueRequired"]]],
  ["port is 1..65535", (s) => (s.spec.ports[0].port = 65536), [["spec.ports[0].port", "FieldValueInvalid"]]],
  ["port names are unique", (s) => s.spec.ports.push({ name: "http", port: 9090 }), [[
    "spec.ports[1].name",
    "FieldValueDuplicate",
  ]]],
];

for (const [name, edit, expected] of cases) {
  Deno.test(`validateServiceImport: ${name}`, () => assertEquals(problems(edit), expected));
}

Deno.test("validateServiceImport wants an object with a known apiVersion and kind ServiceImport, as the API server words it", () => {
  const messages = (obj: unknown) => validateServiceImport(obj).map((e) => `${e.field}: ${e.message}`);
  assertEquals(messages(undefined), [": Required value"]);
  assertEquals(messages("x"), [': Invalid value: "string": must be of type object']);
  const { apiVersion: _a, kind: _k, ...bare } = sampleServiceImport();
  assertEquals(messages(bare), ["apiVersion: Required value", "kind: Required value"]);
  assertEquals(messages({ ...sampleServiceImport(), apiVersion: 3, kind: "Other" }), [
    'apiVersion: Invalid value: "number": must be of type string',
    'kind: Unsupported value: "Other": supported values: "ServiceImport"',
  ]);
  assertEquals(messages({ ...sampleServiceImport(), apiVersion: "v0" }).length, 1);
});

Deno.test("validateServiceImport checks the name as a DNS subdomain, the namespace as a label, and wants a spec object", () => {
  const reasons = (edit: (o: Loose) => void) => {
    const obj: Loose = sampleServiceImport();
    edit(obj);
    return validateServiceImport(obj).map((e) => [e.field, e.reason]);
  };
  assertEquals(reasons((o) => (o.metadata.name = "a.b-c")), []);
  assertEquals(reasons((o) => (o.metadata.name = "Bad_Name")), [["metadata.name", "FieldValueInvalid"]]);
  assertEquals(reasons((o) => (o.metadata.namespace = "a.b")), [["metadata.namespace", "FieldValueInvalid"]]);
  assertEquals(reasons((o) => delete o.spec), [["spec", "FieldValueRequired"]]);
  assertEquals(reasons((o) => (o.spec = "x")), [["spec", "FieldValueTypeInvalid"]]);
});
