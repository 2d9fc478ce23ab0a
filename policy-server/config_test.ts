import { assertEquals, assertThrows } from "../tests/assert.ts";
import { ConfigError, parseConfig } from "./config.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("parseConfig defaults: 127.0.0.1:8080, .data", () => {
  assertEquals(parseConfig([], env({})), {
    port: 8080,
    hostname: "127.0.0.1",
    dataDir: ".data",
    plugin: {
      namespace: undefined,
      url: undefined,
      blobUrl: {
        maxInlineBytes: 180 * 1024,
        cluster: "outbound|8080||wasmroute-policy-server.wasmroute-system.svc.cluster.local",
        authority: "wasmroute-policy-server.wasmroute-system.svc.cluster.local:8080",
      },
    },
    insecureOpen: false,
    blobHistory: 20,
    maxBodyBytes: 1 << 20,
    trustUnseenGateways: false,
    delivery: { flavours: [{ kind: "mesh" }], kubeApply: false, kubeCreate: false },
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

Deno.test("parseConfig reads tokens, --insecure-open, history and body limits from flags or the environment", () => {
  const fromFlags = parseConfig(
    [
      "--tokens-file",
      "/etc/wasmroute/tokens.yaml",
      "--insecure-open",
      "--blob-history",
      "5",
      "--max-body-bytes",
      "4096",
    ],
    env({}),
  );
  assertEquals(
    fromFlags !== "help" &&
      [
        fromFlags.tokensFile,
        fromFlags.tokensJson,
        fromFlags.insecureOpen,
        fromFlags.blobHistory,
        fromFlags.maxBodyBytes,
      ],
    ["/etc/wasmroute/tokens.yaml", undefined, true, 5, 4096],
  );
  const fromEnv = parseConfig(
    [],
    env({
      WASMROUTE_TOKENS: '[{"name":"ci","token":"t","namespaces":["*"],"role":"writer"}]',
      WASMROUTE_INSECURE_OPEN: "1",
      WASMROUTE_BLOB_HISTORY: "50",
    }),
  );
  assertEquals(
    fromEnv !== "help" &&
      [fromEnv.tokensFile, typeof fromEnv.tokensJson, fromEnv.insecureOpen, fromEnv.blobHistory],
    [undefined, "string", true, 50],
  );
});

Deno.test("parseConfig refuses tokens from both a file and the environment, and bad numbers", () => {
  assertThrows(
    () => parseConfig(["--tokens-file", "t.yaml"], env({ WASMROUTE_TOKENS: "[]" })),
    ConfigError,
    "not both",
  );
  assertThrows(() => parseConfig(["--blob-history", "0"], env({})), ConfigError, "blob history");
  assertThrows(() => parseConfig([], env({ WASMROUTE_MAX_BODY_BYTES: "1k" })), ConfigError, "max body bytes");
  assertThrows(() => parseConfig([], env({ WASMROUTE_INSECURE_OPEN: "yes" })), ConfigError, "INSECURE_OPEN");
});

Deno.test("USAGE names every flag and environment variable parseConfig reads", async () => {
  const source = await Deno.readTextFile(new URL("./config.ts", import.meta.url));
  const { USAGE } = await import("./config.ts");
  const flags = [...source.matchAll(/^ {8}"?([a-z-]+)"?: \{ type:/gm)].map((m) => `--${m[1]}`);
  const vars = [...new Set([...source.matchAll(/"(WASMROUTE_[A-Z_]+)"/g)].map((m) => m[1]))];
  assertEquals(flags.length >= 9 && vars.length >= 9, true, `${flags} ${vars}`);
  for (const name of [...flags, ...vars]) assertEquals(USAGE.includes(name), true, `${name} is not in USAGE`);
});

Deno.test("parseConfig takes the plugin kind, WasmPlugin or TrafficExtension, from a flag or the environment", () => {
  const kindOf = (args: string[], env: Record<string, string> = {}) => {
    const config = parseConfig(args, (name) => env[name]);
    return config === "help" ? "help" : config.plugin.kind;
  };
  assertEquals(kindOf([]), undefined);
  assertEquals(kindOf(["--plugin-kind", "TrafficExtension"]), "TrafficExtension");
  assertEquals(kindOf([], { WASMROUTE_PLUGIN_KIND: "TrafficExtension" }), "TrafficExtension");
  assertEquals(
    kindOf(["--plugin-kind", "WasmPlugin"], { WASMROUTE_PLUGIN_KIND: "TrafficExtension" }),
    "WasmPlugin",
  );
  assertThrows(
    () => parseConfig(["--plugin-kind", "EnvoyFilter"], () => undefined),
    ConfigError,
    "EnvoyFilter",
  );
});

Deno.test("parseConfig reads where blobs past the inline limit are fetched from, and the limit", () => {
  const fromEnv = parseConfig(
    [],
    env({
      WASMROUTE_INLINE_BLOB_MAX_BYTES: "0",
      WASMROUTE_BLOB_SERVICE: "policy.wasmroute.svc:9000",
      WASMROUTE_BLOB_TOKEN: "proxy-secret",
    }),
  );
  assertEquals(fromEnv !== "help" && fromEnv.plugin.blobUrl, {
    maxInlineBytes: 0,
    cluster: "outbound|9000||policy.wasmroute.svc",
    authority: "policy.wasmroute.svc:9000",
    token: "proxy-secret",
  });
  const fromFlags = parseConfig(
    ["--inline-blob-max-bytes", "1048576"],
    env({ WASMROUTE_INLINE_BLOB_MAX_BYTES: "5" }),
  );
  assertEquals(fromFlags !== "help" && fromFlags.plugin.blobUrl?.maxInlineBytes, 1 << 20);
  assertThrows(
    () => parseConfig(["--inline-blob-max-bytes", "1048577"], env({})),
    ConfigError,
    'inline blob max bytes "1048577" is not a number from 0 to 1048576',
  );
  for (const service of ["policy", "policy:", "Policy:80", "policy:99999", "http://policy:80", "a/b:80"]) {
    assertThrows(
      () => parseConfig(["--blob-service", service], env({})),
      ConfigError,
      `blob service "${service}"`,
    );
  }
});
