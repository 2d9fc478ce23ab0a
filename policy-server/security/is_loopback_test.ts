import { assertEquals } from "../../tests/assert.ts";
import { isLoopback } from "./is_loopback.ts";

Deno.test("isLoopback knows 127.0.0.0/8, ::1 and localhost, and nothing else", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"]) {
    assertEquals(isLoopback(host), true, host);
  }
  for (
    const host of ["0.0.0.0", "::", "10.0.0.1", "127.0.0.256", "128.0.0.1", "example.com", "localhost.evil"]
  ) {
    assertEquals(isLoopback(host), false, host);
  }
});

Deno.test("isLoopback reads ::1 spelt out, brackets only as a pair, and each IPv4 octet whole", () => {
  for (
    const host of ["0:0:0:0:0:0:0:1", "[0:0:0:0:0:0:0:1]", "[LocalHost]", "127.0.0.255", "127.255.255.255"]
  ) {
    assertEquals(isLoopback(host), true, host);
  }
  for (
    const host of [
      "[::1",
      "::1]",
      "x[::1]",
      "[::1]x",
      "127.0.0",
      "127.0.0.1.1",
      "1127.0.0.1",
      "127.0.0.1000",
      "127.0.0.a",
      "127.0.0.-1",
      "127.0.0.",
      "0:0:0:0:0:0:0:2",
    ]
  ) {
    assertEquals(isLoopback(host), false, host);
  }
});

Deno.test("isLoopback takes brackets only around the whole name, and octets of at most three digits", () => {
  // Each would be a loopback name if brackets were dropped wherever they stand, or a fourth digit ignored.
  for (const host of ["127.0.0.[1]", "[127.0.0.]1", "[::]1", "127.0.0.0001", "0127.0.0.1"]) {
    assertEquals(isLoopback(host), false, host);
  }
});
