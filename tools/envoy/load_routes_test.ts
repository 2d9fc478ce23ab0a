import { join } from "node:path";
import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { ResourceError } from "../../policy-server/model/resource_error.ts";
import { loadRoutes } from "./load_routes.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("loadRoutes reads an example folder's routes.yaml and admits its HTTPRoutes", async () => {
  const { file, routes } = await loadRoutes(join(root, "examples/header-routing"));
  assertEquals(file, join(root, "examples/header-routing/routes.yaml"));
  assertEquals(routes.map((r) => `${r.metadata.namespace}/${r.metadata.name}`), [
    "devopssong/my-server-route",
  ]);
});

/** Runs `fn` with a route file in a fresh folder, removed afterwards. */
async function withRouteFile(fn: (file: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(join(dir, "r.yaml"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One HTTPRoute `r` without a namespace, its backend on `port`. */
const routeYaml = (port: number) =>
  "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n" +
  `spec: {parentRefs: [{name: gw}], rules: [{backendRefs: [{name: web, port: ${port}}]}]}\n`;

Deno.test("loadRoutes reads a route file as given and defaults the namespace as the server does", () =>
  withRouteFile(async (file) => {
    await Deno.writeTextFile(file, routeYaml(80));
    const { routes } = await loadRoutes(file);
    assertEquals(routes[0].metadata.namespace, "default");
  }));

Deno.test("loadRoutes refuses what the server would refuse", () =>
  withRouteFile(async (file) => {
    await Deno.writeTextFile(file, routeYaml(70000));
    const error = await assertRejects(() => loadRoutes(file), "spec.rules[0].backendRefs[0].port");
    assertEquals(error instanceof ResourceError && error.status, 422);
    await Deno.writeTextFile(file, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
    const notRoute = await assertRejects(() => loadRoutes(file), 'kind "Pod"');
    assertEquals(notRoute instanceof ResourceError && notRoute.status, 400);
  }));
