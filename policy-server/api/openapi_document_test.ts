import { assert, assertEquals } from "../../tests/assert.ts";
import { withApp } from "../testing.ts";
import { openApiDocument } from "./openapi_document.ts";

/** `/v1/blob/:generation{[0-9]+}` → `/v1/blob/{generation}`. */
const openApiPath = (honoPath: string) => honoPath.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");

Deno.test("openApiDocument describes every route the app serves", async () => {
  await withApp(({ app }) => {
    const doc = openApiDocument();
    const missing = app.routes
      .filter((r) => r.method !== "ALL" && !r.path.startsWith("/docs/"))
      .map((r) => [r.method.toLowerCase(), openApiPath(r.path)] as const)
      .filter(([method, path]) => !(doc.paths[path] as Record<string, unknown> | undefined)?.[method])
      .map(([method, path]) => `${method.toUpperCase()} ${path}`);
    assertEquals(
      missing,
      [],
      "describe these in policy-server/api/openapi_document.ts (or pass openApiPaths)",
    );
    return Promise.resolve();
  });
});

Deno.test("openApiDocument is OpenAPI 3.1 with unique operationIds and no dangling $ref", () => {
  const doc = openApiDocument();
  assertEquals(doc.openapi, "3.1.0");
  const ids: string[] = [];
  const refs: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== "object") return;
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref") refs.push(item as string);
      else if (key === "operationId") ids.push(item as string);
      else walk(item);
    }
  };
  walk(doc);
  assertEquals(
    ids.length,
    new Set(ids).size,
    `duplicate operationIds: ${ids.filter((id, i) => ids.indexOf(id) !== i)}`,
  );
  for (const ref of refs) {
    const [, section, name] = /^#\/components\/(\w+)\/(\w+)$/.exec(ref) ?? [];
    assert(
      section && (doc.components as Record<string, Record<string, unknown>>)[section]?.[name],
      `dangling ${ref}`,
    );
  }
  // Path templates and their parameters agree.
  for (const [path, item] of Object.entries(doc.paths)) {
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const declared = (item.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name).sort();
    assertEquals(declared, names, path);
  }
});

Deno.test("GET /openapi.json serves the document; openApiPaths adds more", async () => {
  await withApp(async ({ app }) => {
    const doc = await (await app.request("/openapi.json")).json();
    assertEquals(doc.paths["/v1/blob/rollback"].post.operationId, "rollbackBlob");
    assertEquals(doc.paths["/v1/extra"].get.operationId, "extra");
  }, {
    openApiPaths: {
      "/v1/extra": {
        get: {
          operationId: "extra",
          summary: "x",
          tags: ["blob"],
          responses: { "200": { description: "ok" } },
        },
      },
    },
  });
});
