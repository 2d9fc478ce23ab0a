import { assertEquals } from "../../tests/assert.ts";
import { warningTexts } from "./warning_texts.ts";

Deno.test("warningTexts reads every warning of appended Warning headers, quotes unescaped", () => {
  const headers = new Headers();
  headers.append("Warning", '299 - "unknown field \\"spec.hostname\\""');
  headers.append("Warning", '299 - "Gateway a/b: listener tcp, is, ignored"');
  assertEquals(warningTexts(headers), [
    'unknown field "spec.hostname"',
    "Gateway a/b: listener tcp, is, ignored",
  ]);
  assertEquals(warningTexts(new Headers()), []);
});
