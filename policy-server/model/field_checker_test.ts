import { assertEquals } from "../../tests/assert.ts";
import { FieldChecker, objectsOf } from "./field_checker.ts";

/** The errors `run` records, as `field reason: message`. */
function errors(run: (check: FieldChecker) => unknown): string[] {
  const check = new FieldChecker();
  run(check);
  return check.errors.map((e) => `${e.field} ${e.reason}: ${e.message}`);
}

Deno.test("FieldChecker.object returns an object, and says Required value or names the type it got", () => {
  const check = new FieldChecker();
  const value = { a: 1 };
  assertEquals(check.object(value, "spec"), value);
  assertEquals(check.object(undefined, "spec"), undefined);
  assertEquals(check.object(null, "spec"), undefined);
  assertEquals(check.errors, []);
  assertEquals(errors((c) => c.object(undefined, "spec", true)), ["spec FieldValueRequired: Required value"]);
  assertEquals(errors((c) => c.object(null, "spec", true)), ["spec FieldValueRequired: Required value"]);
  assertEquals(errors((c) => c.object([], "spec")), [
    'spec FieldValueTypeInvalid: Invalid value: "array": must be of type object',
  ]);
  assertEquals(errors((c) => c.object("x", "spec")), [
    'spec FieldValueTypeInvalid: Invalid value: "string": must be of type object',
  ]);
  assertEquals(errors((c) => c.object(3, "spec")), [
    'spec FieldValueTypeInvalid: Invalid value: "number": must be of type object',
  ]);
});

Deno.test("FieldChecker.array checks presence, type and item counts in the API server's words", () => {
  assertEquals(new FieldChecker().array([1, 2], "l", { min: 1, max: 2 }), [1, 2]);
  assertEquals(errors((c) => c.array(undefined, "l")), []);
  assertEquals(errors((c) => c.array(null, "l", { required: true })), [
    "l FieldValueRequired: Required value",
  ]);
  assertEquals(errors((c) => c.array({}, "l")), [
    'l FieldValueTypeInvalid: Invalid value: "object": must be of type array',
  ]);
  assertEquals(errors((c) => c.array([1, 2, 3], "l", { max: 2 })), [
    "l FieldValueTooMany: Too many: 3: must have at most 2 items",
  ]);
  assertEquals(errors((c) => c.array([1, 2], "l", { max: 2, min: 3 })), [
    "l FieldValueInvalid: Invalid value: 2: must have at least 3 items",
  ]);
  // An empty list where one is required reads as a missing value; one item too few does not.
  assertEquals(errors((c) => c.array([], "l", { required: true, min: 1 })), [
    "l FieldValueRequired: Invalid value: 0: must have at least 1 items",
  ]);
  assertEquals(errors((c) => c.array([], "l", { min: 1 })), [
    "l FieldValueInvalid: Invalid value: 0: must have at least 1 items",
  ]);
  assertEquals(errors((c) => c.array([1], "l", { required: true, min: 2 })), [
    "l FieldValueInvalid: Invalid value: 1: must have at least 2 items",
  ]);
  assertEquals(errors((c) => c.array([1], "l", { min: 1 })), []);
});

Deno.test("FieldChecker.string checks values, emptiness, length and pattern, in that order", () => {
  assertEquals(new FieldChecker().string("abc", "s"), "abc");
  assertEquals(errors((c) => c.string(undefined, "s")), []);
  assertEquals(errors((c) => c.string(null, "s", { required: true })), [
    "s FieldValueRequired: Required value",
  ]);
  assertEquals(errors((c) => c.string(1, "s")), [
    's FieldValueTypeInvalid: Invalid value: "number": must be of type string',
  ]);
  assertEquals(errors((c) => c.string("c", "s", { values: ["a", "b"] })), [
    's FieldValueNotSupported: Unsupported value: "c": supported values: "a", "b"',
  ]);
  assertEquals(errors((c) => c.string("b", "s", { values: ["a", "b"], max: 0 })), [
    "s FieldValueTooLong: Too long: may not be more than 0 bytes",
  ]);
  assertEquals(errors((c) => c.string("", "s", { required: true })), [
    "s FieldValueRequired: Required value",
  ]);
  // A rule that allows "" (min 0) takes it even when the field is required.
  assertEquals(errors((c) => c.string("", "s", { required: true, min: 0 })), []);
  assertEquals(errors((c) => c.string("", "s")), []);
  assertEquals(errors((c) => c.string("abcd", "s", { max: 3 })), [
    "s FieldValueTooLong: Too long: may not be more than 3 bytes",
  ]);
  assertEquals(errors((c) => c.string("abc", "s", { max: 3 })), []);
  assertEquals(errors((c) => c.string("ab", "s", { min: 3 })), [
    's FieldValueInvalid: Invalid value: "ab": must be at least 3 characters',
  ]);
  assertEquals(errors((c) => c.string("abc", "s", { min: 3 })), []);
  assertEquals(
    errors((c) => c.string("a_b", "s", { pattern: /^[a-z]+$/, patternHint: "lowercase letters" })),
    [
      's FieldValueInvalid: Invalid value: "a_b": must be lowercase letters',
    ],
  );
  assertEquals(errors((c) => c.string("a_b", "s", { pattern: /^[a-z]+$/ })), [
    's FieldValueInvalid: Invalid value: "a_b": must be of the form ^[a-z]+$',
  ]);
  // Only the first problem of a value is reported.
  assertEquals(errors((c) => c.string("A_", "s", { min: 3, pattern: /^[a-z]+$/ })).length, 1);
});

