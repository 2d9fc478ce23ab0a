/**
 * The plugin configuration reader (filter/assembly/core/config.ts), compiled with the filter's flags
 * into a small test module and called through @assemblyscript/loader: what a WasmPlugin's
 * `pluginConfig`, as Istio hands it over in JSON, configures — the blob (base64 decoded in place),
 * the scope, pull and fetch delivery — and the exact refusal of each malformed one.
 */
import * as loader from "@assemblyscript/loader";
import { compileTestModule } from "../../compile_assemblyscript.ts";
import { assertEquals } from "../../../tests/assert.ts";

interface Exports extends Record<string, unknown> {
  _initialize(): void;
  read(text: number): number;
  base64(text: number): number;
}

async function entry() {
  const wasm = await compileTestModule("filter/assembly/core/testdata/config_entry", {
    cacheName: "wasmroute-config-entry",
    sources: ["filter/assembly/core/config.ts", "filter/assembly/core/sha256.ts"],
    flags: ["--exportRuntime"],
  });
  const { exports: x } = await loader.instantiate<Exports>(wasm, {});
  x._initialize();
  return {
    read: (text: string) =>
      x.__getString(x.read(x.__newString(text))).split("\n").filter((l) => l.length > 0),
    base64: (text: string) => x.__getString(x.base64(x.__newString(text))),
  };
}

const DIGEST = "ab".repeat(32);

Deno.test('readConfig() takes the blob from a JSON object\'s base64 "blob" member', async (t) => {
  const c = await entry();
  const cases: [string, string, string[]][] = [
    ["plain", '{"blob":"AAEC"}', ["blob 000102", "scope "]],
    ["whitespace around and inside", ' \n\t{ "blob" :\r "AA EC\\n" , "version": "3" } ', [
      "blob 000102",
      "scope ",
    ]],
    ["padding", '{"blob":"AAE="}', ["blob 0001"]],
    ["the URL-safe alphabet", '{"blob":"-_8"}', ["blob fbff"]],
    ["an escape in the value", '{"blob":"AA\\/C"}', ["blob 000fc2"]],
    ["an escape in the key", '{"\\u0062lob":"AAEC"}', ["blob 000102"]],
    ["an upper-case \\u escape in the key", '{"b\\u006Cob":"AAEC"}', ["blob 000102"]],
    [
      "other members of any shape before it",
      '{"x":{"a":[1,{"b":"}]"}],"n":null},"t":true,"n":-1.5e3,"e":2E+8,"z":null,"blob":"AAEC"}',
      [
        "blob 000102",
      ],
    ],
    ["the first of two", '{"blob":"AAEC","blob":"AAAA"}', ["blob 000102"]],
  ];
  for (const [name, text, want] of cases) {
    await t.step(name, () => assertEquals(c.read(text).slice(0, want.length), want));
  }
});

Deno.test("readConfig() takes bytes with a blob's magic as the blob itself", async () => {
  const c = await entry();
  assertEquals(c.read("WRTZ\u0001"), ["blob 5752545a01", "scope "]);
  assertEquals(c.read("WRTB"), ["blob 57525442", "scope "]);
});

Deno.test("readConfig() reads the scope, pull and fetch deliveries", async () => {
  const c = await entry();
  assertEquals(c.read('{"blob":"AA","scope":"mesh"}'), ["blob 00", "scope mesh"]);
  assertEquals(
    c.read('{"blob":"AA","scope":"gateway:istio-system/ingress"}')[1],
    "scope gateway:istio-system/ingress",
  );
  assertEquals(c.read('{"blob":"AA","scope":"me\\u0073h"}')[1], "scope mesh");
  assertEquals(c.read('{"pullCluster":"policy","pullAuthority":"wasmroute"}'), [
    "scope ",
    "pull policy wasmroute /v1/blob?wait=30s ",
  ]);
  assertEquals(
    c.read('{"pullCluster":"p","pullAuthority":"a","pullPath":"/x","pullToken":"t","blob":"AA"}'),
    [
      "blob 00",
      "scope ",
      "pull p a /x t",
    ],
  );
  assertEquals(
    c.read(`{"blobCluster":"c","blobAuthority":"a","blobPath":"/v1/blob/sha256/x","sha256":"${DIGEST}"}`),
    ["scope ", `fetch c a /v1/blob/sha256/x  ${DIGEST} `],
  );
  assertEquals(
    c.read(
      `{"blobCluster":"c","blobAuthority":"a","blobPath":"/p","sha256":"${DIGEST}","blobToken":"tok","version":"7"}`,
    ),
    ["scope ", `fetch c a /p tok ${DIGEST} 7`],
  );
});

