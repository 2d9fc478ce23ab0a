import { assertEquals } from "../../tests/assert.ts";
import { FieldChecker } from "./field_checker.ts";
import { RULES } from "./validate_metadata.ts";
import { type Preamble, validatePreamble } from "./validate_preamble.ts";

const WIDGET: Preamble = {
  apiVersions: ["a/v1", "a/v2"],
  kind: "Widget",
  name: RULES.label,
  namespaced: true,
};

/** The document validatePreamble returns and the errors it records, as `field: message`. */
function run(obj: unknown, preamble = WIDGET): [unknown, string[]] {
  const check = new FieldChecker();
  const doc = validatePreamble(check, obj, preamble);
  return [doc, check.errors.map((e) => `${e.field}: ${e.message}`)];
}

const widget = { apiVersion: "a/v2", kind: "Widget", metadata: { name: "w", namespace: "ns" }, spec: {} };

Deno.test("validatePreamble returns the document itself when its preamble is valid", () => {
  const [doc, errors] = run(widget);
  assertEquals(errors, []);
  assertEquals(doc === widget, true);
});

Deno.test("validatePreamble refuses a document that is not an object, and returns nothing to check further", () => {
  assertEquals(run(undefined), [undefined, [": Required value"]]);
  assertEquals(run(null), [undefined, [": Required value"]]);
  assertEquals(run([widget]), [undefined, [': Invalid value: "array": must be of type object']]);
});

Deno.test("validatePreamble checks apiVersion and kind against the kind's own, in the API server's words", () => {
  const [doc, errors] = run({ ...widget, apiVersion: "a/v3", kind: "Gadget" });
  assertEquals(doc !== undefined, true);
  assertEquals(errors, [
    'apiVersion: Unsupported value: "a/v3": supported values: "a/v1", "a/v2"',
    'kind: Unsupported value: "Gadget": supported values: "Widget"',
  ]);
  assertEquals(run({ metadata: widget.metadata })[1], ["apiVersion: Required value", "kind: Required value"]);
});

Deno.test("validatePreamble checks metadata with the kind's name format and scope", () => {
  const named = (name: string, namespace: string) => ({ ...widget, metadata: { name, namespace } });
  assertEquals(run(named("a.b", "ns"))[1], [
    'metadata.name: Invalid value: "a.b": must be a lowercase RFC 1123 label',
  ]);
  assertEquals(run(named("a.b", "ns"), { ...WIDGET, name: RULES.subdomain })[1], []);
  assertEquals(run(named("w", "Bad NS"))[1], [
    'metadata.namespace: Invalid value: "Bad NS": must be a lowercase RFC 1123 label',
  ]);
  assertEquals(run(named("w", "Bad NS"), { ...WIDGET, namespaced: false })[1], []);
  assertEquals(run({ ...widget, metadata: undefined })[1], ["metadata: Required value"]);
});
