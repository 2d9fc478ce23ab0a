/**
 * The host operations of a routed request's filters (filter/assembly/core/route_ops.ts), and the CORS
 * and mirror policy they use, compiled with the filter's flags into a small test module and called
 * through @assemblyscript/loader. The ABI layer only carries these operations out, so what a host
 * ends up with is decided here.
 */
import * as loader from "@assemblyscript/loader";
import { compileTestModule } from "../../compile_assemblyscript.ts";
import { assertEquals } from "../../../tests/assert.ts";

interface Exports extends Record<string, unknown> {
  _initialize(): void;
  request_ops(
    rule: number,
    backend: number,
    headers: number,
    path: number,
    prefix: number,
    key: number,
  ): number;
  cors_origin(): number;
  keys_asked(): number;
  response_ops(rule: number, backend: number, corsOrigin: number, headers: number): number;
  origin_allowed(cors: number, origin: number): number;
  preflight(cors: number, origin: number, method: number, headers: number): number;
  mirror_sampled(numerator: number, denominator: number, salt: number, key: number): number;
  mirror_headers(headers: number): number;
}

const SOURCES = [
  "cors",
  "filters",
  "host_ops",
  "internal_headers",
  "mirror",
  "request",
  "rewrite",
  "route_ops",
  "target",
]
  .map((f) => `filter/assembly/core/${f}.ts`);

async function entry() {
  const wasm = await compileTestModule("filter/assembly/core/testdata/route_ops_entry", {
    cacheName: "wasmroute-route-ops-entry",
    sources: SOURCES,
    flags: ["--exportRuntime"],
  });
  const { exports: x } = await loader.instantiate<Exports>(wasm, {});
  x._initialize();
  const str = (s: string | null) => s === null ? 0 : x.__newString(s);
  const lines = (ptr: number) => x.__getString(ptr).split("\n").filter((l) => l.length > 0);
  return {
    requestOps: (rule: string[], backend: string[], headers: string[], path = "/", prefix = "/", key = 0) => {
      const out = lines(
        x.request_ops(
          str(rule.join("\n")),
          str(backend.join("\n")),
          str(headers.join("\n")),
          str(path),
          str(prefix),
          key,
        ),
      );
      const origin = x.cors_origin();
      return { ops: out, corsOrigin: origin === 0 ? null : x.__getString(origin), keysAsked: x.keys_asked() };
    },
    responseOps: (rule: string[], backend: string[], corsOrigin: string | null, headers: string[]) =>
      lines(
        x.response_ops(
          str(rule.join("\n")),
          str(backend.join("\n")),
          str(corsOrigin),
          str(headers.join("\n")),
        ),
      ),
    originAllowed: (cors: string, origin: string) => x.origin_allowed(str(cors), str(origin)) !== 0,
    preflight: (cors: string, origin: string, method: string, headers: string | null) =>
      lines(x.preflight(str(cors), str(origin), str(method), str(headers))),
    mirrorSampled: (num: number, den: number, salt: number, key: number) =>
      x.mirror_sampled(num, den, salt, key) !== 0,
    mirrorHeaders: (headers: string[]) => lines(x.mirror_headers(str(headers.join("\n")))),
  };
}

Deno.test("requestOps() lists header modifiers in order, the rule's before the backend's", async () => {
  const { requestOps } = await entry();
  const { ops } = requestOps(["request set x-a 1", "request remove x-b"], ["request set x-c 3"], []);
  assertEquals(ops, ["set request x-a 1", "remove request x-b", "set request x-c 3"]);
});

Deno.test("requestOps() joins an add onto the value the header has by then, with a comma", async (t) => {
  const { requestOps } = await entry();
  const cases: [string, string[], string[], string[]][] = [
    ["absent: added", ["request add x-a 2"], [], ["add request x-a 2"]],
    ["sent by the client: joined", ["request add x-a 2"], ["x-a: 1"], ["set request x-a 1,2"]],
    ["set before: joined onto the set value", ["request set x-a 0", "request add x-a 2"], ["x-a: 1"], [
      "set request x-a 0",
      "set request x-a 0,2",
    ]],
    ["removed before: added", ["request remove x-a", "request add x-a 2"], ["x-a: 1"], [
      "remove request x-a",
      "add request x-a 2",
    ]],
    ["added twice: the second joins the first", ["request add x-a 1", "request add x-a 2"], [], [
      "add request x-a 1",
      "set request x-a 1,2",
    ]],
    ["another header's value is not taken", ["request set x-b 9", "request add x-a 2"], [], [
      "set request x-b 9",
      "add request x-a 2",
    ]],
  ];
  for (const [name, rule, headers, want] of cases) {
    await t.step(name, () => assertEquals(requestOps(rule, [], headers).ops, want));
  }
});

Deno.test("requestOps() rewrites the path in place with the query kept, and the host into x-wasmroute-authority", async () => {
  const { requestOps } = await entry();
  assertEquals(requestOps(["rewrite prefix /v2 new.example"], [], [], "/v1/items?page=2", "/v1").ops, [
    "set request :path /v2/items?page=2",
    "set request x-wasmroute-authority new.example",
  ]);
  assertEquals(requestOps(["rewrite full /x"], [], [], "/a/b").ops, ["set request :path /x"]);
  assertEquals(requestOps(["rewrite keep - only-host"], [], [], "/a").ops, [
    "set request x-wasmroute-authority only-host",
  ]);
});

