import asc from "assemblyscript/asc";
import { assertEquals, assertMatch } from "../tests/assert.ts";
import { PROXY_WASM_TRANSFORMS } from "./compile_assemblyscript.ts";
import { MANAGED_BYTES_FUNCTION, RUNTIME_TOTAL_GLOBAL } from "./managed_bytes_transform.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** Compiles `source` (in memory, importing the filter's heap module) under `runtime`; the text output or the errors. */
async function compile(
  source: string,
  runtime: string,
): Promise<{ error: boolean; wat: string; stderr: string }> {
  let wat = "", stderr = "";
  const { error } = await asc.main(["entry.ts", "--textFile", "entry.wat", "--runtime", runtime, "-O0"], {
    readFile: (file: string) => {
      if (file === "entry.ts") return source;
      try {
        return Deno.readTextFileSync(ROOT + file);
      } catch {
        return null;
      }
    },
    writeFile: (file: string, data: Uint8Array | string) => {
      if (file === "entry.wat") wat = String(data);
    },
    listFiles: () => [],
    transforms: PROXY_WASM_TRANSFORMS,
    stdout: { write: (s: string) => s.length },
    stderr: { write: (s: string) => (stderr += String(s)).length },
  });
  return { error: error !== null, wat, stderr };
}

const ENTRY = `import { enter, leave, managedBytes } from "./filter/assembly/abi/heap";
export function callback(): usize { enter(); const s = "made " + managedBytes().toString(); leave(); return s.length; }`;

Deno.test("managedBytes reads the minimal runtime's total", async () => {
  const { error, wat, stderr } = await compile(ENTRY, "minimal");
  assertEquals(error, false, stderr);
  const body = wat.slice(wat.indexOf(`(func $${"filter/assembly/" + MANAGED_BYTES_FUNCTION}`));
  assertMatch(
    body.slice(0, 200),
    new RegExp(`global\\.get \\$${RUNTIME_TOTAL_GLOBAL.replaceAll("/", "\\/")}`),
  );
});

Deno.test("a build that declares managedBytes without the minimal runtime fails to compile", async () => {
  const { error, stderr } = await compile(ENTRY, "incremental");
  assertEquals(error, true);
  assertMatch(stderr, /needs the minimal runtime/);
});

Deno.test("a module that does not declare managedBytes is left as it is", async () => {
  const { error, stderr } = await compile("export function one(): i32 { return 1; }", "incremental");
  assertEquals(error, false, stderr);
});
