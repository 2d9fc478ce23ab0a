import { assertEquals, assertThrows } from "../../tests/assert.ts";
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
