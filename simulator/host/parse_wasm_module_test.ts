import assert from "node:assert/strict";
import { formatFuncType, parseWasmModule } from "./parse_wasm_module.ts";
import { AbiVersion } from "./types.ts";
import { fixture, tinyModule } from "./_fixtures.ts";

Deno.test("parseWasmModule() reads the ABI marker and export signatures of a compiled filter", async () => {
  const info = parseWasmModule(await fixture("headers_filter"))!;
  assert.equal(info.abiVersion, AbiVersion.V0_2_1);
  assert.deepEqual(info.exportTypes?.get("proxy_on_request_headers"), {
    params: ["i32", "i32", "i32"],
    results: ["i32"],
  });
  assert.deepEqual(info.exportTypes?.get("_initialize"), { params: [], results: [] });
  assert.ok(info.imports?.every((i) => i.module === "env" && i.kind === "function"));
});

Deno.test("parseWasmModule() reads import signatures, i64 included", () => {
  const info = parseWasmModule(
    tinyModule({ imports: { "env.proxy_increment_metric": "iI>i", "env.f": ">" } }),
  )!;
  assert.deepEqual(info.imports, [
    {
      module: "env",
      name: "proxy_increment_metric",
      kind: "function",
      type: { params: ["i32", "i64"], results: ["i32"] },
    },
    { module: "env", name: "f", kind: "function", type: { params: [], results: [] } },
  ]);
});

Deno.test("parseWasmModule() takes the ABI version from the marker export", async (t) => {
  for (
    const [marker, version] of [
      ["proxy_abi_version_0_2_1", AbiVersion.V0_2_1],
      ["proxy_abi_version_0_2_0", AbiVersion.V0_2_0],
      ["proxy_abi_version_0_1_0", AbiVersion.V0_1_0],
      ["proxy_abi_version_0_3_0", AbiVersion.Unknown],
    ] as const
  ) {
    await t.step(
      marker,
      () => assert.equal(parseWasmModule(tinyModule({ abi: marker }))?.abiVersion, version),
    );
  }
  assert.equal(parseWasmModule(tinyModule({ abi: null }))?.abiVersion, AbiVersion.Unknown);
});

Deno.test("parseWasmModule() refuses a bad header but, like cpp-host, not a file shorter than one", () => {
  assert.equal(parseWasmModule(new TextEncoder().encode("not a wasm module")), undefined);
  assert.deepEqual(parseWasmModule(new Uint8Array([1, 2, 3])), {
    abiVersion: AbiVersion.Unknown,
    imports: [],
    exportTypes: new Map(),
  });
});

Deno.test("parseWasmModule() refuses a section that runs past the end", () => {
  assert.equal(parseWasmModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 7, 20, 0])), undefined);
});

Deno.test("formatFuncType() prints signatures as cpp-host", () => {
  assert.equal(formatFuncType({ params: ["i32", "i64"], results: ["i32"] }), "i32 i64 -> i32");
  assert.equal(formatFuncType({ params: [], results: [] }), "void -> void");
});
