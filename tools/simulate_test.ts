import { assertEquals, assertMatch } from "../tests/assert.ts";
import { runScript } from "../tests/run_script.ts";

// The seed: GAMMA route on Service my-server, `version: new` → v2, everything else → v1.
const ROUTES_JSON = JSON.stringify({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: "my-server-route", namespace: "devopssong" },
  spec: {
    parentRefs: [{ name: "my-server", kind: "Service", group: "", port: 80 }],
    rules: [
      {
        matches: [{ headers: [{ name: "version", value: "new" }] }],
        backendRefs: [{ name: "my-server-v2", port: 80 }],
      },
      { backendRefs: [{ name: "my-server-v1", port: 80 }] },
    ],
  },
});

const run = (args: string[], files: Record<string, string> = {}) =>
  runScript("tools/simulate.ts", args, files);

Deno.test("the simulate CLI prints one JSON decision per request line", async () => {
  const { code, stdout, stderr } = await run([
    "--resources",
    "$DIR/routes.json",
    "--requests",
    "$DIR/r.jsonl",
  ], {
    "routes.json": ROUTES_JSON,
    "r.jsonl":
      '{"host": "my-server", "path": "/", "headers": {"version": "new"}}\n\n{"host": "my-server", "path": "/"}\n',
  });
  assertEquals(code, 0, stderr);
  const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(lines.map((d) => d.backend), ["devopssong/my-server-v2:80", "devopssong/my-server-v1:80"]);
});

Deno.test("the simulate CLI takes one request as --request and a directory as --resources", async () => {
  const { code, stdout, stderr } = await run([
    "--resources",
    "$DIR",
    "--request",
    '{"host": "my-server", "path": "/"}',
  ], {
    "routes.yaml": ROUTES_JSON,
  });
  assertEquals(code, 0, stderr);
  assertEquals(JSON.parse(stdout).backend, "devopssong/my-server-v1:80");
});

Deno.test("the simulate CLI exits 2 with one line naming the bad JSON line or the missing field", async () => {
  const badLine = await run(["--resources", "$DIR/routes.json", "--requests", "$DIR/r.jsonl"], {
    "routes.json": ROUTES_JSON,
    "r.jsonl": '{"host": "my-server", "path": "/"}\n{"host": \n',
  });
  assertEquals(badLine.code, 2);
  assertMatch(badLine.stderr, /^simulate: \S*r\.jsonl line 2: invalid JSON: [^\n]*\n$/);
  const missing = await run(["--resources", "$DIR/routes.json", "--request", '{"host": "my-server"}'], {
    "routes.json": ROUTES_JSON,
  });
  assertEquals([missing.code, missing.stderr], [2, "simulate: --request: path: required\n"]);
  const noFile = await run(["--resources", "$DIR/none.yaml", "--request", '{"host": "a", "path": "/"}']);
  assertEquals(noFile.code, 2);
  assertMatch(noFile.stderr, /^simulate: \S*none\.yaml: no such file or directory\n$/);
  const usage = await run(["--request", "{}"]);
  assertEquals([usage.code, usage.stderr], [2, "simulate: --resources is required (see --help)\n"]);
  const help = await run(["--help"]);
  assertEquals(help.code, 0);
  assertMatch(help.stdout, /^Usage: deno task simulate/);
});

Deno.test("the simulate CLI refuses a misspelt field as the policy server does", async () => {
  const typo = ROUTES_JSON.replace('"headers"', '"header"');
  const { code, stderr } = await run([
    "--resources",
    "$DIR/routes.json",
    "--request",
    '{"host": "my-server", "path": "/"}',
  ], {
    "routes.json": typo,
  });
  assertEquals(code, 2);
  assertMatch(stderr, /strict decoding error: unknown field "spec\.rules\[0\]\.matches\[0\]\.header"\n$/);
});
