import { assertEquals } from "../../tests/assert.ts";
import type { CauseType } from "./resource_error.ts";
import { sampleService } from "./testing.ts";
import { validateService } from "./validate_service.ts";
import { RESOURCE_KINDS } from "./resource_kinds.ts";

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

/** The field errors of the sample Service with these cluster IP fields, with their messages. */
function clusterIpProblems(spec: Record<string, unknown>): [string, string][] {
  const service: Loose = sampleService();
  Object.assign(service.spec, spec);
  return validateService(service).map((e) => [e.field, e.message]);
}

Deno.test("validateService() checks cluster IPs as the API server does on create", async (t) => {
  const ip = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
  const cases: [string, Record<string, unknown>, [string, string][]][] = [
    ["an IPv4 cluster IP", { clusterIP: "10.96.0.20" }, []],
    ["an IPv6 cluster IP", { clusterIP: "fd00:10:96::20" }, []],
    ["headless", { clusterIP: "None" }, []],
    ["headless in both fields", { clusterIP: "None", clusterIPs: ["None"] }, []],
    ["dual stack, either family first", { clusterIP: "fd00::1", clusterIPs: ["fd00::1", "10.96.0.1"] }, []],
    ["none at all (to be allocated)", { clusterIP: "" }, []],
    ["a bad clusterIP is reported where the API server copied it", { clusterIP: "10.96.0" }, [[
      "spec.clusterIPs[0]",
      `Invalid value: "10.96.0": ${ip}`,
    ]]],
    ["clusterIPs[0] must be clusterIP", { clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.2"] }, [[
      "spec.clusterIPs",
      'Invalid value: ["10.96.0.2"]: first value must match `clusterIP`',
    ]]],
    ["clusterIPs without clusterIP", { clusterIPs: ["10.96.0.2"] }, [[
      "spec.clusterIPs",
      'Invalid value: ["10.96.0.2"]: must be empty when `clusterIP` is not specified',
    ]]],
    ["None stands alone", { clusterIP: "None", clusterIPs: ["None", "10.96.0.2"] }, [[
      "spec.clusterIPs",
      'Invalid value: ["None","10.96.0.2"]: \'None\' must be the first and only value',
    ]]],
    ["None only first", { clusterIP: "10.96.0.2", clusterIPs: ["10.96.0.2", "None"] }, [[
      "spec.clusterIPs[1]",
      `Invalid value: "None": ${ip}`,
    ]]],
    ["at most two", { clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.1", "fd00::1", "10.96.0.3"] }, [[
      "spec.clusterIPs",
      'Invalid value: ["10.96.0.1","fd00::1","10.96.0.3"]: may only hold up to 2 values',
    ]]],
    ["one per family", { clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.1", "10.96.0.2"] }, [[
      "spec.clusterIPs",
      'Invalid value: ["10.96.0.1","10.96.0.2"]: may specify no more than one IP for each IP family',
    ]]],
    ["a zone is not an address", { clusterIP: "fe80::1%eth0" }, [[
      "spec.clusterIPs[0]",
      `Invalid value: "fe80::1%eth0": ${ip}`,
    ]]],
    ["clusterIP is a string", { clusterIP: 10 }, [[
      "spec.clusterIP",
      'Invalid value: "number": must be of type string',
    ]]],
    ["clusterIPs holds strings", { clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.1", 7] }, [[
      "spec.clusterIPs[1]",
      'Invalid value: "number": must be of type string',
    ]]],
    ["an ExternalName Service is not checked", { type: "ExternalName", clusterIP: "bogus" }, []],
  ];
  for (const [name, spec, expected] of cases) {
    await t.step(name, () => assertEquals(clusterIpProblems(spec), expected));
  }
});

Deno.test("a stored Service keeps its cluster IPs, clusterIPs filled from clusterIP", async (t) => {
  const stored = (spec: Record<string, unknown>) => {
    const service: Loose = sampleService();
    Object.assign(service.spec, spec);
    return RESOURCE_KINDS.Service.normalise(service).spec;
  };
  const ports = [{ name: "http", port: 8080, protocol: "TCP" }];
  await t.step("clusterIP alone", () =>
    assertEquals(stored({ clusterIP: "10.96.0.20" }), {
      ports,
      clusterIP: "10.96.0.20",
      clusterIPs: ["10.96.0.20"],
    }));
  await t.step(
    "dual stack",
    () =>
      assertEquals(stored({ clusterIP: "10.96.0.20", clusterIPs: ["10.96.0.20", "fd00::20"] }), {
        ports,
        clusterIP: "10.96.0.20",
        clusterIPs: ["10.96.0.20", "fd00::20"],
      }),
  );
  await t.step(
    "headless",
    () => assertEquals(stored({ clusterIP: "None" }), { ports, clusterIP: "None", clusterIPs: ["None"] }),
  );
  await t.step("none given", () => assertEquals(stored({}), { ports }));
  await t.step(
    "ExternalName has none",
    () => assertEquals(stored({ type: "ExternalName", clusterIP: "10.96.0.20" }), { ports }),
  );
});
