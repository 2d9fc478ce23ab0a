import { parseAllDocuments, stringify } from "yaml";
import { assertEquals } from "../../tests/assert.ts";
import { assertGolden, goldenCases } from "../../tests/golden.ts";
import type { KubeObject } from "../model/types.ts";
import { buildIr, type BuildIrOptions, type BuildIrResult } from "./build_ir.ts";
import { compileRegex } from "../regex/compile_regex.ts";
import { disassemble } from "../regex/match_program.ts";

const testdata = new URL("./testdata/", import.meta.url);

async function loadResources(url: URL): Promise<KubeObject[]> {
  return parseAllDocuments(await Deno.readTextFile(url)).map((d) => d.toJS() as KubeObject).filter(Boolean);
}

Deno.test("buildIr() matches the golden IR and status of every compile case", async (t) => {
  for (const c of await goldenCases(testdata, ".in.yaml")) {
    await t.step(c.name, async () => {
      const result = buildIr(await loadResources(c.url), { generation: 1 });
      // A regex program reads as its instructions, one line each.
      const out = stringify(
        result,
        (_key, value) => value instanceof Uint8Array ? disassemble(value) : value,
        {
          aliasDuplicateObjects: false,
          lineWidth: 0,
        },
      );
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
    { kind: "HeaderRegex", name: "user-agent", value: "Mobile.*", program: compileRegex("Mobile.*") },
    { kind: "QueryExact", name: "Page", value: "1" },
  ]);
});

// Each parentRef, rule and match form buildIr reads, checked on its own.

const build = (spec: unknown, options: Partial<BuildIrOptions> = {}) =>
  buildIr([route("r", spec)], { generation: 1, ...options });
const gatewayParent = { parentRefs: [{ name: "gw" }] };
const accepted = (result: BuildIrResult) => result.statuses[0].parents.map((p) => p.conditions[0]);

Deno.test("buildIr() takes a core-group Service parent as GAMMA, and no other kind or group", () => {
  const core = build({ parentRefs: [{ group: "core", kind: "Service", name: "svc", port: 80 }] });
  assertEquals(core.table.vhosts.map((v) => [v.mode, v.scope]), [["mesh", "ns/svc"], ["mesh", "ns/svc"]]);
  const refused = (parent: Record<string, unknown>) => {
    const { table, statuses } = build({ parentRefs: [{ name: "p", ...parent }] });
    const c = statuses[0].parents[0].conditions[0];
    return [table.vhosts.length, c.status, c.reason, c.message];
  };
  assertEquals(refused({ group: "", kind: "Gateway" }), [
    0,
    "False",
    "UnsupportedValue",
    'parentRef kind "Gateway" in group "" is not supported',
  ]);
  assertEquals(refused({ group: "example.com", kind: "Gateway" }), [
    0,
    "False",
    "UnsupportedValue",
    'parentRef kind "Gateway" in group "example.com" is not supported',
  ]);
  assertEquals(
    refused({ group: "example.com", kind: "Mesh" })[3],
    'parentRef kind "Mesh" in group "example.com" is not supported',
  );
});

Deno.test("buildIr() attaches to a Gateway it has never seen on trust, or refuses it when asked to", () => {
  const trusted = build(gatewayParent);
  assertEquals(trusted.table.vhosts.map((v) => [v.hostnames, v.mode, v.port, v.scope]), [[
    ["*"],
    "gateway",
    0,
    "ns/gw",
  ]]);
  assertEquals(
    accepted(trusted)[0].message,
    "Route is accepted; no Gateway is stored: listeners were not checked",
  );
  const refused = build(gatewayParent, { unseenGateways: "refuse" });
  assertEquals(refused.table.vhosts, []);
  assertEquals([accepted(refused)[0].reason, accepted(refused)[0].message], [
    "NoMatchingParent",
    'Gateway "ns/gw" does not exist',
  ]);
  assertEquals(
    build({ parentRefs: [{ name: "gw", port: 8080 }], hostnames: ["A.Example.com"] }).table.vhosts.map((
      v,
    ) => [v.hostnames, v.port]),
    [
      [["a.example.com"], 8080],
    ],
  );
});

Deno.test("buildIr() gives a route without rules one rule that answers 500, and one without parents no host", () => {
  const { table, statuses } = build(gatewayParent);
  assertEquals(table.vhosts[0].routes.map((e) => [e.path, e.action.rule, e.action.backends, e.conditions]), [
    [{ type: "PathPrefix", value: "/" }, 0, [], []],
  ]);
  assertEquals(statuses[0].parents.length, 1);
  const orphan = build({ rules: [{ backendRefs: [{ name: "a", port: 80 }] }] });
  assertEquals([orphan.table.vhosts, orphan.statuses[0].parents], [[], []]);
});

Deno.test("buildIr() needs a grant for a backend in a Gateway parent's namespace: only Service parents are exempt", () => {
  const { statuses } = build({
    parentRefs: [{ name: "gw", namespace: "infra" }],
    rules: [{ backendRefs: [{ name: "gw", namespace: "infra", port: 80 }] }],
  });
  const resolved = statuses[0].parents[0].conditions[1];
  assertEquals([resolved.status, resolved.reason], ["False", "RefNotPermitted"]);
});

Deno.test("buildIr() sets an action's sticky key only when the route asks for one", () => {
  const plain = build({ ...gatewayParent, rules: [{ backendRefs: [{ name: "a", port: 80 }] }] });
  assertEquals("sticky" in plain.table.vhosts[0].routes[0].action, false);
});

Deno.test("buildIr() drops a match whose header or query regex the filter cannot run, and reads exact values as text", () => {
  const { table, statuses } = build({
    ...gatewayParent,
    rules: [{
      matches: [
        { headers: [{ name: "x", value: "v(1" }], queryParams: [{ name: "q", value: "a(" }] },
        { headers: [{ type: "RegularExpression", name: "x", value: "(" }] },
        { queryParams: [{ type: "RegularExpression", name: "q", value: "a(" }] },
        { path: { type: "RegularExpression", value: "/ok.*" } },
      ],
      backendRefs: [{ name: "a", port: 80 }],
    }],
  });
  assertEquals(table.vhosts[0].routes.map((e) => e.path?.type), ["RegularExpression", "PathPrefix"]);
  const c = accepted({ table, statuses })[0];
  assertEquals([c.status, c.reason], ["False", "UnsupportedValue"]);
  // The regex compiler's own words follow each "regular expression:".
  assertEquals(c.message.split("; ").map((m) => m.split(": regular expression: ")[0]), [
    "rule 0 match 1",
    "rule 0 match 2",
  ]);
});

Deno.test("buildIr() stores a PathPrefix without trailing slashes, and other paths as written", () => {
  const paths = (...matches: unknown[]) =>
    build({ ...gatewayParent, rules: [{ matches, backendRefs: [{ name: "a", port: 80 }] }] }).table.vhosts[0]
      .routes
      .map((e) => `${e.path!.type} ${e.path!.value}`);
  assertEquals(
    paths(
      { path: { type: "PathPrefix", value: "/api/" } },
      { path: { type: "PathPrefix", value: "/b//" } },
      { path: { type: "PathPrefix", value: "//" } },
      { path: { type: "Exact", value: "/exact/" } },
      { path: { type: "RegularExpression", value: "/re/" } },
    ),
    ["Exact /exact/", "RegularExpression /re/", "PathPrefix /api", "PathPrefix /b", "PathPrefix /"],
  );
});

Deno.test("buildIr() keeps the first of repeated query parameter names", () => {
  const { table } = build({
    ...gatewayParent,
    rules: [{
      matches: [{
        queryParams: [{ name: "page", value: "1" }, { name: "page", value: "2" }, {
          name: "Page",
          value: "3",
        }],
      }],
      backendRefs: [{ name: "a", port: 80 }],
    }],
  });
  assertEquals(table.vhosts[0].routes[0].conditions, [
    { kind: "QueryExact", name: "page", value: "1" },
    { kind: "QueryExact", name: "Page", value: "3" },
  ]);
});

Deno.test("buildIr() keeps a backendRef's own filters, and answers 500 for a rule whose backendRef has one it cannot apply", () => {
  const set = {
    type: "RequestHeaderModifier",
    requestHeaderModifier: { set: [{ name: "X-B", value: "1" }] },
  };
  const ok = build({
    ...gatewayParent,
    rules: [{ backendRefs: [{ name: "web", port: 80, filters: [set] }] }],
  });
  assertEquals(ok.table.vhosts[0].routes[0].action.backends.map((b) => b.filters), [[
    { kind: "RequestHeaderSet", name: "x-b", value: "1" },
  ]]);
  const mirror = { type: "RequestMirror", requestMirror: { backendRef: { name: "audit", port: 80 } } };
  const bad = build({
    ...gatewayParent,
    rules: [{ backendRefs: [{ name: "web", port: 80, filters: [mirror] }, { name: "other", port: 80 }] }],
  });
  assertEquals(bad.table.vhosts[0].routes[0].action, { route: "ns/r", rule: 0, backends: [], filters: [] });
  assertEquals(
    accepted(bad)[0].message,
    'rule 0 backend web: filter type "RequestMirror" is not supported on a backendRef',
  );
});

Deno.test("buildIr() ranks a route without creationTimestamp as the oldest", () => {
  const spec = { ...gatewayParent, rules: [{ backendRefs: [{ name: "a", port: 80 }] }] };
  const undated = {
    ...route("b-undated", spec),
    metadata: { name: "b-undated", namespace: "ns" },
  } as KubeObject;
  const { table } = buildIr([route("a-dated", spec), undated], { generation: 1 });
  assertEquals(table.vhosts[0].routes.map((e) => e.action.route), ["ns/b-undated", "ns/a-dated"]);
});

Deno.test("buildIr() adds the Services' frontends when any route is a mesh route", () => {
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "svc", namespace: "ns" },
    spec: { clusterIP: "10.0.0.1", ports: [{ port: 80 }] },
  } as KubeObject;
  const mixed = buildIr([
    route("a", gatewayParent),
    route("b", { parentRefs: [{ group: "", kind: "Service", name: "svc", port: 80 }] }),
    service,
  ], { generation: 1 });
  assertEquals(mixed.table.frontends?.map((f) => `${f.address}:${f.port} ${f.service}`), [
    "10.0.0.1:80 ns/svc",
  ]);
});

