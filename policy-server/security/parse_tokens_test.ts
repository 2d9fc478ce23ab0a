import { assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import { parseTokens, TokenConfigError } from "./parse_tokens.ts";

Deno.test("parseTokens reads a YAML list, a JSON list and {tokens: [...]}", () => {
  const yaml = `
- name: ci
  token: s3cr3t-ci-token
  namespaces: [apps, web]
  role: writer
- {name: admin, token: adm1n.token, namespaces: ["*"], role: operator}
`;
  const expected = [
    { name: "ci", token: "s3cr3t-ci-token", namespaces: ["apps", "web"], role: "writer" },
    { name: "admin", token: "adm1n.token", namespaces: ["*"], role: "operator" },
  ];
  assertEquals(parseTokens(yaml, "tokens.yaml"), expected);
  assertEquals(parseTokens(JSON.stringify(expected), "WASMROUTE_TOKENS"), expected);
  assertEquals(parseTokens(JSON.stringify({ tokens: expected }), "t.json"), expected);
});

Deno.test("parseTokens refuses bad entries, naming where but never quoting a token", () => {
  const ok = { name: "a", token: "tok-a", namespaces: ["x"], role: "reader" };
  const bad: [unknown, string][] = [
    [{ not: "a list" }, "must be a list"],
    [[{ ...ok, role: "admin" }], "role must be one of reader, writer, operator"],
    [[{ ...ok, namespaces: [] }], "namespaces must be a non-empty list"],
    [[{ ...ok, namespaces: ["Bad_NS"] }], "namespaces must be"],
    [[{ ...ok, namespaces: ["*", "x"] }], '"*" already means every namespace'],
    [[{ ...ok, token: "has space" }], "token must be"],
    [[{ ...ok, extra: 1 }], 'unknown field "extra"'],
    [[ok, { ...ok, token: "other" }], 'name "a" is used twice'],
    [[ok, { ...ok, name: "b" }], "same as an earlier entry's"],
  ];
  for (const [value, message] of bad) {
    const error = assertThrows(() => parseTokens(JSON.stringify(value), "f.json"), TokenConfigError, message);
    assertEquals(error.message.includes("tok-a"), false, error.message);
  }
  assertThrows(() => parseTokens("[{", "f.yaml"), TokenConfigError, "f.yaml: not YAML or JSON");
});

Deno.test("parseTokens names the entry and the rule each refusal breaks", () => {
  const ok = { name: "a", token: "tok-a", namespaces: ["x"], role: "reader" };
  const cases: [unknown, string][] = [
    [{ not: "a list" }, "f.json: must be a list of tokens"],
    [[ok, null], "f.json: entry 1 is not an object"],
    [[[ok]], "f.json: entry 0 is not an object"],
    [["text"], "f.json: entry 0 is not an object"],
    [[{ ...ok, extra: 1 }], 'f.json: entry 0: unknown field "extra"'],
    [[{ ...ok, name: "-a" }], 'f.json: entry 0: name must be 1-128 letters, digits and "-_.@:"'],
    [[{ ...ok, name: 7 }], 'f.json: entry 0: name must be 1-128 letters, digits and "-_.@:"'],
    [[ok, { ...ok, token: "other" }], 'f.json: entry 1: name "a" is used twice'],
    [
      [{ ...ok, token: 5 }],
      'f.json: entry 0 ("a"): token must be a non-empty bearer token (letters, digits, "-._~+/")',
    ],
    [[ok, { ...ok, name: "b" }], `f.json: entry 1 ("b"): token is the same as an earlier entry's`],
    [
      [{ ...ok, namespaces: "x" }],
      'f.json: entry 0 ("a"): namespaces must be a non-empty list of namespace names, or ["*"]',
    ],
    [
      [{ ...ok, namespaces: [1] }],
      'f.json: entry 0 ("a"): namespaces must be a non-empty list of namespace names, or ["*"]',
    ],
    [
      [{ ...ok, namespaces: ["x", "*"] }],
      'f.json: entry 0 ("a"): "*" already means every namespace; list nothing else',
    ],
    [[{ ...ok, role: undefined }], 'f.json: entry 0 ("a"): role must be one of reader, writer, operator'],
  ];
  for (const [value, message] of cases) {
    assertEquals(
      assertThrows(() => parseTokens(JSON.stringify(value), "f.json"), TokenConfigError).message,
      message,
    );
  }
  assertEquals(
    assertThrows(() => parseTokens("a: 1\na: 2\n", "t.yaml"), TokenConfigError).message.startsWith(
      "t.yaml: not YAML or JSON: ",
    ),
    true,
    "duplicate keys are a syntax error",
  );
});

Deno.test("parseTokens takes names, namespaces and tokens up to the edges of their rules", () => {
  const entry = (
    over: Record<string, unknown>,
  ) => [{ name: "a", token: "tok", namespaces: ["x"], role: "reader", ...over }];
  const accepts = (over: Record<string, unknown>) => parseTokens(JSON.stringify(entry(over)), "f.json")[0];
  const refuses = (over: Record<string, unknown>) =>
    assertThrows(() => parseTokens(JSON.stringify(entry(over)), "f.json"), TokenConfigError);
  for (const name of ["a", "ci@corp.example:team_1", "A".repeat(128), "9-lives"]) {
    assertEquals(accepts({ name }).name, name);
  }
  for (const name of ["", "A".repeat(129), "a b", ".a", "a/b", "a\n"]) refuses({ name });
  for (const ns of ["a", "a-b", "0x", "web-1"]) assertEquals(accepts({ namespaces: [ns] }).namespaces, [ns]);
  for (const ns of ["", "A", "-a", "a-", "a.b", "a_b", " a"]) refuses({ namespaces: [ns] });
  for (const token of ["abc", "a-b.c_d~e+f/g", "abc==", "x="]) assertEquals(accepts({ token }).token, token);
  for (const token of ["", "=abc", "ab=c", "a b", "tok!", "tok\n"]) refuses({ token });
  for (const role of ["reader", "writer", "operator"]) assertEquals(accepts({ role }).role, role);
});

Deno.test("parseTokens calls anything but a list (or {tokens: list}) not a list, never failing otherwise", () => {
  for (const text of ["", "null", "42", "just text", "true", "{}", "{tokens: 3}", "tokens: [1]x"]) {
    const error = assertThrows(() => parseTokens(text, "f.yaml"), TokenConfigError);
    assertEquals([error.name, error.message.startsWith("f.yaml: ")], ["TokenConfigError", true], text);
  }
  assertEquals(
    assertThrows(() => parseTokens("42", "f.yaml"), TokenConfigError).message,
    "f.yaml: must be a list of tokens",
  );
});

Deno.test("parseTokens quotes the first line of a syntax error", () => {
  const message = assertThrows(() => parseTokens("a: 1\na: 2\n", "t.yaml"), TokenConfigError).message;
  assertMatch(message, /^t\.yaml: not YAML or JSON: Map keys must be unique[^\n]*$/);
});

Deno.test("parseTokens refuses namespaces when any one of them is not a namespace name", () => {
  const entry = [{ name: "a", token: "tok", namespaces: ["apps", "Bad_NS"], role: "reader" }];
  assertThrows(() => parseTokens(JSON.stringify(entry), "f.json"), TokenConfigError, "namespaces must be");
});
