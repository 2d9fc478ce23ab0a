import assert from "node:assert/strict";
import { hostFunctionTypes } from "./abi_imports.ts";
import { newHostEmulator } from "./host_emulator.ts";
import { AbiVersion } from "./types.ts";
import { fixture } from "./_fixtures.ts";

Deno.test("hostFunctionTypes() offers each ABI version what cpp-host registers", () => {
  const v021 = hostFunctionTypes(AbiVersion.V0_2_1);
  const v020 = hostFunctionTypes(AbiVersion.V0_2_0);
  const v010 = hostFunctionTypes(AbiVersion.V0_1_0);
  assert.ok(v021.has("env.proxy_get_log_level") && !v020.has("env.proxy_get_log_level"));
  assert.ok(v020.has("env.proxy_continue_stream") && !v010.has("env.proxy_continue_stream"));
  assert.ok(v010.has("env.proxy_clear_route_cache") && !v021.has("env.proxy_clear_route_cache"));
  assert.deepEqual(v021.get("env.proxy_increment_metric"), { params: ["i32", "i64"], results: ["i32"] });
  assert.deepEqual(v021.get("wasi_snapshot_preview1.fd_write"), {
    params: ["i32", "i32", "i32", "i32"],
    results: ["i32"],
  });
  assert.ok(v021.has("wasi_unstable.proc_exit"));
  assert.ok(!v021.has("env.abort"), "Envoy has no env.abort");
});

// The abi_probe fixture logs the statuses it gets; these are the lines pwhost produces (the cross
// host test checks the same probe against pwhost itself).
async function probe(
  group: string,
  init: { requestBody?: string; responseHeaders?: [string, string][] } = {},
) {
  const host = newHostEmulator({
    wasm: await fixture("abi_probe"),
    vmConfiguration: "vmconf",
    pluginConfiguration: "cfg",
  });
  assert.ok(host.startPlugin());
  const id = host.initializeHttpContext(init);
  host.callOnRequestHeaders(id, [["x-probe", group], ["a", "1"]], true);
  return { host, id, logs: host.getLogs() };
}

Deno.test("header map calls: NotFound, BadArgument for maps a stream lacks, InvalidMemoryAccess for bad pointers", async () => {
  const { logs } = await probe("headers", { responseHeaders: [[":status", "200"]] });
  assert.deepEqual(logs.map((l) => l.message), [
    "get X-PROBE 'headers' missing status 1 map 9 status 2 trailers status 2 call status 2",
    "bad key ptr 6 bad result ptr 6",
    "add 0 add call map 2 remove absent 0",
    "pairs 3: x-probe=headers a=1 a=a (52 bytes) | response 1: :status=200 (24 bytes) | trailers empty | map 8 status 2",
    "size 0 = 18 trailers size 2",
    "set broken pairs 0 → response empty",
  ]);
});

Deno.test("buffer calls: configuration only while configuring, reads clamp to the buffer, writes refused", async () => {
  const { logs } = await probe("buffers", { requestBody: "the body" });
  assert.deepEqual(logs.map((l) => l.message), [
    "vm config 'vmconf' from 2 'co' past end '' plugin config status 1 type 9 status 2",
    "body 'the body' call body status 1 status 0 size 6",
    "set body 2 bad ptr 6",
  ]);
});

Deno.test("stream calls: continue, close, done and the effective context", async () => {
  const { logs, host, id } = await probe("streams");
  assert.deepEqual(logs.map((l) => [l.context, l.message]), [
    [2, "continue request 0 response 0 downstream 2 7 2"],
    [2, "close 0 close 7 2 done 1"],
    [1, "effective bad 2 root 0"],
    [1, "now logging as the root; continue from root 2 request header from root status 2"],
  ]);
  assert.equal(host.getHttpStream(id).requestContinued, true);
});

Deno.test("metrics, shared data, logs, time, status and gRPC calls answer as in pwhost", async () => {
  const { logs, host } = await probe("misc");
  assert.deepEqual(logs.map((l) => l.message), [
    "define 0 record 0 get 0 = 42 unknown 1",
    "shared set 0 get 0 cas mismatch 8 missing 1",
    "log level 0 = 0 bad level 2 bad message 6",
    "tick 0 time 0 time bad ptr 6",
    "status 0 code 1 grpc 12",
    "http call no headers 2 bad token ptr 6",
    "local reply bad body 6",
  ]);
  assert.deepEqual(host.getErrors(), ["unimplemented proxy-wasm API", "unimplemented proxy-wasm API"]);
});

Deno.test("WASI: stdout and stderr become info and error log lines", async () => {
  const { logs, host } = await probe("wasi");
  assert.deepEqual(logs.slice(0, 2).map((l) => [l.level, l.message]), [[2, "from stdout"], [
    4,
    "from stdout",
  ]]);
  assert.deepEqual(logs.slice(2).map((l) => l.message), [
    "fd_write 1 0 wrote 12 fd 2 0 fd 5 8 bad iovs 21",
    "clock 0 0 clock 1 0 clock 3 58 random 0 random too big 28",
    "environ 0 = 0 seek 0",
    "still running after proc_exit",
  ]);
  assert.deepEqual(host.getErrors(), ["wasi_unstable fd_seek", "wasi_unstable proc_exit"]);
});
