/**
 * `/openapi.json` and a Swagger UI at `/docs`. The UI's files come from the `swagger-ui-dist` npm
 * package in the server's own module cache: no CDN, nothing fetched from outside.
 *
 * @module
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import swaggerUiPath from "swagger-ui-dist/absolute-path.js";
import { openApiDocument } from "./openapi_document.ts";
import type { PathItem } from "./openapi_document.ts";

/** The package files the page loads, with their content types; nothing else is served. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>wasmroute policy server API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// validatorUrl null: the UI would otherwise send the document to swagger.io for a badge.
const INIT = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  validatorUrl: null,
});
`;

export interface DocsOptions {
  /** Paths of endpoints registered elsewhere, merged into the document. */
  extraPaths?: Record<string, PathItem>;
}

/** `GET /openapi.json`, `GET /docs` and the UI's assets under `/docs/`, as a route group. */
export function docsRoutes(options: DocsOptions = {}): Hono {
  const app = new Hono();
  const document = JSON.stringify(openApiDocument(options.extraPaths));
  const assets = new Map<string, Uint8Array>();

  app.get("/openapi.json", (c) => {
    c.header("Content-Type", "application/json; charset=utf-8");
    return c.body(document);
  });
  app.get("/docs", (c) => c.html(PAGE));
  app.get("/docs/init.js", (c) => {
    c.header("Content-Type", "text/javascript; charset=utf-8");
    return c.body(INIT);
  });
  app.get("/docs/:file", async (c) => {
    const file = c.req.param("file");
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new HTTPException(404, { message: `GET ${c.req.path} is not served` });
    let bytes = assets.get(file);
    if (!bytes) assets.set(file, bytes = await Deno.readFile(`${swaggerUiPath()}/${file}`));
    c.header("Content-Type", type);
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(bytes as Uint8Array<ArrayBuffer>);
  });
  return app;
}
