/**
 * What the filter refuses in a blob, one field at a time, against the TypeScript decoder: the real
 * module, in the in-repo host, is configured with a blob the server's encoder wrote from a table
 * with one value out of its range (or whose string bytes were then replaced, the checksum made good
 * again), and must refuse it naming that field, as decodeBlob refuses it; the well-formed neighbours
 * of each (every UTF-8 length, the largest port and rule number) it must take and serve.
 */
import { crc32 } from "node:zlib";
import { assert, assertEquals, assertThrows } from "../../../tests/assert.ts";
import { decodeBlob } from "../../../policy-server/blob/decode_blob.ts";
import { encodeBlob } from "../../../policy-server/blob/encode_blob.ts";
import type { RouteTable, VirtualHost } from "../../../policy-server/ir/types.ts";
import { emulatorOptions, newHostEmulator } from "../../../simulator/host/mod.ts";
import { decidedCluster } from "../../../tools/envoy/render_envoy_config.ts";

const WASM = new URL("../../build/filter.wasm", import.meta.url);
const MARK = "MARKMARK";
const CLUSTER = "outbound|8080||web.shop.svc.cluster.local";

/** One virtual host, one route that sets `x-mark: <value>` and routes to CLUSTER. */
function table(change: (vh: VirtualHost) => void = () => {}, value = MARK): RouteTable {
  const vh = {
    hostnames: ["refuse.test"],
    mode: "gateway",
    port: 80,
    scope: "infra/gw",
    routes: [{
      path: { type: "PathPrefix", value: "/" },
      conditions: [],
      action: {
        route: "shop/r",
        rule: 0,
        backends: [{ cluster: CLUSTER, label: "shop/web:8080", weight: 1, filters: [] }],
        filters: [{ kind: "RequestHeaderSet", name: "x-mark", value }],
      },
    }],
  } as unknown as VirtualHost;
  change(vh);
  return { generation: 3, vhosts: [vh] };
}

/** `blob` with MARK's bytes replaced by `bytes` (as long) and the header's checksum made good. */
function withBytes(blob: Uint8Array, bytes: number[]): Uint8Array {
  const out = blob.slice();
  const at = new TextDecoder("latin1").decode(out).indexOf(MARK);
  assert(at > 0 && bytes.length === MARK.length);
  out.set(bytes, at);
  new DataView(out.buffer).setUint32(12, crc32(out.subarray(16)) >>> 0, true);
  return out;
}

/** The filter configured with `blob`: whether it took it, its refusal, and the request's headers. */
async function configure(blob: Uint8Array) {
  const host = newHostEmulator(emulatorOptions().withWasm(await Deno.readFile(WASM)));
  const accepted = host.configure("wasmroute", blob);
  const refusal = host.host.state.logs.flatMap((l) => "message" in l ? [l.message] : [])
    .find((m) => m.includes("refused configuration"));
  const request = () => {
    const id = host.initializeHttpContext();
    host.callOnRequestHeaders(id, [[":method", "GET"], [":scheme", "http"], [":path", "/x"], [
      ":authority",
      "refuse.test",
    ]], true);
    const headers = host.getCurrentRequestHeaders(id);
    host.completeHttpContext(id);
    return headers;
  };
  return { accepted, refusal, request };
}

const lead = (s: string) => [...new TextEncoder().encode(s)];
const pad = (bytes: number[]) => [...bytes, ...lead("x".repeat(MARK.length - bytes.length))];

Deno.test("the filter takes strings of every UTF-8 length and sends them on byte for byte", async () => {
  for (const value of ["é ñ ü", "€ ₩", "😀 𝄞"]) {
    const { accepted, request } = await configure(encodeBlob(table(() => {}, value)));
    assert(accepted);
    const headers = request();
    assertEquals(decidedCluster(headers), CLUSTER);
    assertEquals(headers.filter(([name]) => name === "x-mark").map(([, v]) => v), [value]);
  }
});

