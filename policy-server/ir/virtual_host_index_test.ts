import { assertEquals } from "../../tests/assert.ts";
import { prng } from "../../tests/prng.ts";
import type { RouteEntry, VirtualHost } from "./types.ts";
import {
  comparePrecedence,
  covers,
  type Ranked,
  type RouteIr,
  type Target,
  VirtualHostIndex,
} from "./virtual_host_index.ts";

Deno.test("covers() lets * cover every other name and *.suffix the names below its suffix, never itself", () => {
  const cases: [string, string, boolean][] = [
    ["*", "a.com", true],
    ["*", "*.a.com", true],
    ["*", "*", false],
    ["*.a.com", "b.a.com", true],
    ["*.a.com", "c.b.a.com", true],
    ["*.a.com", "*.b.a.com", true],
    ["*.a.com", "*.a.com", false],
    ["*.a.com", "a.com", false],
    ["*.a.com", ".a.com", false],
    ["*.a.com", "ba.com", false],
    ["*.a.com", "*", false],
    ["a.com", "b.a.com", false],
    ["b.a.com", "b.a.com", false],
  ];
  assertEquals(cases.map(([w, h]) => [w, h, covers(w, h)]), cases);
});

/** An entry labelled by what its path says (tests read the lists back through these labels). */
function entry(
  value: string,
  type: "Exact" | "PathPrefix" | "RegularExpression" = "PathPrefix",
  over: Partial<RouteEntry> = {},
): RouteEntry {
  return {
    path: { type, value },
    conditions: [],
    action: { route: "", rule: 0, backends: [], filters: [] },
    ...over,
  };
}

function ranked(e: RouteEntry, over: Partial<Ranked> = {}): Ranked {
  return { entry: e, created: "2026-01-01T00:00:00Z", key: "ns/r", rule: 0, match: 0, ...over };
}

Deno.test("comparePrecedence() orders Exact, then regular expressions, then prefixes, the longest first, then what else each match asks", () => {
  const header = { kind: "HeaderExact" as const, name: "h", value: "v" };
  const query = { kind: "QueryExact" as const, name: "q", value: "v" };
  const want: [string, Ranked][] = [
    ["exact /a", ranked(entry("/a", "Exact"))],
    ["regex /a/b.*", ranked(entry("/a/b.*", "RegularExpression"))],
    ["regex /a.*", ranked(entry("/a.*", "RegularExpression"))],
    ["prefix /long/path", ranked(entry("/long/path"))],
    ["method", ranked(entry("/long", "PathPrefix", { method: "GET" }))],
    ["2 headers", ranked(entry("/long", "PathPrefix", { conditions: [header, header] }))],
    [
      "1 header 3 queries",
      ranked(entry("/long", "PathPrefix", { conditions: [query, header, query, query] })),
    ],
    ["2 queries", ranked(entry("/long", "PathPrefix", { conditions: [query, query] }))],
    ["1 query", ranked(entry("/long", "PathPrefix", { conditions: [query] }))],
    ["older, key b", ranked(entry("/long"), { key: "b/b", created: "2025-12-31T00:00:00Z" })],
    ["key a", ranked(entry("/long"), { key: "a/z" })],
    ["key b rule 0 match 1", ranked(entry("/long"), { key: "b/b", match: 1 })],
    ["key b rule 1 match 0", ranked(entry("/long"), { key: "b/b", rule: 1 })],
    ["key b rule 1 match 1", ranked(entry("/long"), { key: "b/b", rule: 1, match: 1 })],
    ["younger", ranked(entry("/long"), { key: "a/a", created: "2026-01-02T00:00:00Z" })],
  ];
  const sorted = [...want].reverse().sort(([, a], [, b]) => comparePrecedence(a, b));
  assertEquals(sorted.map(([label]) => label), want.map(([label]) => label));
  const shuffled = [...want.slice(7), ...want.slice(0, 7)].sort(([, a], [, b]) => comparePrecedence(a, b));
  assertEquals(shuffled.map(([label]) => label), want.map(([label]) => label));
  assertEquals(comparePrecedence(want[3][1], want[3][1]), 0);
});

