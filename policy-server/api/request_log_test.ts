import { assertEquals } from "../../tests/assert.ts";
import { sampleRoute } from "../model/testing.ts";
import { withApp } from "../testing.ts";

Deno.test("requestLog writes one structured line per request with the route pattern and token name", async () => {
  await withApp(async ({ app, logs }) => {
    await (await app.request("/v1/routes", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(sampleRoute()),
    })).body
      ?.cancel();
    await (await app.request("/v1/httproutes/default/web?x=1")).body?.cancel();
    await (await app.request("/healthz")).body?.cancel();
    const lines = logs.filter((l) => l.msg === "request").map(({ time: _t, durationMs, ...rest }) => {
      assertEquals(typeof durationMs, "number");
      return rest;
    });
    assertEquals(lines, [
      {
        level: "info",
        msg: "request",
        method: "POST",
        path: "/v1/routes",
        route: "/v1/routes",
        status: 201,
        token: "anonymous",
      },
      {
        level: "info",
        msg: "request",
        method: "GET",
        path: "/v1/httproutes/default/web",
        route: "/v1/httproutes/:namespace/:name",
        status: 200,
        token: "anonymous",
      },
      { level: "info", msg: "request", method: "GET", path: "/healthz", route: "/healthz", status: 200 },
    ]);
  });
});

Deno.test("routeOf names the route that answered, not a later one that also matches", async () => {
  await withApp(async ({ app, logs }) => {
    await (await app.request("/docs/init.js")).body?.cancel();
    await (await app.request("/docs/swagger-ui.css")).body?.cancel();
    await (await app.request("/v1/nothing")).body?.cancel();
    assertEquals(logs.filter((l) => l.msg === "request").map((l) => [l.route, l.status]), [
      ["/docs/init.js", 200],
      ["/docs/:file", 200],
      ["unmatched", 404],
    ]);
  });
});
