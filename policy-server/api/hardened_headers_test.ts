import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { hardenedHeaders } from "./hardened_headers.ts";

function app(): Hono {
  const app = new Hono();
  app.use("*", hardenedHeaders());
  app.use("/denied", () => {
    throw new HTTPException(401, { message: "no" });
  });
  app.get("/page", (c) => c.html("<p>hello</p>"));
  app.get("/cached", (c) => {
    c.header("Cache-Control", "public, max-age=60");
    return c.body("x");
  });
  app.onError((e, c) => c.json({ message: e.message }, (e as HTTPException).status ?? 500));
  return app;
}

Deno.test("hardenedHeaders() sets CSP, X-Frame-Options and no-store on answers and refusals alike", async () => {
  for (const path of ["/page", "/denied", "/missing"]) {
    const res = await app().request(path);
    await res.body?.cancel();
    assertMatch(
      res.headers.get("Content-Security-Policy") ?? "",
      /default-src 'self'.*frame-ancestors 'none'/,
      path,
    );
    assertEquals(
      [
        res.headers.get("X-Frame-Options"),
        res.headers.get("Cache-Control"),
        res.headers.get("X-Content-Type-Options"),
      ],
      ["DENY", "no-store", "nosniff"],
      path,
    );
  }
});

Deno.test("hardenedHeaders() keeps a handler's own caching policy", async () => {
  const res = await app().request("/cached");
  assertEquals(res.headers.get("Cache-Control"), "public, max-age=60");
});

Deno.test("hardenedHeaders() gives HEAD the Content-Length of its GET", async () => {
  const get = await app().request("/page");
  const head = await app().request("/page", { method: "HEAD" });
  assertEquals(head.headers.get("Content-Length"), String((await get.arrayBuffer()).byteLength));
});

Deno.test("hardenedHeaders() keeps the referrer same-origin, so a browser's own form posts carry their Origin", async () => {
  const res = await app().request("/page");
  assertEquals(res.headers.get("Referrer-Policy"), "same-origin");
});
