import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { withApp, withServer } from "../testing.ts";

Deno.test("over HTTP: /docs is a Swagger UI page whose scripts and styles the server serves itself", async () => {
  await withServer(async (base) => {
    const page = await fetch(`${base}/docs`);
    assertEquals(page.headers.get("Content-Type"), "text/html; charset=UTF-8");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assertEquals(assets.every((a) => a.startsWith("/docs/")), true, `no outside URLs: ${assets}`);
    for (const asset of assets) {
      const res = await fetch(`${base}${asset}`);
      const body = new Uint8Array(await res.arrayBuffer());
      assertEquals(res.status, 200, asset);
      assertEquals(body.length > 0, true, asset);
    }
    const bundle = await (await fetch(`${base}/docs/swagger-ui-bundle.js`)).text();
    assertMatch(bundle.slice(0, 2000) + bundle.slice(-2000), /SwaggerUIBundle|swagger/i);
    const init = await (await fetch(`${base}/docs/init.js`)).text();
    assertMatch(init, /url: "\/openapi\.json"/);
    assertMatch(init, /validatorUrl: null/);
  });
});

Deno.test("/docs/ serves only the UI's own files", async () => {
  await withApp(async ({ app }) => {
    for (const file of ["package.json", "index.html", "..%2Fdeno.json", "swagger-ui-bundle.js.map"]) {
      const res = await app.request(`/docs/${file}`);
      assertEquals(res.status, 404, file);
      await res.body?.cancel();
    }
  });
});
