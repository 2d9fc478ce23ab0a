import assert from "node:assert/strict";
import { HostState } from "./host_state.ts";
import { loadCode, trapMessage, WasmVm } from "./wasm_vm.ts";
import { fixture, tinyModule } from "./_fixtures.ts";

function vmOf(code: Uint8Array): { vm: WasmVm; state: HostState } {
  const compiled = loadCode(code);
  if ("error" in compiled) throw new Error(compiled.error);
  const state = new HostState();
  return { vm: new WasmVm(state, compiled, "wasmroute-vm", new Uint8Array(0)), state };
}

Deno.test("initialize() names the missing import, in cpp-host's words", () => {
  const { vm, state } = vmOf(tinyModule({ imports: { "env.proxy_log": "iii>i", "env.proxy_route": "i>i" } }));
  assert.equal(vm.initialize(), false);
  assert.deepEqual(state.errors, ["Failed to load Wasm module due to a missing import: env.proxy_route"]);
  assert.equal(vm.failState, "UnableToInitializeCode");
});

Deno.test("initialize() lists every missing import at once", () => {
  const { vm, state } = vmOf(
    tinyModule({ imports: { "env.abort": "iiii>", "env.seed": ">I", "env.proxy_log": "iii>i" } }),
  );
  assert.equal(vm.initialize(), false);
  assert.deepEqual(state.errors, ["Failed to load Wasm module due to missing imports: env.abort, env.seed"]);
});

Deno.test("initialize() refuses an import whose signature differs from the host's", () => {
  const { vm, state } = vmOf(tinyModule({ imports: { "env.proxy_log": "ii>i" } }));
  assert.equal(vm.initialize(), false);
  assert.deepEqual(state.errors, [
    "Failed to load Wasm module due to an import type mismatch for function env.proxy_log, want: i32 i32 -> i32, but host exports: i32 i32 i32 -> i32",
  ]);
});

Deno.test("initialize() refuses a module without malloc or proxy_on_memory_allocate", () => {
  const { vm, state } = vmOf(tinyModule({ malloc: false }));
  assert.equal(vm.initialize(), false);
  assert.deepEqual(state.errors, ["Wasm module is missing malloc function."]);
  assert.equal(vm.failState, "MissingFunction");
});

Deno.test("initialize() reports each callback exported with the wrong signature", () => {
  const { vm, state } = vmOf(tinyModule({ badExports: ["proxy_on_done", "proxy_on_request_headers"] }));
  assert.equal(vm.initialize(), false);
  assert.deepEqual(state.errors, [
    "Bad function signature for: proxy_on_done, want: i32 -> i32, but the module exports: i64 -> i64",
    "Bad function signature for: proxy_on_request_headers, want: i32 i32 i32 -> i32, but the module exports: i64 -> i64",
  ]);
});

Deno.test("loadCode() tells a corrupt file from a module without ABI marker or an invalid one", () => {
  assert.deepEqual(loadCode(new TextEncoder().encode("garbage garbage")), {
    error: "Failed to parse corrupted Wasm module",
  });
  assert.deepEqual(loadCode(tinyModule({ abi: null })), {
    error: "Missing or unknown Proxy-Wasm ABI version",
  });
  const invalid = tinyModule();
  invalid[invalid.length - 1] = 0xff; // break the last instruction
  assert.deepEqual(loadCode(invalid), { error: "Failed to load Wasm bytecode" });
});

Deno.test("trapMessage() words V8's traps as WAMR (pwhost's engine) does", async (t) => {
  const cases: [string, string][] = [
    ["unreachable", "Exception: unreachable"],
    ["memory access out of bounds", "Exception: out of bounds memory access"],
    ["divide by zero", "Exception: integer divide by zero"],
    ["remainder by zero", "Exception: integer divide by zero"],
    ["divide result unrepresentable", "Exception: integer overflow"],
    ["null function", "Exception: uninitialized element"],
    ["function signature mismatch", "Exception: indirect call type mismatch"],
    ["table index is out of bounds", "Exception: undefined element"],
  ];
  for (const [v8, wamr] of cases) {
    await t.step(v8, () => assert.equal(trapMessage(new WebAssembly.RuntimeError(v8)), wamr));
  }
  assert.equal(
    trapMessage(new RangeError("Maximum call stack size exceeded")),
    "Exception: wasm operand stack overflow",
  );
  assert.equal(trapMessage(new TypeError("oops")), "Exception: host function threw TypeError: oops");
});

Deno.test("call() turns a trap into a RuntimeError fail state and returns 0", async () => {
  const { vm, state } = vmOf(await fixture("trap_filter"));
  assert.equal(vm.initialize(), true);
  const failures: string[] = [];
  vm.onFail((s) => failures.push(s));
  const trap = () => {
    throw new WebAssembly.RuntimeError("unreachable");
  };
  assert.equal(vm.call("proxy_on_tick", trap, vm.vmContext, 1), 0);
  assert.equal(vm.failState, "RuntimeError");
  assert.deepEqual(state.errors, ["Function: proxy_on_tick failed: Exception: unreachable"]);
  assert.deepEqual(failures, ["RuntimeError"]);
});

Deno.test("u8 follows the module memory when malloc grows it", async () => {
  const { vm } = vmOf(await fixture("headers_filter"));
  vm.initialize();
  const before = vm.u8.length;
  const ptr = vm.allocMemory(4 * 65536);
  assert.ok(ptr > 0 && vm.u8.length > before, "memory grew");
  assert.ok(vm.copyToPointerSize("x".repeat(1000), ptr, ptr + 4));
  assert.deepEqual(new Uint32Array(vm.u8.slice(ptr + 4, ptr + 8).buffer)[0], 1000);
});

Deno.test("getBytes() and setU32() refuse out-of-range addresses instead of throwing", async () => {
  const { vm } = vmOf(await fixture("headers_filter"));
  vm.initialize();
  const size = vm.u8.length;
  assert.equal(vm.getBytes(size - 2, 4), null);
  assert.equal(vm.getBytes(size, 0)?.length, 0);
  assert.equal(vm.setU32(size - 3, 1), false);
  assert.equal(vm.setU64(0xfffffff0, 1n), false);
});
