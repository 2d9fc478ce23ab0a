import { assertEquals } from "../../tests/assert.ts";
import { TokenVerifier } from "./token_verifier.ts";

Deno.test("TokenVerifier finds the principal of a token and nothing for any other string", async () => {
  const verifier = await TokenVerifier.create([
    { name: "ci", token: "token-ci", namespaces: ["apps"], role: "writer" },
    { name: "ops", token: "token-ops", namespaces: ["*"], role: "operator" },
  ]);
  assertEquals(verifier.size, 2);
  const ci = await verifier.verify("token-ci");
  assertEquals([ci?.name, ci?.role, ci?.namespaces instanceof Set && [...ci.namespaces]], ["ci", "writer", [
    "apps",
  ]]);
  assertEquals((await verifier.verify("token-ops"))?.namespaces, "*");
  for (const other of ["", "token-c", "token-ci ", "TOKEN-CI", "token-ops-and-more"]) {
    assertEquals(await verifier.verify(other), undefined, other);
  }
});

Deno.test("TokenVerifier gives the first entry's principal when two entries share a token", async () => {
  const verifier = await TokenVerifier.create([
    { name: "first", token: "shared", namespaces: ["a"], role: "reader" },
    { name: "second", token: "shared", namespaces: ["*"], role: "operator" },
  ]);
  assertEquals((await verifier.verify("shared"))?.name, "first");
});
