import { HTTPException } from "hono/http-exception";
import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { gatewayQuery } from "./gateway_query.ts";

Deno.test("gatewayQuery reads NAMESPACE/NAME and refuses anything else with a 400", () => {
  assertEquals(gatewayQuery(undefined), undefined);
  assertEquals(gatewayQuery("istio-ingress/gw.v1"), { namespace: "istio-ingress", name: "gw.v1" });
  for (const bad of ["../etc", "a/b/c", "A/b", "a", "a/", "a.b/c"]) {
    const error = assertThrows(() => gatewayQuery(bad), HTTPException, "must be NAMESPACE/NAME");
    assertEquals((error as HTTPException).status, 400);
  }
});