/** A route's IR: each target (a hostname, or more) with its entries in the order given. */
function route(
  key: string,
  targets: (string | Partial<Target>)[],
  paths: string[],
  created?: string,
): RouteIr {
  const [namespace, name] = key.split("/");
  return {
    namespace,
    name,
    status: { route: key, parents: [] },
    ranked: paths.map((p, i) => ranked(entry(p), { key, match: i, ...(created && { created }) })),
    targets: targets.map((t) =>
      ({
        mode: "gateway",
        port: 80,
        scope: "gw/gw",
        listener: "http",
        ...(typeof t === "string" ? { hostname: t } : t),
      }) as Target
    ),
  };
}

/** Each virtual host as `hostnames port: paths`. */
const show = (vhosts: VirtualHost[]) =>
  vhosts.map((v) => `${v.hostnames.join(",")} ${v.port}: ${v.routes.map((e) => e.path!.value).join(" ")}`);

const index = (...routes: RouteIr[]) => {
  const i = new VirtualHostIndex();
  for (const r of routes) i.add(r);
  return i;
};

Deno.test("VirtualHostIndex lends a wider hostname's routes to the names it covers, on the same listener only", () => {
  const wild = route("a/wild", ["*.example.com"], ["/wild"]);
  const shop = route("a/shop", ["shop.example.com"], ["/shop"]);
  const any = route("a/any", ["*"], ["/any"]);
  const tls = route("b/tls", [{ hostname: "shop.example.com", listener: "https", port: 443 }], ["/tls"]);
  const vhosts = index(tls, shop, any, wild).virtualHosts();
  assertEquals(show(vhosts), [
    "* 80: /any",
    "*.example.com 80: /wild /any",
    "shop.example.com 80: /shop /wild /any",
    "shop.example.com 443: /tls",
  ]);
  assertEquals(vhosts[3], {
    hostnames: ["shop.example.com"],
    mode: "gateway",
    port: 443,
    scope: "gw/gw",
    routes: vhosts[3].routes,
  });
  // A wildcard is lent along its suffix's dots: *.b.example.com before *.example.com.
  const deep = index(
    wild,
    route("a/deep", ["*.b.example.com"], ["/deep"]),
    route("a/c", ["c.b.example.com"], ["/c"]),
  );
  assertEquals(show(deep.virtualHosts()), [
    "*.b.example.com 80: /deep /wild",
    "*.example.com 80: /wild",
    "c.b.example.com 80: /c /deep /wild",
  ]);
});

Deno.test("VirtualHostIndex puts hostnames with the very same routes in one virtual host, mesh clients kept", () => {
  const svc = (hostname: string, clients?: string) => ({
    hostname,
    mode: "mesh" as const,
    port: 9080,
    scope: "shop/reviews",
    listener: "",
    ...(clients && { clients }),
  });
  const r = route("shop/reviews", [svc("reviews", "shop"), svc("reviews.shop"), svc("reviews.shop.svc")], [
    "/",
  ]);
  const vhosts = index(r).virtualHosts();
  assertEquals(vhosts.map((v) => [v.hostnames, v.mode, v.port, v.scope, v.clients, v.routes.length]), [
    [["reviews"], "mesh", 9080, "shop/reviews", "shop", 1],
    [["reviews.shop", "reviews.shop.svc"], "mesh", 9080, "shop/reviews", undefined, 1],
  ]);
  assertEquals("clients" in vhosts[1], false);
  // Two routes with the same paths are not the same routes.
  assertEquals(show(index(route("a/x", ["x.test"], ["/"]), route("a/y", ["y.test"], ["/"])).virtualHosts()), [
    "x.test 80: /",
    "y.test 80: /",
  ]);
});

Deno.test("VirtualHostIndex files a route once under a hostname, however often it is added or targets it", () => {
  const r = route("a/r", ["a.test", "a.test"], ["/one", "/two"]);
  const i = index(r, r);
  assertEquals(show(i.virtualHosts()), ["a.test 80: /one /two"]);
});

