/**
 * The filter's Service frontends (filter/assembly/core/frontends.ts), compiled with the filter's flags
 * into a small test module and called through @assemblyscript/loader. Which virtual host a frontend
 * picks is exercised with the whole filter (tests/conformance/mesh-frontend-routing, in the in-repo
 * host and in Envoy).
 */
import * as loader from "@assemblyscript/loader";
import { compileTestModule } from "../../compile_assemblyscript.ts";
import { assertEquals } from "../../../tests/assert.ts";

interface Exports extends Record<string, unknown> {
  _initialize(): void;
  frontend_key(address: number, port: number): number;
  find_frontend(lines: number, destination: number): number;
}

/** Every module of the core: the test module's cache key covers them all. */
const CORE = [...Deno.readDirSync("filter/assembly/core")]
  .filter((e) => e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts"))
  .map((e) => `filter/assembly/core/${e.name}`).sort();

async function entry() {
  const wasm = await compileTestModule("filter/assembly/core/testdata/frontends_entry", {
    cacheName: "wasmroute-frontends-entry",
    sources: [...CORE, "filter/assembly/abi/heap.ts"],
    flags: ["--exportRuntime"],
  });
  const { exports } = await loader.instantiate<Exports>(wasm, {});
  exports._initialize();
  const s = (text: string) => exports.__newString(text);
  return {
    key: (address: string, port: number) => exports.__getString(exports.frontend_key(s(address), port)),
    find: (lines: string[], destination: string) =>
      exports.find_frontend(s(lines.join("\n")), s(destination)),
  };
}

Deno.test("a frontend's key is the destination as Envoy writes it, IPv6 in brackets", async () => {
  const { key } = await entry();
  assertEquals(key("10.96.0.20", 9080), "10.96.0.20:9080");
  assertEquals(key("fd00:10:96::14", 80), "[fd00:10:96::14]:80");
});

Deno.test("a destination finds its frontend by address and port, and nothing else finds one", async (t) => {
  const { find } = await entry();
  const table = ["10.96.0.20 9080", "10.96.0.20 9090", "fd00::14 9080", "10.96.0.21 9080"];
  const cases: [string, number][] = [
    ["10.96.0.20:9080", 0],
    ["10.96.0.20:9090", 1],
    ["[fd00::14]:9080", 2],
    ["10.96.0.21:9080", 3],
    ["10.96.0.20:80", -1],
    ["10.96.0.2:9080", -1],
    ["10.96.0.20", -1],
    ["fd00::14:9080", -1],
    ["[::1]:80", -1],
    ["", -1],
    ["10.96.0.20:9080 ", -1],
    ["x".repeat(10000), -1],
    ["\u00ff\u0000:9080", -1],
  ];
  for (const [destination, want] of cases) {
    await t.step(
      JSON.stringify(destination.slice(0, 20)),
      () => assertEquals(find(table, destination), want),
    );
  }
  await t.step("an empty table finds none", () => assertEquals(find([], "10.96.0.20:9080"), -1));
});
