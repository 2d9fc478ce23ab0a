import { assertEquals, assertMatch } from "../tests/assert.ts";
import { why, whyText } from "./why.ts";
import { loadResources } from "./simulate.ts";

const routes = await loadResources("examples/header-routing/routes.yaml");

Deno.test("why gives the filter's decision with the route that took it and why the earlier ones did not", async () => {
  const answer = await why(routes, { host: "my-server", path: "/", headers: { version: "old" } });
  assertEquals(answer.decision.backend, "devopssong/my-server-v1:80");
  assertEquals(answer.explanation.routes.at(-1)?.verdict, "matched");
  assertMatch(whyText(answer), /header version is "old", not "new"/);
});

Deno.test("why on a miss by port names the port a route for the host is on", async () => {
  const answer = await why(routes, { host: "my-server", port: 9080, path: "/" });
  assertEquals(answer.decision.passthrough, true);
  assertEquals(answer.explanation.nearest, [
    "a route for this host exists on port 80 (Service devopssong/my-server)",
  ]);
});