Deno.test("buildIr() compiles each regular expression once and carries its program on the path and conditions", () => {
  const { table } = buildIr([
    route("r", {
      parentRefs: [{ name: "gw" }],
      rules: [{
        matches: [{
          path: { type: "RegularExpression", value: "/v[0-9]+/.*" },
          headers: [{ type: "RegularExpression", name: "x-user", value: "a|b" }],
          queryParams: [{ type: "RegularExpression", name: "q", value: "a|b" }],
        }],
        backendRefs: [{ name: "a", port: 80 }],
      }],
    }),
  ], { generation: 1 });
  const entry = table.vhosts[0].routes[0];
  assertEquals(entry.path?.program, compileRegex("/v[0-9]+/.*"));
  assertEquals(entry.conditions.map((c) => c.program), [compileRegex("a|b"), compileRegex("a|b")]);
  // One compile per distinct pattern: the header's and the query's program are the same object.
  assertEquals(entry.conditions[0].program === entry.conditions[1].program, true);
});

Deno.test("buildIr() gives a RegularExpression path without a value the pattern / and its program", () => {
  const { table } = buildIr([
    route("r", {
      parentRefs: [{ name: "gw" }],
      rules: [{ matches: [{ path: { type: "RegularExpression" } }], backendRefs: [{ name: "a", port: 80 }] }],
    }),
  ], { generation: 1 });
  assertEquals(table.vhosts[0].routes[0].path, {
    type: "RegularExpression",
    value: "/",
    program: compileRegex("/"),
  });
});
