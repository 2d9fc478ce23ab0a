import { assertEquals } from "../../tests/assert.ts";
import { validateHttpRouteSchema } from "./http_route_schema.ts";
import type { FieldError } from "./resource_error.ts";
import { fieldPath, schemaErrors, type SchemaValidator, withSchemaErrors } from "./schema_errors.ts";

const route = (spec: unknown) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: "r" },
  spec,
});

/** The schema's errors for an HTTPRoute with `spec`, as `field: message`. */
const routeErrors = (spec: unknown) =>
  schemaErrors(validateHttpRouteSchema, route(spec)).map((e) => `${e.field} ${e.reason}: ${e.message}`);

/** A validator that finds exactly `errors` (the shape ajv reports). */
function failing(...errors: { instancePath: string; keyword: string; params?: Record<string, unknown> }[]) {
  const validate = (() => false) as SchemaValidator;
  validate.errors = errors.map((e) => ({ params: {}, ...e }));
  return validate;
}

Deno.test("fieldPath writes a JSON pointer as a Kubernetes field path, unescaping ~1 and ~0", () => {
  assertEquals(fieldPath("/spec/rules/0/filters/1"), "spec.rules[0].filters[1]");
  assertEquals(fieldPath(""), "");
  assertEquals(fieldPath("/0/name"), "[0].name");
  assertEquals(fieldPath("/metadata/annotations/a~1b~0c"), "metadata.annotations.a/b~c");
  assertEquals(fieldPath("/metadata/annotations/~01"), "metadata.annotations.~1");
  assertEquals(fieldPath("/spec/0a"), "spec.0a");
});

