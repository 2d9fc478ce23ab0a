import assert from "node:assert/strict";
import {
  asciiLower,
  decodeUtf8,
  decodeUtf8Cached,
  encodeUtf8Cached,
  headerNameCached,
  stringToBytes,
  utf8Length,
  writeUtf8,
} from "./_text.ts";

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

Deno.test("decodeUtf8Cached() answers by content: changed bytes at the same place decode afresh", () => {
  const u8 = stringToBytes("xx:authorityxx");
  assert.equal(decodeUtf8Cached(u8, 2, 12), ":authority");
  assert.equal(decodeUtf8Cached(u8, 2, 12), ":authority");
  u8.set(stringToBytes(":AUTHORITY"), 2);
  assert.equal(decodeUtf8Cached(u8, 2, 12), ":AUTHORITY");
  assert.equal(decodeUtf8Cached(stringToBytes("värde"), 0, 6), "värde");
});

Deno.test("decodeUtf8Cached() is exact at every length: held in a place, found by content, or not cached", () => {
  for (const n of [0, 1, 119, 120, 121, 256, 257, 400]) {
    const u8 = stringToBytes("_" + "a".repeat(n) + "_");
    assert.equal(decodeUtf8Cached(u8, 1, 1 + n), "a".repeat(n));
    u8[n] = 0x62; // the last byte changes in place
    assert.equal(decodeUtf8Cached(u8, 1, 1 + n), "a".repeat(Math.max(0, n - 1)) + (n ? "b" : ""));
  }
});

Deno.test("headerNameCached() lowers A-Z, by content, long names too", () => {
  const u8 = stringToBytes("xxX-Cluster-Namexx");
  assert.equal(headerNameCached(u8, 2, 16), "x-cluster-name");
  assert.equal(decodeUtf8Cached(u8, 2, 16), "X-Cluster-Name"); // the same entry keeps its text
  u8.set(stringToBytes("x-other-nameXX"), 2);
  assert.equal(headerNameCached(u8, 2, 16), "x-other-namexx");
  const long = "X-".repeat(200);
  assert.equal(headerNameCached(stringToBytes(long), 0, 400), "x-".repeat(200));
});

Deno.test("encodeUtf8Cached() gives TextEncoder's bytes, short or long", () => {
  for (const s of ["", "outbound|80||a.b.svc.cluster.local", "✓🚀", "y".repeat(1000)]) {
    assert.deepEqual(encodeUtf8Cached(s), new TextEncoder().encode(s));
    assert.deepEqual(encodeUtf8Cached(s), new TextEncoder().encode(s));
  }
});
