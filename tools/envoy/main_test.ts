import { join } from "node:path";
import { parse } from "yaml";
import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { main, runLocalEnvoy } from "./main.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Runs with a stand-in build (the real one is `deno task build:filter`'s business) and captured output. */
async function run(searchPath: string, outDir: string) {
  const out: string[] = [], err: string[] = [];
  const code = await runLocalEnvoy({
    target: join(root, "examples/header-routing"),
    build: () => Promise.resolve(),
    wasmPath: "/nonexistent/filter.wasm",
    searchPath,
    outDir,
    listenerPort: 10000,
    log: (l) => out.push(l),
    error: (l) => err.push(l),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The loopback ports of the echo servers, from the written envoy.yaml. */
async function echoPorts(outDir: string): Promise<number[]> {
  const config = parse(await Deno.readTextFile(join(outDir, "envoy.yaml")));
  return config.static_resources.clusters.map((
    c: {
      load_assignment: {
        endpoints: {
          lb_endpoints: { endpoint: { address: { socket_address: { port_value: number } } } }[];
        }[];
      };
    },
  ) => c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value);
}

async function refuses(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch {
    return true;
  }
}

Deno.test("without func-e the local loop says how to install it, exits 1 and leaves nothing running", async () => {
  const empty = await Deno.makeTempDir(), outDir = await Deno.makeTempDir();
  try {
    const { code, out, err } = await run(empty, outDir);
    assertEquals(code, 1);
    assertMatch(err, /func-e is not on PATH/);
    assertMatch(err, /https:\/\/func-e\.io/);
    assertMatch(
      out,
      /echo devopssong\/my-server-v1:80 on 127\.0\.0\.1:\d+ as cluster outbound\|80\|\|my-server-v1/,
    );
    const ports = await echoPorts(outDir);
    assertEquals(ports.length, 2);
    for (const port of ports) assert(await refuses(port), `echo server on ${port} still listening`);
  } finally {
    await Deno.remove(empty, { recursive: true });
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test({
  name: "with func-e the local loop runs `func-e run -c envoy.yaml` while the echo servers answer",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const bin = await Deno.makeTempDir(), outDir = await Deno.makeTempDir();
    try {
      // A stand-in func-e: records its arguments, asks the first echo server, exits 7.
      const record = join(bin, "args");
      const port = join(bin, "port");
      // The third port_value in envoy.yaml is the first cluster's (after admin and listener).
      await Deno.writeTextFile(
        join(bin, "func-e"),
        `#!/bin/sh\necho "$@" > '${record}'\n` +
          `p=$(grep -o 'port_value: [0-9]*' "$3" | sed -n 3p | cut -d' ' -f2)\n` +
          `'${Deno.execPath()}' eval "const r = await fetch('http://127.0.0.1:$p/x'); ` +
          `Deno.writeTextFileSync('${port}', await r.text())"\nexit 7\n`,
      );
      await Deno.chmod(join(bin, "func-e"), 0o755);
      const { code, out } = await run(bin, outDir);
      assertEquals(code, 7);
      assertEquals((await Deno.readTextFile(record)).trim(), `run -c ${join(outDir, "envoy.yaml")}`);
      assertEquals(JSON.parse(await Deno.readTextFile(port)).path, "/x");
      assertMatch(out, /curl -sS -H 'Host: my-server' -H 'version: new' 'http:\/\/localhost:10000\/'/);
    } finally {
      await Deno.remove(bin, { recursive: true });
      await Deno.remove(outDir, { recursive: true });
    }
  },
});

Deno.test("main refuses a bad port before doing anything", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (m: string) => errors.push(m);
  try {
    assertEquals(await main(["examples/header-routing", "--port", "http"]), 1);
    assertEquals(await main(["--bogus"]), 2);
  } finally {
    console.error = original;
  }
  assertMatch(errors[0], /--port "http" is not a port number/);
});
