import { assertEquals } from "../../tests/assert.ts";
import type { Backend, RouteTable } from "../../policy-server/ir/types.ts";
import { tableBackends } from "./table_backends.ts";

const backend = (name: string, extra: Partial<Backend> = {}): Backend => ({
  cluster: `outbound|80||${name}.ns.svc.cluster.local`,
  label: `ns/${name}:80`,
  weight: 1,
  filters: [],
  ...extra,
});

const table = (...actions: Backend[][]): RouteTable => ({
  generation: 1,
  vhosts: [{
    hostnames: ["web"],
    mode: "mesh",
    port: 80,
    routes: actions.map((backends, rule) => ({
      conditions: [],
      action: { route: "ns/r", rule, backends, filters: [] },
    })),
  }],
});

Deno.test("tableBackends lists each cluster once, in table order", () => {
  const got = tableBackends(table([backend("b"), backend("a")], [backend("a"), backend("c")]));
  assertEquals(got.map((b) => b.label), ["ns/b:80", "ns/a:80", "ns/c:80"]);
  assertEquals(got[0], { cluster: "outbound|80||b.ns.svc.cluster.local", label: "ns/b:80" });
});

Deno.test("tableBackends leaves out unresolved backends, which the filter answers with 500", () => {
  const got = tableBackends(table([backend("ok"), backend("gone", { unresolved: true })]));
  assertEquals(got.map((b) => b.label), ["ns/ok:80"]);
});

Deno.test("tableBackends includes the clusters RequestMirror filters copy requests to", () => {
  const t = table([backend("live")]);
  const mirror = {
    kind: "RequestMirror",
    cluster: "outbound|80||shadow.ns.svc.cluster.local",
    label: "ns/shadow:80",
  };
  // deno-lint-ignore no-explicit-any
  (t.vhosts[0].routes[0].action.filters as any[]).push(mirror);
  assertEquals(tableBackends(t).map((b) => b.label), ["ns/live:80", "ns/shadow:80"]);
});
