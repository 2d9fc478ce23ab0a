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
