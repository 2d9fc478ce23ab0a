import { assert, assertEquals } from "../../tests/assert.ts";
import { admitResources } from "../../policy-server/model/admit_resources.ts";
import { generateRequests, generateRoutes, HEADER_COUNT, PATH_BYTES, prng } from "./generate_routes.ts";

Deno.test("the generator is deterministic: same seed, same routes and requests", () => {
  const a = generateRoutes(250), b = generateRoutes(250);
  assertEquals(JSON.stringify(a), JSON.stringify(b));
  assertEquals(JSON.stringify(generateRequests(a, 50)), JSON.stringify(generateRequests(b, 50)));
  assert(
    JSON.stringify(generateRoutes(250, { seed: 2 })) !== JSON.stringify(a),
    "another seed, another table",
  );
  const r1 = prng(42), r2 = prng(42);
  for (let i = 0; i < 100; i++) assertEquals(r1(), r2());
});

Deno.test("the generator makes exactly the requested number of rules, ten per hostname", () => {
  for (const n of [1, 10, 13, 100, 1000]) {
    const t = generateRoutes(n);
    assertEquals(t.rules.length, n);
    const matches = t.routes.flatMap((r) => r.spec.rules ?? []).flatMap((rule) => rule.matches ?? []);
    assertEquals(matches.length, n);
    assertEquals(t.hostnames.length, Math.ceil(n / 10));
    assertEquals(new Set(t.rules.map((r) => r.cluster)).size, n, "one backend per rule");
  }
  const one = generateRoutes(300, { hostnames: 1, kinds: ["exact", "prefix"] });
  assertEquals(one.hostnames.length, 1);
  assertEquals(new Set(one.rules.map((r) => r.kind)), new Set(["exact", "prefix"]));
});

Deno.test("generated tables mix the match kinds and pass the policy server's validation", () => {
  const t = generateRoutes(1000);
  const kinds = new Map<string, number>();
  for (const r of t.rules) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  for (const k of ["exact", "prefix", "header", "query"]) {
    assert((kinds.get(k) ?? 0) > 50, `${k}: ${kinds.get(k)}`);
  }
  assertEquals(admitResources(t.routes).length, t.routes.length);
});

Deno.test("generated requests have 15 headers and a 60-byte path, and hit rules across the table", () => {
  const t = generateRoutes(1000);
  const requests = generateRequests(t, 500);
  assertEquals(requests.length, 500);
  for (const r of requests) {
    assertEquals(r.headers.length, HEADER_COUNT);
    assertEquals(new TextEncoder().encode(r.path).length, PATH_BYTES);
    assertEquals(r.headers.find(([k]) => k === ":path")?.[1], r.path);
    const rule = t.rules[r.rule];
    assertEquals(r.cluster, rule.cluster);
    assert(r.path.startsWith(rule.path), `${r.path} starts with ${rule.path}`);
    if (rule.header) assert(r.headers.some(([k, v]) => k === rule.header!.name && v === rule.header!.value));
    if (rule.query) assert(r.path.endsWith(`?${rule.query.name}=${rule.query.value}`));
  }
  const hit = new Set(requests.map((r) => r.rule));
  assert(hit.size > 350, `${hit.size} distinct rules hit`);
  assert(Math.max(...hit) > 900 && Math.min(...hit) < 100, "hits spread over the whole table");
});