Deno.test("readConfig() refuses each malformed configuration with its own reason", async (t) => {
  const c = await entry();
  const fetch = (more: string) => `{"blobCluster":"c","blobAuthority":"a","blobPath":"/p"${more}}`;
  const cases: [string, string, string][] = [
    ["not JSON", "hello", "configuration is neither a rule blob nor a JSON object"],
    ["empty", "", "configuration is neither a rule blob nor a JSON object"],
    ["an array", '["blob"]', "configuration is neither a rule blob nor a JSON object"],
    ["no blob", '{"scope":"mesh"}', 'configuration has no "blob" member'],
    ["an empty object", "{ }", 'configuration has no "blob" member'],
    ["blob not a string", '{"blob":5}', '"blob" must be a string'],
    ["blob not base64", '{"blob":"AA*C"}', '"blob" is not valid base64'],
    ["an escaped blob not base64", '{"blob":"AA\\u00e9C"}', '"blob" is not valid base64'],
    ["a blob cut short", '{"blob":"AAEC', '"blob" must be a string'],
    ["a key cut short", '{"blo', 'configuration has no "blob" member'],
    ["no colon", '{"blob" "AAEC"}', 'configuration has no "blob" member'],
    ["a bad \\u escape in a key", '{"\\u00zzblob":"AAEC"}', 'configuration has no "blob" member'],
    [
      "a bad \\u escape in a key before the blob",
      '{"\\u00zz":1,"blob":"AAEC"}',
      'configuration has no "blob" member',
    ],
    ["a \\u escape of three hex digits", '{"\\u06g":1,"blob":"AAEC"}', 'configuration has no "blob" member'],
    ["an escape at the end", '{"blob\\', 'configuration has no "blob" member'],
    ["a short \\u escape", '{"\\u006', 'configuration has no "blob" member'],
    [
      "nesting past 64 levels before it",
      `{"x":${"[".repeat(65)}${"]".repeat(65)},"blob":"AA"}`,
      'configuration has no "blob" member',
    ],
    ["a close without an open", '{"x":],"blob":"AA"}', 'configuration has no "blob" member'],
    ["an unfinished value", '{"x":[1,2', 'configuration has no "blob" member'],
    ["another scope", '{"blob":"AA","scope":"all"}', '"scope" must be "mesh" or "gateway:NAMESPACE/NAME"'],
    ["pull without its authority", '{"pullCluster":"p"}', '"pullAuthority" must accompany "pullCluster"'],
    [
      "fetch without its path",
      '{"blobCluster":"c","blobAuthority":"a"}',
      '"blobAuthority" and "blobPath" (starting with /) must accompany "blobCluster"',
    ],
    [
      "fetch with a relative path",
      fetch(`,"blobPath":"p"`).replace('"blobPath":"/p",', ""),
      '"blobAuthority" and "blobPath" (starting with /) must accompany "blobCluster"',
    ],
    ["fetch without a digest", fetch(""), '"sha256" must be the 64 hex digits of the blob at "blobPath"'],
    [
      "fetch with a short digest",
      fetch(`,"sha256":"${DIGEST.slice(2)}"`),
      '"sha256" must be the 64 hex digits of the blob at "blobPath"',
    ],
    ["fetch with a cluster not a string", '{"blobCluster":1,"blob":"AA"}', '"blobCluster" must be a string'],
    [
      "fetch and pull",
      fetch(`,"sha256":"${DIGEST}","pullCluster":"p","pullAuthority":"a"`),
      '"blobCluster" and "pullCluster" are two deliveries of the blob: give one',
    ],
    [
      "fetch and a blob",
      fetch(`,"sha256":"${DIGEST}","blob":"AA"`),
      '"blob" and "blobCluster" are two deliveries of the blob: give one',
    ],
  ];
  for (const [name, text, error] of cases) {
    await t.step(name, () => assertEquals(c.read(text), [`error: ${error}`]));
  }
});

Deno.test("decodeBase64() skips padding and whitespace and refuses anything else", async () => {
  const c = await entry();
  assertEquals(c.base64("AAEC"), "000102");
  assertEquals(c.base64("AA E\tC\r\n=="), "000102");
  assertEquals(c.base64("AAE="), "0001");
  assertEquals(c.base64("/+_-"), "ffeffe");
  assertEquals(c.base64(""), "");
  assertEquals(c.base64("AA*C"), "null");
  assertEquals(c.base64("AA\u0100C"), "null");
  assertEquals(c.base64("AA\u00c1C"), "null");
});