Deno.test("schemaErrors words the CRD schema's findings as the API server's OpenAPI validation does", () => {
  assertEquals(routeErrors({ parentRefs: [{ name: "gw", port: "80" }] }), [
    'spec.parentRefs[0].port FieldValueTypeInvalid: Invalid value: "string": spec.parentRefs[0].port in body must be of type integer: "string"',
  ]);
  assertEquals(routeErrors({ rules: [{ matches: [{ method: "FETCH" }] }] }), [
    'spec.rules[0].matches[0].method FieldValueNotSupported: Unsupported value: "FETCH": supported values: "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"',
  ]);
  assertEquals(routeErrors({ parentRefs: [{ name: "a".repeat(254) }] }), [
    "spec.parentRefs[0].name FieldValueTooLong: Too long: may not be more than 253 bytes",
  ]);
  assertEquals(routeErrors({ hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example`) }), [
    "spec.hostnames FieldValueTooMany: Too many: 17: must have at most 16 items",
  ]);
  assertEquals(routeErrors({ hostnames: ["Bad_Host"] }), [
    `spec.hostnames[0] FieldValueInvalid: Invalid value: "Bad_Host": spec.hostnames[0] in body should match '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'`,
  ]);
  assertEquals(routeErrors({ parentRefs: [{ name: "" }] }), [
    'spec.parentRefs[0].name FieldValueInvalid: Invalid value: "": spec.parentRefs[0].name in body should be at least 1 chars long',
  ]);
  assertEquals(routeErrors({ parentRefs: [{ name: "gw", port: 0 }] }), [
    "spec.parentRefs[0].port FieldValueInvalid: Invalid value: 0: spec.parentRefs[0].port in body should be greater than or equal to 1",
  ]);
  assertEquals(routeErrors({ parentRefs: [{ name: "gw", port: 70000 }] }), [
    "spec.parentRefs[0].port FieldValueInvalid: Invalid value: 70000: spec.parentRefs[0].port in body should be less than or equal to 65535",
  ]);
  assertEquals(routeErrors({ parentRefs: [{}] }), [
    "spec.parentRefs[0].name FieldValueRequired: Required value",
  ]);
  assertEquals(routeErrors({ parentRefs: [{ name: "gw" }] }), []);
});

Deno.test("schemaErrors names each value's JSON type, integers apart from other numbers", () => {
  const obj = { a: [1], b: null, c: 1, d: 1.5, e: true, f: {}, g: "s" };
  const got = (k: string) =>
    schemaErrors(failing({ instancePath: `/${k}`, keyword: "type", params: { type: "string" } }), obj)[0]
      .message;
  const want = (k: string, t: string) => `Invalid value: "${t}": ${k} in body must be of type string: "${t}"`;
  assertEquals(got("a"), want("a", "array"));
  assertEquals(got("b"), want("b", "null"));
  assertEquals(got("c"), want("c", "integer"));
  assertEquals(got("d"), want("d", "number"));
  assertEquals(got("e"), want("e", "boolean"));
  assertEquals(got("f"), want("f", "object"));
  assertEquals(got("g"), want("g", "string"));
});

Deno.test("schemaErrors words the keywords the CRDs use less often, and any other as the schema's rule", () => {
  const obj = { spec: { list: [], url: "x y", weird: 3 }, "a/b": { "c~d": "v" } };
  assertEquals(
    schemaErrors(
      failing(
        { instancePath: "/spec/list", keyword: "minItems", params: { limit: 1 } },
        { instancePath: "/spec/url", keyword: "format", params: { format: "uri" } },
        { instancePath: "/spec/weird", keyword: "multipleOf", params: {} },
        { instancePath: "", keyword: "required", params: { missingProperty: "kind" } },
        { instancePath: "/a~1b/c~0d", keyword: "pattern", params: { pattern: "^x$" } },
      ),
      obj,
    ),
    [
      {
        field: "spec.list",
        reason: "FieldValueInvalid",
        message: "Invalid value: 0: spec.list in body should have at least 1 items",
      },
      {
        field: "spec.url",
        reason: "FieldValueInvalid",
        message: 'Invalid value: "x y": spec.url in body must be of type uri: "x y"',
      },
      {
        field: "spec.weird",
        reason: "FieldValueInvalid",
        message: "Invalid value: 3: fails the schema's multipleOf rule",
      },
      { field: "kind", reason: "FieldValueRequired", message: "Required value" },
      {
        field: "a/b.c~d",
        reason: "FieldValueInvalid",
        message: `Invalid value: "v": a/b.c~d in body should match '^x$'`,
      },
    ],
  );
  // A path through something that is not an object has no value.
  assertEquals(
    schemaErrors(
      failing({ instancePath: "/spec/url/deeper", keyword: "minLength", params: { limit: 1 } }),
      obj,
    )[0]
      .message,
    "Invalid value: undefined: spec.url.deeper in body should be at least 1 chars long",
  );
});

Deno.test("schemaErrors reports one problem per field, none for a field the hand-written checks named, none when valid", () => {
  const twice = failing(
    { instancePath: "/a", keyword: "minimum", params: { limit: 1 } },
    { instancePath: "/a", keyword: "type", params: { type: "string" } },
    { instancePath: "/b", keyword: "maximum", params: { limit: 2 } },
  );
  const known: FieldError[] = [{ field: "b", reason: "FieldValueInvalid", message: "hand-written" }];
  assertEquals(schemaErrors(twice, { a: 0, b: 3 }, known), [
    {
      field: "a",
      reason: "FieldValueInvalid",
      message: "Invalid value: 0: a in body should be greater than or equal to 1",
    },
  ]);
  assertEquals(schemaErrors(twice, { a: 0, b: 3 }).map((e) => e.field), ["a", "b"]);
  const valid = failing({ instancePath: "/a", keyword: "type" });
  valid.errors = null;
  assertEquals(schemaErrors(valid, {}), []);
  assertEquals(schemaErrors(Object.assign(() => true, { errors: twice.errors }), {}), []);
});

Deno.test("withSchemaErrors puts the schema's wording in place of a hand-written error at the same field, then its own", () => {
  const written: FieldError[] = [
    { field: "a", reason: "FieldValueInvalid", message: "hand a" },
    { field: "b", reason: "FieldValueInvalid", message: "hand b" },
    { field: "", reason: "FieldValueInvalid", message: "CEL" },
  ];
  const validate = failing(
    { instancePath: "/c", keyword: "maxLength", params: { limit: 1 } },
    { instancePath: "/b", keyword: "maxLength", params: { limit: 2 } },
  );
  assertEquals(withSchemaErrors(written, validate, { b: "xyz", c: "xy" }), [
    written[0],
    { field: "b", reason: "FieldValueTooLong", message: "Too long: may not be more than 2 bytes" },
    written[2],
    { field: "c", reason: "FieldValueTooLong", message: "Too long: may not be more than 1 bytes" },
  ]);
});

Deno.test("schemaErrors reads indices of any length, and finds no value through null or a string", () => {
  assertEquals(fieldPath("/spec/rules/10/name"), "spec.rules[10].name");
  const obj = { spec: { x: null, url: "xy" } };
  const at = (instancePath: string) =>
    schemaErrors(failing({ instancePath, keyword: "minLength", params: { limit: 1 } }), obj)[0].message;
  assertEquals(
    at("/spec/x/deeper"),
    "Invalid value: undefined: spec.x.deeper in body should be at least 1 chars long",
  );
  assertEquals(
    at("/spec/url/0"),
    "Invalid value: undefined: spec.url[0] in body should be at least 1 chars long",
  );
});
