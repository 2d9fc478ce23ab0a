import { assertEquals, assertThrows } from "../tests/assert.ts";
import { ConfigError, parseConfig } from "./config.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("parseConfig defaults: 127.0.0.1:8080, .data", () => {
  assertEquals(parseConfig([], env({})), {
    port: 8080,
    hostname: "127.0.0.1",
    dataDir: ".data",
    plugin: { namespace: undefined, url: undefined },
  });
});

Deno.test("parseConfig reads the environment, and flags win over it", () => {
  const vars = env({
    WASMROUTE_PORT: "9000",
    WASMROUTE_DATA_DIR: "/var/lib/wasmroute",
    WASMROUTE_PLUGIN_URL: "file:///f.wasm",
  });
  const fromEnv = parseConfig([], vars);
  assertEquals(fromEnv !== "help" && [fromEnv.port, fromEnv.dataDir, fromEnv.plugin.url], [
    9000,
    "/var/lib/wasmroute",
    "file:///f.wasm",
  ]);
  const fromFlags = parseConfig([
    "--port",
    "0",
    "--data-dir=/tmp/x",
    "--hostname",
    "0.0.0.0",
    "--plugin-namespace",
    "mesh",
  ], vars);
  assertEquals(
    fromFlags !== "help" &&
      [fromFlags.port, fromFlags.dataDir, fromFlags.hostname, fromFlags.plugin.namespace],
    [0, "/tmp/x", "0.0.0.0", "mesh"],
  );
});

Deno.test("parseConfig answers help", () => {
  assertEquals(parseConfig(["--help"], env({})), "help");
  assertEquals(parseConfig(["-h"], env({})), "help");
});

Deno.test("parseConfig rejects bad ports and unknown flags", () => {
  assertThrows(() => parseConfig(["--port", "http"], env({})), ConfigError, 'port "http"');
  assertThrows(() => parseConfig([], env({ WASMROUTE_PORT: "70000" })), ConfigError, "0 to 65535");
  assertThrows(() => parseConfig(["--prot", "1"], env({})), ConfigError, "--prot");
});
