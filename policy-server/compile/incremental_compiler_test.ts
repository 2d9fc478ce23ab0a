import { assertEquals } from "../../tests/assert.ts";
import { prng } from "../../tests/prng.ts";
import type { KubeObject, RouteStatus } from "../model/types.ts";
import { compile } from "./compile.ts";
import type { ObjectChange } from "./compiler.ts";
import { IncrementalCompiler } from "./incremental_compiler.ts";

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const chance = (rng: Rng, p: number) => rng() < p;

const NAMESPACES = ["apps", "shop", "edge", "backends"];
const HOSTS = ["a.example.com", "b.example.com", "*.example.com", "*", "x.b.example.com", "*.b.example.com"];
const SERVICES = ["web", "api", "cart"];

/** A random HTTPRoute: Gateway or Service parents, hostnames with wildcards, refs across namespaces. */
function route(rng: Rng, name: string): KubeObject {
  const namespace = pick(rng, NAMESPACES);
  const parentRefs = Array.from(
    { length: 1 + Math.floor(rng() * 2) },
    () =>
      chance(rng, 0.3)
        ? {
          group: "",
          kind: "Service",
          name: pick(rng, SERVICES),
          namespace: pick(rng, NAMESPACES),
          port: 80,
        }
        : {
          name: pick(rng, ["gw", "gw2", "gone"]),
          namespace: "infra",
          ...(chance(rng, 0.3) && { sectionName: pick(rng, ["http", "wild"]) }),
        },
  );
  const rules = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => ({
    matches: [{
      path: chance(rng, 0.15)
        ? { type: "RegularExpression", value: pick(rng, ["/r/[0-9]+", "/bad/(?=x)"]) }
        : { type: pick(rng, ["Exact", "PathPrefix"]), value: pick(rng, ["/", "/a", "/a/b", "/c"]) },
      ...(chance(rng, 0.3) && { headers: [{ name: "x-v", value: pick(rng, ["1", "2"]) }] }),
      ...(chance(rng, 0.2) && { method: "GET" }),
    }],
    backendRefs: [{
      name: pick(rng, SERVICES),
      ...(chance(rng, 0.3) && { namespace: pick(rng, NAMESPACES) }),
      port: pick(rng, [80, 8080]),
    }],
    ...(chance(rng, 0.2) && {
      filters: [{
        type: "RequestHeaderModifier",
        requestHeaderModifier: { set: [{ name: "x-r", value: name }] },
      }],
    }),
  }));
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: {
      name,
      namespace,
      creationTimestamp: `2026-01-0${1 + Math.floor(rng() * 3)}T00:00:00Z`,
      generation: 1,
    },
    spec: {
      parentRefs,
      ...(chance(rng, 0.8) && {
        hostnames: [...new Set(Array.from({ length: 1 + Math.floor(rng() * 2) }, () => pick(rng, HOSTS)))],
      }),
      rules,
    },
  };
}

function gateway(rng: Rng, name: string): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: "infra" },
    spec: {
      gatewayClassName: "istio",
      listeners: [
        {
          name: "http",
          port: 80,
          protocol: "HTTP",
          allowedRoutes: {
            namespaces: { from: pick(rng, ["All", "Selector"]), selector: { matchLabels: { gw: "yes" } } },
          },
        },
        ...(chance(rng, 0.5)
          ? [{
            name: "wild",
            port: 8080,
            protocol: "HTTP",
            hostname: pick(rng, ["*.example.com", "b.example.com"]),
          }]
          : []),
      ],
    },
  };
}

function service(rng: Rng, name: string, namespace: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: {
      ...(chance(rng, 0.5) && { clusterIP: `10.0.${Math.floor(rng() * 3)}.${Math.floor(rng() * 3)}` }),
      ports: [{ port: pick(rng, [80, 8080]), protocol: "TCP" }],
    },
  };
}

function grant(rng: Rng, namespace: string): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1beta1",
    kind: "ReferenceGrant",
    metadata: { name: "allow", namespace },
    spec: {
      from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: pick(rng, NAMESPACES) }],
      to: [{ group: "", kind: "Service" }],
    },
  };
}

function namespace(rng: Rng, name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: chance(rng, 0.5) ? { gw: "yes" } : {} },
  };
}

