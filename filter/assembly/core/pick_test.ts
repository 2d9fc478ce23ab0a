/**
 * Pure functions of the filter's backend pick (filter/assembly/core/pick.ts), compiled with the filter's
 * flags into a small test module and called through @assemblyscript/loader, which carries strings
 * between JavaScript and AssemblyScript.
 */
import * as loader from "@assemblyscript/loader";
import { compileTestModule } from "../../compile_assemblyscript.ts";
import { assertEquals } from "../../../tests/assert.ts";
import { prng } from "../../../tests/prng.ts";
import { referenceHashKey } from "./testdata/sticky_hash.ts";

interface Exports extends Record<string, unknown> {
  _initialize(): void;
  cookie_value(header: number, name: number): number;
  hash_key(s: number): number;
}

const CORE = [
  "blob",
  "config",
  "cors",
  "filters",
  "grown",
  "hash",
  "hash_index",
  "hot_table",
  "inflate",
  "pick",
  "regex",
  "request",
  "rewrite",
]
  .map((f) => `filter/assembly/core/${f}.ts`);

async function entry() {
  const wasm = await compileTestModule("filter/assembly/core/testdata/pick_entry", {
    cacheName: "wasmroute-pick-entry",
    sources: [...CORE, "filter/assembly/abi/heap.ts"],
    flags: ["--exportRuntime"],
  });
  const { exports } = await loader.instantiate<Exports>(wasm, {});
  exports._initialize();
  const cookieValue = (header: string, name: string) => {
    const ptr = exports.cookie_value(exports.__newString(header), exports.__newString(name));
    return ptr === 0 ? null : exports.__getString(ptr);
  };
  const hashKey = (s: string) => exports.hash_key(exports.__newString(s)) >>> 0;
  return { cookieValue, hashKey };
}

Deno.test("cookieValue() finds a cookie by its name, wherever it stands in the header", async (t) => {
  const { cookieValue } = await entry();
  const cases: [string, string, string | null][] = [
    ["user=alice", "user", "alice"],
    ["theme=dark; user=alice", "user", "alice"],
    ["theme=dark; user=alice; lang=ko", "user", "alice"],
    ["theme=dark;user=alice", "user", "alice"],
    ["  user=alice  ", "user", "alice"],
    ["theme=dark; user=alice", "theme", "dark"],
    ["user=", "user", ""],
    ["user=a=b", "user", "a=b"],
    ["user=alice; user=bob", "user", "alice"],
  ];
  for (const [header, name, want] of cases) {
    await t.step(`${name} in "${header}"`, () => assertEquals(cookieValue(header, name), want));
  }
});

Deno.test("cookieValue() is null when no cookie has the name, even one that contains it", async (t) => {
  const { cookieValue } = await entry();
  const cases: [string, string][] = [
    ["theme=dark", "user"],
    ["", "user"],
    ["username=alice; xuser=bob", "user"],
    ["user", "user"],
    ["=alice", ""],
    ["theme=user", "user"],
  ];
  for (const [header, name] of cases) {
    await t.step(`${name} in "${header}"`, () => assertEquals(cookieValue(header, name), null));
  }
});

Deno.test("hashKey() equals the TypeScript reference that exact-count tests compute with", async () => {
  const { hashKey } = await entry();
  const rng = prng(23);
  const words = ["", "a", "alice", "w-0", "w-999", "한국어", "\u{1f600}"];
  for (let i = 0; i < 200; i++) {
    words.push(
      Array.from({ length: Math.floor(rng() * 40) }, () => String.fromCharCode(32 + Math.floor(rng() * 2000)))
        .join(""),
    );
  }
  for (const w of words) assertEquals(hashKey(w), referenceHashKey(w), JSON.stringify(w));
});
