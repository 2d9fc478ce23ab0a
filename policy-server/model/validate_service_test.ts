import { assertEquals } from "../../tests/assert.ts";
import type { CauseType } from "./resource_error.ts";
import { sampleService } from "./testing.ts";
import { validateService } from "./validate_service.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

function problems(edit: (service: Loose) => void): [string, CauseType][] {
  const service: Loose = sampleService();
  edit(service);
  return validateService(service).map((e) => [e.field, e.reason]);
}

Deno.test("validateService accepts a full manifest and a minimal one", () => {
  assertEquals(validateService(sampleService()), []);
  assertEquals(
    validateService({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "a" },
      spec: { ports: [{ port: 80 }] },
    }),
    [],
  );
});

const cases: [string, (s: Loose) => void, [string, CauseType][]][] = [
  ["apiVersion is v1", (s) => (s.apiVersion = "core/v1"), [["apiVersion", "FieldValueNotSupported"]]],
  ["names are RFC 1035 labels: no leading digit", (s) => (s.metadata.name = "1web"), [[
    "metadata.name",
    "FieldValueInvalid",
  ]]],
  ["names are RFC 1035 labels: no dots", (s) => (s.metadata.name = "web.v1"), [[
    "metadata.name",
    "FieldValueInvalid",
  ]]],
  ["names are at most 63 characters", (s) => (s.metadata.name = "a".repeat(64)), [[
    "metadata.name",
    "FieldValueTooLong",
  ]]],
  ["namespaces are labels", (s) => (s.metadata.namespace = "Default"), [[
    "metadata.namespace",
    "FieldValueInvalid",
  ]]],
  ["spec is required", (s) => delete s.spec, [["spec", "FieldValueRequired"]]],
  ["ports are required", (s) => delete s.spec.ports, [["spec.ports", "FieldValueRequired"]]],
  ["ports are not empty", (s) => (s.spec.ports = []), [["spec.ports", "FieldValueRequired"]]],
  ["a port needs a port", (s) => delete s.spec.ports[0].port, [["spec.ports[0].port", "FieldValueRequired"]]],
  ["port is 1..65535", (s) => (s.spec.ports[0].port = 0), [["spec.ports[0].port", "FieldValueInvalid"]]],
  ["protocol is an enum", (s) => (s.spec.ports[0].protocol = "HTTP"), [[
    "spec.ports[0].protocol",
    "FieldValueNotSupported",
  ]]],
  ["port names are labels", (s) => (s.spec.ports[0].name = "HTTP"), [[
    "spec.ports[0].name",
    "FieldValueInvalid",
  ]]],
  ["several ports need names", (s) => s.spec.ports.push({ port: 9090 }), [[
    "spec.ports[1].name",
    "FieldValueRequired",
  ]]],
  ["port names are unique", (s) => s.spec.ports.push({ name: "http", port: 9090 }), [[
    "spec.ports[1].name",
    "FieldValueDuplicate",
  ]]],
  ["port and protocol are unique together", (s) => s.spec.ports.push({ name: "again", port: 8080 }), [[
    "spec.ports[1]",
    "FieldValueDuplicate",
  ]]],
  [
    "the same port over UDP is another port",
    (s) => s.spec.ports.push({ name: "dns", port: 8080, protocol: "UDP" }),
    [],
  ],
  ["fields the store drops are not checked", (s) => (s.spec.type = 7), []],
];

for (const [name, edit, expected] of cases) {
  Deno.test(`validateService: ${name}`, () => assertEquals(problems(edit), expected));
}