Deno.test("VirtualHostIndex orders one hostname's parents by the first route, in key order, filed under each", () => {
  const onP = (key: string) => route(key, [{ hostname: "x.test", scope: "gw/p" }], [`/${key}`]);
  const onQ = (key: string) => route(key, [{ hostname: "x.test", scope: "gw/q" }], [`/${key}`]);
  const c6 = onP("c/r6"), a5 = onP("a/r5"), b7 = onQ("b/r7");
  const i = index(c6, b7, a5);
  assertEquals(i.virtualHosts().map((v) => v.scope), ["gw/p", "gw/q"]);
  i.remove(a5);
  assertEquals(i.virtualHosts().map((v) => [v.scope, show([v])[0]]), [["gw/q", "x.test 80: /b/r7"], [
    "gw/p",
    "x.test 80: /c/r6",
  ]]);
  // One route on both: its earlier target comes first.
  const both = route(
    "a/both",
    [{ hostname: "y.test", scope: "gw/q" }, { hostname: "y.test", scope: "gw/p" }],
    ["/y"],
  );
  assertEquals(index(both).virtualHosts().map((v) => v.scope), ["gw/q", "gw/p"]);
});

Deno.test("VirtualHostIndex.remove takes a route's entries out, and a wider hostname's from the names it lent to", () => {
  const wild = route("a/wild", ["*.example.com"], ["/wild"]);
  const shop = route("a/shop", ["shop.example.com"], ["/shop"]);
  const shop2 = route("a/shop2", ["shop.example.com"], ["/shop2"]);
  const i = index(wild, shop, shop2);
  assertEquals(show(i.virtualHosts()), [
    "*.example.com 80: /wild",
    "shop.example.com 80: /shop2 /shop /wild",
  ]);
  i.remove(wild);
  assertEquals(show(i.virtualHosts()), ["shop.example.com 80: /shop2 /shop"]);
  i.remove(shop2);
  assertEquals(show(i.virtualHosts()), ["shop.example.com 80: /shop"]);
  i.add(wild);
  assertEquals(show(i.virtualHosts()), ["*.example.com 80: /wild", "shop.example.com 80: /shop /wild"]);
  i.remove(shop);
  i.remove(shop);
  i.remove(route("a/never", ["never.test"], ["/"]));
  assertEquals(show(i.virtualHosts()), ["*.example.com 80: /wild"]);
  i.remove(wild);
  assertEquals(i.virtualHosts(), []);
});

Deno.test("VirtualHostIndex.virtualHosts hands out an unchanged virtual host again, a changed one anew", () => {
  const a = route("a/a", ["a.test"], ["/a"]);
  const b = route("a/b", ["b.test"], ["/b"]);
  const i = index(a, b);
  const [va, vb] = i.virtualHosts();
  const again = i.virtualHosts();
  assertEquals([again[0] === va, again[1] === vb], [true, true]);
  i.add(route("a/b2", ["b.test"], ["/b2"]));
  const [va2, vb2] = i.virtualHosts();
  assertEquals([va2 === va, vb2 === vb, show([vb2])], [true, false, ["b.test 80: /b2 /b"]]);
  // A host that now shares its routes with another is a new virtual host with both names.
  const c = new VirtualHostIndex();
  const shared = route("a/s", ["s1.test"], ["/s"]);
  c.add(shared);
  const [alone] = c.virtualHosts();
  c.remove(shared);
  shared.targets.push({ ...shared.targets[0], hostname: "s2.test" });
  c.add(shared);
  const [together] = c.virtualHosts();
  assertEquals([together === alone, together.hostnames], [false, ["s1.test", "s2.test"]]);
});

