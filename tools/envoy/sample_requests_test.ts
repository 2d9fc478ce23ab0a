import { assertEquals } from "../../tests/assert.ts";
import type { RouteTable } from "../../policy-server/ir/types.ts";
import { sampleRequests } from "./sample_requests.ts";

const action = { route: "ns/r", rule: 0, backends: [], filters: [] };

Deno.test("sampleRequests gives one curl per route with its host, path, headers and query", () => {
  const table: RouteTable = {
    generation: 1,
    vhosts: [{
      hostnames: ["my-server", "my-server.devopssong"],
      mode: "mesh",
      port: 80,
      routes: [
        {
          path: { type: "PathPrefix", value: "/" },
          conditions: [{ kind: "HeaderExact", name: "version", value: "new" }],
          action,
        },
        {
          path: { type: "Exact", value: "/q" },
          method: "POST",
          conditions: [{ kind: "QueryExact", name: "a b", value: "it's" }],
          action,
        },
      ],
    }],
  };
  assertEquals(sampleRequests(table, 10000), [
    "curl -sS -H 'Host: my-server' -H 'version: new' 'http://localhost:10000/'",
    "curl -sS -X POST -H 'Host: my-server' 'http://localhost:10000/q?a%20b=it'\\''s'",
  ]);
});

Deno.test("sampleRequests names a concrete host for wildcards and a port for non-80 Service ports", () => {
  const route = { path: { type: "PathPrefix" as const, value: "/get" }, conditions: [], action };
  const table: RouteTable = {
    generation: 1,
    vhosts: [
      { hostnames: ["*.example.com"], mode: "gateway", port: 0, routes: [route] },
      { hostnames: ["*"], mode: "gateway", port: 0, routes: [route] },
      { hostnames: ["api"], mode: "mesh", port: 8080, routes: [route] },
    ],
  };
  assertEquals(sampleRequests(table, 9), [
    "curl -sS -H 'Host: www.example.com' 'http://localhost:9/get'",
    "curl -sS -H 'Host: example.test' 'http://localhost:9/get'",
    "curl -sS -H 'Host: api:8080' 'http://localhost:9/get'",
  ]);
});