Deno.test("the filter refuses a string that is not UTF-8, as the TypeScript decoder does", async (t) => {
  const cases: [string, number[]][] = [
    ["a continuation byte that is not one", pad([0xc3, 0x28])],
    ["a lead byte with nothing after it", pad([0x61, 0xe2, 0x82]).slice(0, MARK.length - 1).concat([0xc3])],
    ["an overlong encoding", pad([0xc0, 0x80])],
    ["a surrogate", pad([0xed, 0xa0, 0x80])],
    ["a code point past U+10FFFF", pad([0xf4, 0x90, 0x80, 0x80])],
    ["a byte no UTF-8 sequence starts with", pad([0xf8, 0x88, 0x80, 0x80, 0x80])],
  ];
  const good = encodeBlob(table());
  for (const [name, bytes] of cases) {
    await t.step(name, async () => {
      const blob = withBytes(good, bytes);
      assertThrows(() => decodeBlob(blob));
      const { accepted, refusal } = await configure(blob);
      assertEquals(accepted, false);
      assert(refusal?.includes("is not valid UTF-8"), refusal);
    });
  }
});

Deno.test("the filter refuses a value out of its field's range, naming it, and takes the largest in range", async (t) => {
  // deno-lint-ignore no-explicit-any
  const route = (vh: VirtualHost) => vh.routes[0] as any;
  const cases: [string, (vh: VirtualHost) => void, string | null][] = [
    ["port 65535", (vh) => vh.port = 65535, null],
    ["port 65536", (vh) => vh.port = 65536, "bad mode or port"],
    ["rule 65535", (vh) => route(vh).action.rule = 65535, null],
    ["rule 65536", (vh) => route(vh).action.rule = 65536, "HTTPRoute 0 has 65537 rules"],
    [
      "a redirect to port 65536",
      (vh) => route(vh).action.filters.push({ kind: "RequestRedirect", port: 65536, statusCode: 302 }),
      "redirect port 65536",
    ],
    [
      "a redirect to port 65535",
      (vh) => route(vh).action.filters.push({ kind: "RequestRedirect", port: 65535, statusCode: 302 }),
      null,
    ],
    [
      "a mirror of 4 in 3",
      (vh) =>
        route(vh).action.filters.push({
          kind: "RequestMirror",
          cluster: CLUSTER,
          label: "shop/web:8080",
          numerator: 4,
          denominator: 3,
        }),
      "bad mirror fraction",
    ],
  ];
  for (const [name, change, error] of cases) {
    await t.step(name, async () => {
      const blob = encodeBlob(table(change));
      const { accepted, refusal } = await configure(blob);
      if (error === null) {
        decodeBlob(blob);
        assert(accepted, refusal);
        return;
      }
      assertThrows(() => decodeBlob(blob));
      assertEquals(accepted, false);
      assert(refusal?.includes(error), refusal);
    });
  }
});

Deno.test("the filter refuses a blob whose header does not fit it, naming why", async (t) => {
  const good = encodeBlob(table());
  const withCount = (count: number) => {
    const out = good.slice();
    new DataView(out.buffer).setUint32(20, count, true);
    new DataView(out.buffer).setUint32(12, crc32(out.subarray(16)) >>> 0, true);
    return out;
  };
  const cases: [string, Uint8Array, string][] = [
    [
      "shorter than its header",
      new Uint8Array([...new TextEncoder().encode("WRTB"), 3, 0, 32, 0, 0, 0]),
      "blob shorter than its header",
    ],
    ["more parts than its directory can list", withCount(1000), "part count 1000 past the part directory"],
  ];
  for (const [name, blob, error] of cases) {
    await t.step(name, async () => {
      assertThrows(() => decodeBlob(blob));
      const { accepted, refusal } = await configure(blob);
      assertEquals(accepted, false);
      assert(refusal?.includes(error), refusal);
    });
  }
});

Deno.test("the filter refuses a Service frontend without an address or a port in range", async (t) => {
  const frontend = { address: "10.0.0.7", port: 80, service: "shop/web", hostname: "refuse.test" };
  const cases: [string, Record<string, unknown>, boolean][] = [
    ["in range", {}, true],
    ["port 65535", { port: 65535 }, true],
    ["port 0", { port: 0 }, false],
    ["port 65536", { port: 65536 }, false],
    ["no address", { address: "" }, false],
  ];
  for (const [name, change, ok] of cases) {
    await t.step(name, async () => {
      const blob = encodeBlob({ ...table(), frontends: [{ ...frontend, ...change }] } as RouteTable);
      const { accepted, refusal } = await configure(blob);
      assertEquals(accepted, ok, refusal);
      if (ok) return;
      assertThrows(() => decodeBlob(blob));
      assert(refusal?.includes("frontend 0: bad address or port"), refusal);
    });
  }
});