Deno.test("requestOps() mirrors the rule's share and asks for the request key only to sample one", async () => {
  const { requestOps, mirrorSampled } = await entry();
  const all = requestOps(["mirror outbound|80||m 1 1 7"], [], []);
  assertEquals(all.ops, ["mirror request outbound|80||m"]);
  assertEquals(all.keysAsked, 0);
  const none = requestOps(["mirror m 0 100 7"], [], [], "/", "/", 5);
  assertEquals(none.ops, []);
  assertEquals(none.keysAsked, 1);
  // The share is the key (salted) modulo the denominator, below the numerator.
  // (key ^ salt) % denominator below the numerator: (1 ^ 1) % 2 = 0 is copied, (2 ^ 1) % 2 = 1 is not.
  assertEquals(requestOps(["mirror m 1 2 1"], [], [], "/", "/", 1).ops, ["mirror request m"]);
  assertEquals(mirrorSampled(1, 2, 1, 2), false);
});

Deno.test("requestOps() finds the CORS origin after the request's own header modifiers", async (t) => {
  const { requestOps } = await entry();
  const cors = "cors https://*.example.com GET - - 0 0";
  const cases: [string, string[], string[], string | null][] = [
    ["an allowed origin", [cors], ["origin: https://a.example.com"], "https://a.example.com"],
    ["an origin not allowed", [cors], ["origin: https://example.com"], null],
    ["no origin", [cors], [], null],
    [
      "an origin set by the rule",
      ["request set origin https://b.example.com", cors],
      [],
      "https://b.example.com",
    ],
    ["an origin the rule removed", ["request remove origin", cors], ["origin: https://a.example.com"], null],
  ];
  for (const [name, rule, headers, want] of cases) {
    await t.step(name, () => assertEquals(requestOps(rule, [], headers).corsOrigin, want));
  }
});

Deno.test("responseOps() lists response modifiers, then the CORS headers of an allowed origin", async () => {
  const { responseOps } = await entry();
  const rule = ["response add x-r 2", "cors https://a.example GET - x-e 0 1"];
  assertEquals(responseOps(rule, ["response remove x-s"], "https://a.example", ["x-r: 1"]), [
    "set response x-r 1,2",
    "remove response x-s",
    "set response access-control-allow-origin https://a.example",
    "set response access-control-allow-credentials true",
    "set response access-control-expose-headers x-e",
  ]);
  assertEquals(responseOps(rule, [], null, []), ["add response x-r 2"]);
});

Deno.test("originAllowed() takes *, an exact origin, or any subdomain of a scheme://*. suffix", async (t) => {
  const { originAllowed } = await entry();
  const cases: [string, string, boolean][] = [
    ["*", "https://x.test", true],
    ["https://a.test", "https://a.test", true],
    ["https://a.test", "HTTPS://A.TEST", true],
    ["https://a.test", "http://a.test", false],
    ["https://*.a.test", "https://b.a.test", true],
    ["https://*.a.test", "https://a.test", false],
    ["https://*.a.test", "http://b.a.test", false],
    ["https://a.test,https://b.test", "https://b.test", true],
    ["*", "", false],
  ];
  for (const [origins, origin, want] of cases) {
    await t.step(`${origins} / ${origin}`, () => {
      assertEquals(originAllowed(`cors ${origins} GET - - 0 0`, origin), want);
    });
  }
});

Deno.test("preflightHeaders() answers * with what was asked only where credentials are allowed", async () => {
  const { preflight } = await entry();
  assertEquals(preflight("cors * * * - 60 0", "https://a.test", "PUT", "x-a"), [
    "access-control-allow-origin: *",
    "access-control-allow-methods: *",
    "access-control-allow-headers: *",
    "access-control-max-age: 60",
  ]);
  assertEquals(preflight("cors * * * x-e 60 1", "https://a.test", "PUT", "x-a"), [
    "access-control-allow-origin: https://a.test",
    "access-control-allow-methods: PUT",
    "access-control-allow-headers: x-a",
    "access-control-expose-headers: x-e",
    "access-control-max-age: 60",
    "access-control-allow-credentials: true",
  ]);
});

Deno.test("mirrorSampled() copies numerator out of denominator keys, salted per mirror", async () => {
  const { mirrorSampled } = await entry();
  let copied = 0;
  for (let key = 0; key < 1000; key++) if (mirrorSampled(3, 10, 0, key)) copied++;
  assertEquals(copied, 300);
  const salt = 0x9e3779b9;
  for (let key = 0; key < 1000; key++) {
    assertEquals(mirrorSampled(3, 10, salt, key), ((key ^ salt) >>> 0) % 10 < 3, `key ${key}`);
  }
  assertEquals(mirrorSampled(0, 10, 0, 0), false);
  assertEquals(mirrorSampled(10, 10, 0, 12345), true);
});

Deno.test("mirrorHeaders() copies the request without the decision header, the host suffixed -shadow", async () => {
  const { mirrorHeaders } = await entry();
  assertEquals(
    mirrorHeaders([":authority: shop", ":path: /a", "x-wasmroute-cluster: outbound|80||a", "x-b: 1"]),
    [":authority: shop-shadow", ":path: /a", "x-b: 1"],
  );
});