Deno.test("FieldChecker.integer wants a whole number within its bounds, inclusive", () => {
  assertEquals(new FieldChecker().integer(5, "n", { min: 1, max: 5 }), 5);
  assertEquals(errors((c) => c.integer(undefined, "n")), []);
  assertEquals(errors((c) => c.integer(null, "n", { required: true })), [
    "n FieldValueRequired: Required value",
  ]);
  assertEquals(errors((c) => c.integer(1.5, "n")), [
    'n FieldValueTypeInvalid: Invalid value: "number": must be of type integer',
  ]);
  assertEquals(errors((c) => c.integer("1", "n")), [
    'n FieldValueTypeInvalid: Invalid value: "string": must be of type integer',
  ]);
  assertEquals(errors((c) => c.integer(0, "n", { min: 1, max: 5 })), [
    "n FieldValueInvalid: Invalid value: 0: must be between 1 and 5, inclusive",
  ]);
  assertEquals(errors((c) => c.integer(6, "n", { min: 1, max: 5 })), [
    "n FieldValueInvalid: Invalid value: 6: must be between 1 and 5, inclusive",
  ]);
  assertEquals(errors((c) => c.integer(1, "n", { min: 1, max: 5 })), []);
  assertEquals(errors((c) => c.integer(-1, "n", { min: 0 })), [
    "n FieldValueInvalid: Invalid value: -1: must be between 0 and ∞, inclusive",
  ]);
  assertEquals(errors((c) => c.integer(9, "n", { max: 8 })), [
    "n FieldValueInvalid: Invalid value: 9: must be between -∞ and 8, inclusive",
  ]);
});

Deno.test("FieldChecker.unique reports each later item equal to an earlier one, skipping items without a key", () => {
  const items = ["a", "b", "a", "x", "a", "b"];
  assertEquals(
    errors((c) => c.unique(items, (i) => `l[${i}]`, (s) => s === "x" ? undefined : `name ${s}`)),
    [
      'l[2] FieldValueDuplicate: Duplicate value: "name a"',
      'l[4] FieldValueDuplicate: Duplicate value: "name a"',
      'l[5] FieldValueDuplicate: Duplicate value: "name b"',
    ],
  );
});

Deno.test("FieldChecker.invalid and add record errors as given", () => {
  assertEquals(errors((c) => c.invalid("f", { a: 1 }, "must be right")), [
    'f FieldValueInvalid: Invalid value: {"a":1}: must be right',
  ]);
  assertEquals(errors((c) => c.add("g", "FieldValueForbidden", "Forbidden: no")), [
    "g FieldValueForbidden: Forbidden: no",
  ]);
});

Deno.test("objectsOf returns the items that are objects with their indices, and reports the others", () => {
  const check = new FieldChecker();
  const a = { n: 1 }, b = { n: 2 };
  assertEquals(objectsOf(check, [a, "x", null, b], "items"), [[a, 0], [b, 3]]);
  assertEquals(check.errors.map((e) => `${e.field} ${e.reason}`), [
    "items[1] FieldValueTypeInvalid",
    "items[2] FieldValueRequired",
  ]);
  assertEquals(objectsOf(new FieldChecker(), undefined, "items"), []);
});

Deno.test("FieldChecker.integer takes its bounds themselves, and unique() never compares items without a key", () => {
  assertEquals(errors((c) => c.integer(5, "n", { min: 1, max: 5 })), []);
  assertEquals(errors((c) => c.unique(["x", "x"], (i) => `l[${i}]`, () => undefined)), []);
});