/** One random write: an object of any kind created, replaced (a new object, as the store makes) or deleted. */
function write(rng: Rng, objects: Map<string, KubeObject>): void {
  const x = rng();
  let obj: KubeObject;
  if (x < 0.5) obj = route(rng, `r${Math.floor(rng() * 12)}`);
  else if (x < 0.62) obj = gateway(rng, pick(rng, ["gw", "gw2"]));
  else if (x < 0.77) obj = service(rng, pick(rng, SERVICES), pick(rng, NAMESPACES));
  else if (x < 0.88) obj = grant(rng, pick(rng, NAMESPACES));
  else obj = namespace(rng, pick(rng, NAMESPACES));
  const key = `${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
  // Routes keep their key across rewrites, so a route's namespace is the one it was created in.
  const before = objects.get(key) ??
    [...objects.values()].find((o) =>
      o.kind === obj.kind && o.kind === "HTTPRoute" && o.metadata.name === obj.metadata.name
    );
  if (before && chance(rng, 0.25)) {
    objects.delete(`${before.kind}/${before.metadata.namespace ?? ""}/${before.metadata.name}`);
    return;
  }
  if (before) {
    objects.delete(`${before.kind}/${before.metadata.namespace ?? ""}/${before.metadata.name}`);
  }
  objects.set(key, obj);
}

const byRoute = (statuses: RouteStatus[]) =>
  Object.fromEntries(statuses.map((s) => [s.route, s.parents]).sort(([a], [b]) => (a < b ? -1 : 1)));

for (const unseenGateways of ["refuse", "trust"] as const) {
  Deno.test(`IncrementalCompiler.compile() gives compile()'s bytes at every step of random writes (${unseenGateways})`, async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const rng = prng(seed);
      const compiler = new IncrementalCompiler();
      const objects = new Map<string, KubeObject>();
      for (let step = 0; step < 120; step++) {
        write(rng, objects);
        // The store's order, sometimes shuffled: the table must not depend on it.
        const list = [...objects.values()];
        if (chance(rng, 0.2)) list.reverse();
        const options = { generation: step + 1, unseenGateways };
        const full = await compile(list, options);
        const incremental = await compiler.compile(list, options);
        const where = `seed ${seed}, step ${step}`;
        assertEquals(incremental.table, full.table, where);
        assertEquals(incremental.sha256, full.sha256, where);
        assertEquals(incremental.blob, full.blob, where);
        assertEquals(byRoute(incremental.statuses), byRoute(full.statuses), where);
      }
    }
  });
}

Deno.test("IncrementalCompiler.compile() starts over when the cluster domain changes", async () => {
  const rng = prng(99);
  const objects = new Map<string, KubeObject>();
  for (let i = 0; i < 30; i++) write(rng, objects);
  const compiler = new IncrementalCompiler();
  const list = [...objects.values()];
  await compiler.compile(list, { generation: 1 });
  const other = await compiler.compile(list, { generation: 1, clusterDomain: "corp.local" });
  assertEquals(other.sha256, (await compile(list, { generation: 1, clusterDomain: "corp.local" })).sha256);
});

/** The change that turns `before` into `after` (maps by key), as a write hands it over. */
function changeOf(
  before: Map<string, KubeObject>,
  after: Map<string, KubeObject>,
  base: string | null,
): ObjectChange {
  const put = [...after.values()].filter((o) => before.get(keyOf(o)) !== o);
  const gone = [...before.values()].filter((o) => !after.has(keyOf(o)));
  const refs = gone.map((o) => ({
    kind: o.kind,
    namespace: o.metadata.namespace ?? "",
    name: o.metadata.name,
  }));
  return { base, put, delete: refs, objects: () => [...after.values()] };
}

const keyOf = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** `statusOf` answers every route's status as `full` has it, and nothing for routes it lacks. */
function assertStatuses(
  statusOf: (route: string) => unknown,
  full: { statuses: RouteStatus[] },
  others: Iterable<string>,
  where: string,
): void {
  const known = new Set(full.statuses.map((s) => s.route));
  for (const s of full.statuses) assertEquals(statusOf(s.route), s.parents, where);
  for (const route of others) if (!known.has(route)) assertEquals(statusOf(route), undefined, where);
}

/** `namespace/name` of every HTTPRoute key in `objects`. */
const routeNames = (...sets: Map<string, KubeObject>[]) =>
  sets.flatMap((m) => [...m.keys()].filter((k) => k.startsWith("HTTPRoute/")).map((k) => k.slice(10)));

Deno.test("IncrementalCompiler.compileChange() gives compile()'s bytes and statuses along settled, reverted and unnamed changes", async () => {
  for (let seed = 1; seed <= 4; seed++) {
    const rng = prng(seed);
    const compiler = new IncrementalCompiler();
    let objects = new Map<string, KubeObject>();
    let base: string | null = null;
    let settled = await compile([], { generation: 1 });
    /** The name of the set the compiler holds, as the test expects it. */
    let holds: string | null = null;
    for (let step = 0; step < 100; step++) {
      const before = new Map(objects);
      write(rng, objects);
      if (chance(rng, 0.3)) write(rng, objects);
      // Now and then the change names a set the compiler does not hold: it compares every object.
      const named: string | null = chance(rng, 0.1) ? "another" : base;
      const options = { generation: step + 1, unseenGateways: "refuse" } as const;
      const change = changeOf(before, objects, named);
      let listed = 0;
      const result = await compiler.compileChange({
        ...change,
        objects: () => (listed++, change.objects()),
      }, options);
      const held: boolean = named !== null && named === holds;
      const where = `seed ${seed}, step ${step}`;
      assertEquals(listed, held ? 0 : 1, `${where}: every object is read only when the base is not held`);
      const full = await compile([...objects.values()], options);
      assertEquals([result.sha256, result.blob], [full.sha256, full.blob], where);
      const names = routeNames(before, objects);
      assertStatuses(result.statusOf, full, names, where);
      // Readers see the statuses of the set last settled while the change is pending.
      assertStatuses((r) => compiler.statusOf(r), settled, names, `${where}, pending`);
      if (chance(rng, 0.25)) {
        compiler.revert();
        holds = held ? holds : null;
        objects = before;
      } else {
        compiler.settle(base = holds = `v${step}`);
        settled = full;
      }
      assertStatuses((r) => compiler.statusOf(r), settled, names, `${where}, settled`);
    }
  }
});
