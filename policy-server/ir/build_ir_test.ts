import { parseAllDocuments, stringify } from "yaml";
import { assertEquals } from "../../tests/assert.ts";
import { assertGolden, goldenCases } from "../../tests/golden.ts";
import type { KubeObject } from "../model/types.ts";
import { buildIr } from "./build_ir.ts";

const testdata = new URL("./testdata/", import.meta.url);

async function loadResources(url: URL): Promise<KubeObject[]> {
  return parseAllDocuments(await Deno.readTextFile(url)).map((d) => d.toJS() as KubeObject).filter(Boolean);
}

Deno.test("buildIr() matches the golden IR and status of every compile case", async (t) => {
  for (const c of await goldenCases(testdata, ".in.yaml")) {
    await t.step(c.name, async () => {
      const result = buildIr(await loadResources(c.url), { generation: 1 });
      const out = stringify(result, { aliasDuplicateObjects: false, lineWidth: 0 });
      await assertGolden(new URL(`${c.name}.out.yaml`, testdata), out);
    });
  }
});

const route = (name: string, spec: unknown, created = "2026-11-01T00:00:00Z") =>
  ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace: "ns", creationTimestamp: created },
    spec,
  }) as KubeObject;

Deno.test("buildIr() gives a rule without matches the default PathPrefix / match", () => {
  const { table } = buildIr([
    route("r", { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "a", port: 80 }] }] }),
  ], {
    generation: 1,
  });
  assertEquals(table.vhosts[0].routes[0].path, { type: "PathPrefix", value: "/" });
});

Deno.test("buildIr() ranks the older of two equal routes first", () => {
  const spec = { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "a", port: 80 }] }] };
  const { table } = buildIr([
    route("young", spec, "2026-11-02T00:00:00Z"),
    route("old", spec, "2026-11-01T00:00:00Z"),
  ], {
    generation: 1,
  });
  assertEquals(table.vhosts[0].routes.map((r) => r.action.route), ["ns/old", "ns/young"]);
});

Deno.test("buildIr() attaches a GAMMA route to every name of its Service", () => {
  const { table } = buildIr([
    route("r", { parentRefs: [{ name: "svc", kind: "Service", group: "", port: 8080 }] }),
  ], {
    generation: 1,
  });
  // The bare name means this Service only to clients in its namespace.
  assertEquals(table.vhosts.map((v) => [v.hostnames.sort(), v.port, v.clients]), [
    [["svc"], 8080, "ns"],
    [["svc.ns", "svc.ns.svc", "svc.ns.svc.cluster.local"], 8080, undefined],
  ]);
});

Deno.test("buildIr() reports an unsupported parent kind without dropping the other parents", () => {
  const { table, statuses } = buildIr([
    route("r", { parentRefs: [{ name: "x", kind: "Mesh", group: "example.com" }, { name: "gw" }] }),
  ], { generation: 1 });
  assertEquals(table.vhosts.length, 1);
  assertEquals(statuses[0].parents.map((p) => p.conditions[0].status), ["False", "True"]);
});

Deno.test("buildIr() lets a consumer route send to its parent Service in another namespace, no grant needed", () => {
  const consumer = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "reviews-for-shop", namespace: "shop", creationTimestamp: "2026-11-01T00:00:00Z" },
    spec: {
      parentRefs: [{ group: "", kind: "Service", name: "reviews", namespace: "bookinfo", port: 9080 }],
      rules: [{ backendRefs: [{ name: "reviews", namespace: "bookinfo", port: 9080 }] }, {
        backendRefs: [{ name: "ratings", namespace: "bookinfo", port: 9080 }],
      }],
    },
  } as KubeObject;
  const { table, statuses } = buildIr([consumer], { generation: 1 });
  // The parent's qualified names, for this namespace's clients; the parent itself as backend resolves.
  assertEquals(
    table.vhosts.map((v) => [v.hostnames.length, v.clients, v.routes[0].action.backends[0].unresolved]),
    [
      [3, "shop", undefined],
    ],
  );
  const resolved = statuses[0].parents[0].conditions.find((c) => c.type === "ResolvedRefs")!;
  assertEquals(
    [resolved.status, resolved.reason],
    ["False", "RefNotPermitted"],
    "ratings still needs a grant",
  );
  assertEquals(resolved.message.includes('reviews"'), false);
});

Deno.test("buildIr() reads a parentRef without group as a Gateway API one: kind Service there is no Service", () => {
  const { table, statuses } = buildIr([
    route("r", { parentRefs: [{ name: "svc", kind: "Service", port: 80 }] }),
  ], {
    generation: 1,
  });
  assertEquals(table.vhosts, []);
  assertEquals(
    statuses[0].parents[0].conditions[0].message,
    'parentRef kind "Service" in group "gateway.networking.k8s.io" is not supported: a Service parent needs group: ""',
  );
});

Deno.test("buildIr() lower-cases header match names and keeps the first of names that differ only in case", () => {
  const { table } = buildIr([
    route("r", {
      parentRefs: [{ name: "gw" }],
      rules: [{
        matches: [{
          headers: [
            { name: "X-Version", value: "New" },
            { name: "x-version", value: "old" },
            { type: "RegularExpression", name: "User-Agent", value: "Mobile.*" },
          ],
          queryParams: [{ name: "Page", value: "1" }],
        }],
        backendRefs: [{ name: "a", port: 80 }],
      }],
    }),
  ], { generation: 1 });
  assertEquals(table.vhosts[0].routes[0].conditions, [
    { kind: "HeaderExact", name: "x-version", value: "New" },
    { kind: "HeaderRegex", name: "user-agent", value: "Mobile.*" },
    { kind: "QueryExact", name: "Page", value: "1" },
  ]);
});
