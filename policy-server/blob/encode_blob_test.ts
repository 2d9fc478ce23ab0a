import { assert, assertEquals } from "../../tests/assert.ts";
import { assertGolden, goldenCases } from "../../tests/golden.ts";
import type { RouteAction, RouteTable, VirtualHost } from "../ir/types.ts";
import { decodeBlob } from "./decode_blob.ts";
import { assembleBlob, derivedBackend, encodeBlob, type EncodedPart, encodeParts } from "./encode_blob.ts";
import { HEADER_SIZE, SECTION } from "./format.ts";
import { formatHex } from "./hexdump.ts";
import { compileRegex } from "../regex/compile_regex.ts";

const testdata = new URL("./testdata/", import.meta.url);

Deno.test("encodeBlob() writes the golden bytes of every blob case", async (t) => {
  for (const c of await goldenCases(testdata, ".ir.json")) {
    await t.step(c.name, async () => {
      const table: RouteTable = JSON.parse(await Deno.readTextFile(c.url));
      await assertGolden(new URL(`${c.name}.blob.hex`, testdata), formatHex(encodeBlob(table)));
    });
  }
});

const vhost = (host: string, action: RouteAction): VirtualHost => ({
  hostnames: [host],
  mode: "gateway",
  port: 0,
  routes: [{ conditions: [], action }],
});

Deno.test("encodeBlob() is deterministic and stores equal strings once", () => {
  const backend = { cluster: "c", label: "c", weight: 1, filters: [] };
  const table: RouteTable = {
    generation: 1,
    vhosts: [{ ...vhost("c", { route: "c", rule: 0, backends: [backend], filters: [] }), mode: "mesh" }],
  };
  const a = encodeBlob(table), b = encodeBlob(structuredClone(table));
  assertEquals(a, b);
  const tables = HEADER_SIZE + new DataView(a.buffer).getUint32(28, true);
  assertEquals([a[tables], a[tables + 1]], [1, 1]); // a virtual-host part with one string
  assertEquals(encodeParts(table)[0].sections[SECTION.TABLES].slice(0, 2), Uint8Array.of(1, 1));
});

Deno.test("encodeBlob() writes an action shared by several matches once", () => {
  const action = { route: "ns/r", rule: 0, backends: [], filters: [] };
  const table: RouteTable = {
    generation: 1,
    vhosts: [{ ...vhost("h", action), routes: [{ conditions: [], action }, { conditions: [], action }] }],
  };
  const [{ routes }] = decodeBlob(encodeBlob(table)).vhosts;
  assert(routes[0].action === routes[1].action, "one action object for both entries");
});

Deno.test("encodeBlob() writes the IR's compiled program and compiles only IR read back without one", () => {
  const action = { route: "ns/r", rule: 0, backends: [], filters: [] };
  const withPath = (path: RouteTable["vhosts"][number]["routes"][number]["path"]): RouteTable => ({
    generation: 1,
    vhosts: [{ ...vhost("h", action), routes: [{ path, conditions: [], action }] }],
  });
  const contains = (bytes: Uint8Array, part: Uint8Array) =>
    bytes.some((_, i) => part.every((b, k) => bytes[i + k] === b));
  // A program that is not the pattern's own shows the encoder did not compile the pattern again.
  const carried = compileRegex("/carried[0-9]");
  const blob = encodeBlob(withPath({ type: "RegularExpression", value: "/x", program: carried }));
  assert(contains(blob, carried), "the IR's program is in the blob");
  assert(!contains(blob, compileRegex("/x")), "the pattern was not compiled again");
  assert(contains(encodeBlob(withPath({ type: "RegularExpression", value: "/x" })), compileRegex("/x")));
});

Deno.test("derivedBackend() takes Istio's cluster name of the label's Service, and nothing else", () => {
  const cluster = "outbound|8080||svc-1.team-2.svc.cluster.local";
  assertEquals(derivedBackend({ cluster, label: "team-2/svc-1:8080" }), ["team-2", "svc-1", 8080]);
  assertEquals(derivedBackend({ cluster, label: "team-2/svc-1:80" }), undefined);
  assertEquals(
    derivedBackend({ cluster: "outbound|80||a.b.svc.clusterset.local", label: "b/a:80" }),
    undefined,
  );
  assertEquals(derivedBackend({ cluster: "outbound|0||a.b.svc.cluster.local", label: "b/a:0" }), undefined);
  assertEquals(
    derivedBackend({ cluster: "outbound|80||a.b.svc.cluster.local", label: "b/a:080" }),
    undefined,
  );
});

Deno.test("assembleBlob() from cached parts gives a fresh encodeBlob()'s bytes, byte for byte", () => {
  const action = (i: number): RouteAction => ({
    route: `ns/r-${i}`,
    rule: 0,
    backends: [{
      cluster: `outbound|80||s-${i}.ns.svc.cluster.local`,
      label: `ns/s-${i}:80`,
      weight: 1,
      filters: [],
    }],
    filters: [],
  });
  const hosts = Array.from({ length: 20 }, (_, i) => vhost(`h-${i}.example.com`, action(i)));
  const cache = new WeakMap<VirtualHost, EncodedPart>();
  let table: RouteTable = { generation: 1, vhosts: hosts };
  assertEquals(assembleBlob(table, encodeParts(table, cache)), encodeBlob(table));
  // One virtual host replaced, one added, one removed, and a new generation: the rest from the cache.
  const vhosts = [
    ...hosts.slice(1, 7),
    vhost("h-7.example.com", action(70)),
    ...hosts.slice(8),
    vhost("new", action(99)),
  ];
  table = {
    generation: 2,
    rollback: true,
    vhosts,
    frontends: [{ address: "10.0.0.1", port: 80, service: "ns/s", hostname: "s.ns.svc.cluster.local" }],
  };
  const parts = encodeParts(table, cache);
  assert(
    parts[0] === encodeParts({ generation: 0, vhosts: [hosts[1]] }, cache)[0],
    "a cached part is reused",
  );
  assertEquals(assembleBlob(table, parts), encodeBlob(structuredClone(table)));
  assertEquals(decodeBlob(assembleBlob(table, parts)), table);
});
