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
