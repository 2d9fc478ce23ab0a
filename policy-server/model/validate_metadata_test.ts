import { assertEquals } from "../../tests/assert.ts";
import { FieldChecker } from "./field_checker.ts";
import { RULES, validateMetadata } from "./validate_metadata.ts";

/** Whether `value` passes `rule` (a string rule of {@linkcode RULES}). */
function passes(rule: keyof typeof RULES, value: string): boolean {
  const check = new FieldChecker();
  check.string(value, "f", RULES[rule]);
  return check.errors.length === 0;
}

const FORMATS: [keyof typeof RULES, string[], string[]][] = [
  ["label", ["a", "0", "a-b", "a1-0"], ["", "-a", "a-", "a.b", "A", "a_b"]],
  ["dns1035Label", ["a", "a-b", "ab1"], ["1a", "-a", "a-", "A", "a.b"]],
  ["subdomain", ["a", "a.b", "a.b-c.d", "web-1.apps"], [
    "",
    ".a",
    "a.",
    "a..b",
    "a.-b",
    "a-.b",
    "a.b-",
    "Ab",
    "a_b",
  ]],
  ["hostname", ["a", "a.b", "*.a", "*.a.b", "www.example.com"], [
    "*",
    "*.",
    "*a",
    "a.*",
    "a*",
    "a.b-",
    "A.b",
    "a..b",
  ]],
  ["group", ["", "a", "a.b", "gateway.networking.k8s.io"], ["a.", ".a", "A", "a.b-", "a_b"]],
  ["kind", ["A", "Ab", "HTTPRoute", "a-B1", "z"], ["", "1A", "-A", "A-", "A_", "A.B", "A B"]],
];

Deno.test("RULES take each format's names and refuse near misses, whole names only", async (t) => {
  for (const [rule, good, bad] of FORMATS) {
    await t.step(rule, () => {
      for (const value of good) assertEquals(passes(rule, value), true, `${rule} should take "${value}"`);
      for (const value of bad) assertEquals(passes(rule, value), false, `${rule} should refuse "${value}"`);
    });
  }
});

Deno.test("validateMetadata checks labels and annotations as maps of strings", () => {
  const fields = (metadata: unknown) => {
    const check = new FieldChecker();
    validateMetadata(check, metadata, { name: RULES.label, namespaced: false });
    return check.errors.map((e) => [e.field, e.reason]);
  };
  assertEquals(fields({ name: "a", labels: { tier: "web" }, annotations: { note: "x" } }), []);
  assertEquals(fields({ name: "a", labels: "tier=web" }), [["metadata.labels", "FieldValueTypeInvalid"]]);
  assertEquals(fields({ name: "a", annotations: { note: 1 } }), [[
    "metadata.annotations.note",
    "FieldValueTypeInvalid",
  ]]);
  assertEquals(fields(undefined), [["metadata", "FieldValueRequired"]]);
  assertEquals(fields({}), [["metadata.name", "FieldValueRequired"]]);
});
