import { assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import { decodeResources, fieldValidationOf } from "./decode_resources.ts";
import { ResourceError } from "./resource_error.ts";

const TYPO = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: my-server-route, namespace: devopssong}
spec:
  parentRefs: [{name: my-server, kind: Service, group: "", port: 80}]
  rules:
  - matches:
    - header: [{name: version, value: new}]
    bakendRefs: [{name: my-server-v2, port: 80}]
`;

Deno.test("decodeResources refuses unknown fields by default, in the API server's words", () => {
  const error = assertThrows(() => decodeResources(TYPO, "application/yaml"), ResourceError) as ResourceError;
  assertEquals(error.status, 400);
  assertEquals(
    error.message,
    'HTTPRoute in version "v1" cannot be handled as a HTTPRoute: strict decoding error: ' +
      'unknown field "spec.rules[0].matches[0].header", unknown field "spec.rules[0].bakendRefs"',
  );
  assertEquals(error.causes.map((c) => c.field), [
    "spec.rules[0].matches[0].header",
    "spec.rules[0].bakendRefs",
  ]);
});

Deno.test("decodeResources refuses duplicated fields under Strict, and keeps the last under Ignore", () => {
  const twice = '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "name": "b"}}';
  const error = assertThrows(
    () => decodeResources(twice, "application/json"),
    ResourceError,
  ) as ResourceError;
  assertMatch(error.message, /strict decoding error: duplicate field "metadata.name"$/);
  const [ns] = decodeResources(twice, "application/json", { fieldValidation: "Ignore" });
  assertEquals(ns.metadata.name, "b");
});

Deno.test("decodeResources under Warn keeps the object, pruned, and says what it dropped", () => {
  const warnings: string[] = [];
  const [route] = decodeResources(TYPO, "application/yaml", {
    fieldValidation: "Warn",
    warn: (w) => warnings.push(w),
  });
  assertEquals(warnings, [
    'unknown field "spec.rules[0].matches[0].header"',
    'unknown field "spec.rules[0].bakendRefs"',
  ]);
  assertEquals((route.spec as { rules: unknown[] }).rules, [{ matches: [{}] }]);
});

Deno.test("decodeResources under Ignore prunes silently, and leaves kinds it does not store alone", () => {
  const warnings: string[] = [];
  const objects = decodeResources(`${TYPO}---\napiVersion: v1\nkind: ConfigMap\nextra: 1\n`, undefined, {
    fieldValidation: "Ignore",
    warn: (w) => warnings.push(w),
  });
  assertEquals(warnings, []);
  assertEquals(JSON.stringify(objects[0]).includes("bakendRefs"), false);
  assertEquals(objects[1], { apiVersion: "v1", kind: "ConfigMap", extra: 1 } as never);
});

Deno.test("fieldValidationOf takes Kubernetes' three directives, Strict when absent", () => {
  assertEquals(["Strict", "Warn", "Ignore", undefined].map((v) => fieldValidationOf(v)), [
    "Strict",
    "Warn",
    "Ignore",
    "Strict",
  ]);
  const error = assertThrows(() => fieldValidationOf("strict"), ResourceError) as ResourceError;
  assertEquals(error.status, 400);
  assertMatch(error.message, /fieldValidation parameter unsupported: "strict"/);
});

const NS = (name: string, extra = "", namespace = "") =>
  `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "${name}"${namespace}}${extra}}`;

Deno.test("fieldValidationOf reads an empty directive as Strict and words a refusal as the API server does", () => {
  assertEquals(fieldValidationOf(""), "Strict");
  const error = assertThrows(() => fieldValidationOf("Lax"), ResourceError) as ResourceError;
  assertEquals(
    error.message,
    'fieldValidation parameter unsupported: "Lax": must be one of "Ignore", "Warn", or "Strict"',
  );
});

Deno.test("decodeResources under Warn names the object of each warning when a body holds several", () => {
  const warnings: string[] = [];
  const body = `[${NS("a", ', "x": 1')}, ${NS("b", ', "y": 2', ', "namespace": "ns"')}, ` +
    `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": 3}, "z": 3}, ` +
    `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "d", "name": "d"}}]`;
  decodeResources(body, "application/json", { fieldValidation: "Warn", warn: (w) => warnings.push(w) });
  assertEquals(warnings, [
    'Namespace a: unknown field "x"',
    'Namespace ns/b: unknown field "y"',
    'Namespace ?: unknown field "z"',
    'Namespace d: duplicate field "metadata.name"',
  ]);
  // Without a listener, warnings are dropped.
  assertEquals(
    decodeResources(NS("a", ', "x": 1'), "application/json", { fieldValidation: "Warn" }).length,
    1,
  );
});

Deno.test("decodeResources under Strict refuses every object's unknown and duplicated fields at once, each with its document", () => {
  const body = `[${NS("a", ', "x": 1')}, ${
    NS("b")
  }, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "c", "name": "c"}, "y": 2}]`;
  const error = assertThrows(() => decodeResources(body, "application/json"), ResourceError) as ResourceError;
  assertEquals(
    error.message,
    'Namespace in version "v1" cannot be handled as a Namespace: strict decoding error: unknown field "x"; ' +
      'Namespace in version "v1" cannot be handled as a Namespace: strict decoding error: duplicate field "metadata.name", unknown field "y"',
  );
  assertEquals(error.causes.map((c) => [c.document, c.field, c.reason, c.message]), [
    [0, "x", "FieldValueInvalid", 'unknown field "x"'],
    [2, "metadata.name", "FieldValueInvalid", 'duplicate field "metadata.name"'],
    [2, "y", "FieldValueInvalid", 'unknown field "y"'],
  ]);
  // Under Ignore, duplicates are not even looked for.
  assertEquals(decodeResources(body, "application/json", { fieldValidation: "Ignore" }).length, 3);
});

Deno.test("decodeResources under Strict warns of nothing: it refuses", () => {
  const warnings: string[] = [];
  assertThrows(
    () => decodeResources(NS("a", ', "x": 1'), "application/json", { warn: (w) => warnings.push(w) }),
    ResourceError,
  );
  assertEquals(warnings, []);
});