Deno.test("VirtualHostIndex puts a virtual host at its first hostname's new place when a route moves that hostname", () => {
  // One hostname on three listeners: l1 and l2 have the same routes (one virtual host), l3 its own.
  const on = (...listeners: string[]) => listeners.map((listener) => ({ hostname: "x.test", listener }));
  const f = route("b/f", on("l1", "l2"), ["/f"]);
  const x = route("a/x", on("l3"), ["/x"]);
  // A route of no entries changes no list, only which route filed first under l2: l2 moves first.
  const e = route("a/a", on("l2"), []);
  const i = index(f, x);
  const [vx, vf] = i.virtualHosts();
  assertEquals(show([vx, vf]), ["x.test 80: /x", "x.test,x.test 80: /f"]);
  i.add(e);
  const want = ["x.test,x.test 80: /f", "x.test 80: /x"];
  const moved = i.virtualHosts();
  assertEquals(show(moved), want);
  // Moved, not changed: the same hostnames and routes, so the same virtual hosts, handed out again.
  assertEquals([moved[0] === vf, moved[1] === vx], [true, true]);
  assertEquals(show(index(f, x, e).virtualHosts()), want);
});

/** Everything a virtual host says, its entries by their place in `entries`: what two indexes must agree on. */
function described(vhosts: VirtualHost[], entries: Map<RouteEntry, string>) {
  return vhosts.map((v) => ({ ...v, routes: v.routes.map((e) => entries.get(e) ?? "unknown entry") }));
}

Deno.test("VirtualHostIndex worked one change at a time gives what a fresh index of the same routes gives", () => {
  const rng = prng(23);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
  const hostnames = ["a.test", "b.a.test", "c.b.a.test", "*.a.test", "*.b.a.test", "*", "d.test"];
  const paths = ["/", "/x", "/x/y", "/z"];
  const made = (n: number): RouteIr => {
    const targets = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => ({
      hostname: pick(hostnames),
      scope: pick(["gw/p", "gw/q"]),
      listener: pick(["l1", "l2"]),
    }));
    // Some routes have no entries: they move a hostname's parents without changing any list.
    const own = Array.from({ length: Math.floor(rng() * 3) }, () => pick(paths));
    return route(`ns/r${n % 40}`, targets, own, `2026-01-0${1 + Math.floor(rng() * 3)}T00:00:00Z`);
  };
  const live = new Map<string, RouteIr>();
  const i = new VirtualHostIndex();
  const fresh = () => {
    const f = new VirtualHostIndex();
    for (const key of [...live.keys()].sort()) f.add(live.get(key)!);
    return f.virtualHosts();
  };
  let previous: VirtualHost[] = [];
  for (let step = 0; step < 400; step++) {
    // Mostly a change or two, as a write makes; now and then many, as a start-up or an import does.
    const changes = rng() < 0.1 ? 20 + Math.floor(rng() * 20) : 1 + Math.floor(rng() * 2);
    for (let c = 0; c < changes; c++) {
      const next = made(Math.floor(rng() * 1000));
      const key = `${next.namespace}/${next.name}`;
      const old = live.get(key);
      if (old) i.remove(old);
      if (old && rng() < 0.3) live.delete(key);
      else {
        live.set(key, next);
        i.add(next);
      }
    }
    const got = i.virtualHosts();
    const entries = new Map(
      [...live.values()].flatMap((r) => r.ranked.map((x, k) => [x.entry, `${r.name}#${k}`])),
    );
    assertEquals(described(got, entries), described(fresh(), entries), `step ${step}`);
    // A virtual host handed out again is one whose hostnames and routes did not change.
    for (const v of got.filter((v) => previous.includes(v))) {
      assertEquals(
        v.routes.every((e) => entries.has(e)),
        true,
        `step ${step}: a stale virtual host handed out again`,
      );
    }
    previous = got;
  }
});

Deno.test("VirtualHostIndex keeps a route's first target under a hostname it targets twice, for the order of that hostname's parents", () => {
  const r = route("b/r", [{ hostname: "x.test", scope: "gw/p" }, { hostname: "x.test", scope: "gw/q" }, {
    hostname: "x.test",
    scope: "gw/p",
  }], ["/r"]);
  const i = index(r);
  assertEquals(i.virtualHosts().map((v) => v.scope), ["gw/p", "gw/q"]);
  // A route filed first under gw/p, then gone: gw/p's first is r again, at r's first target (0, not 2).
  const a = route("a/a", [{ hostname: "x.test", scope: "gw/p" }], ["/a"]);
  i.add(a);
  i.remove(a);
  assertEquals(i.virtualHosts().map((v) => v.scope), ["gw/p", "gw/q"]);
});
