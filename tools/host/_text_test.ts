import assert from "node:assert/strict";
import { asciiLower, decodeUtf8, stringToBytes, utf8Length, writeUtf8 } from "./_text.ts";

Deno.test("asciiLower() lowers A-Z only, like pwhost's byte-wise tolower", () => {
  assert.equal(asciiLower("X-Request-ID"), "x-request-id");
  assert.equal(asciiLower("already"), "already");
  assert.equal(asciiLower("ÄBC"), "Äbc");
});

Deno.test("utf8Length() and writeUtf8() agree with TextEncoder", () => {
  for (const s of ["", "ascii", "värde", "✓", "🚀x", "\ud800"]) {
    const expected = new TextEncoder().encode(s);
    assert.equal(utf8Length(s), expected.length, s);
    const out = new Uint8Array(expected.length + 2);
    writeUtf8(out, 1, s, utf8Length(s));
    assert.deepEqual(out.subarray(1, 1 + expected.length), expected, s);
  }
});

Deno.test("decodeUtf8() reads ASCII fast and anything else through TextDecoder", () => {
  const bytes = stringToBytes("a-värde-🚀");
  assert.equal(decodeUtf8(bytes, 0, bytes.length), "a-värde-🚀");
  assert.equal(decodeUtf8(bytes, 0, 1), "a");
  assert.equal(decodeUtf8(new Uint8Array([0xff]), 0, 1), "\ufffd");
  assert.equal(decodeUtf8(stringToBytes("x".repeat(100)), 0, 100), "x".repeat(100));
});
