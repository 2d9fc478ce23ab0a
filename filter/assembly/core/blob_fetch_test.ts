/**
 * Delivery by URL in the filter core: the configuration's `blobCluster`, `blobAuthority`,
 * `blobPath`, `blobToken` and `sha256` (core/config.ts) and the fetch they start (core/blob_fetch.ts),
 * compiled with the filter's flags into a small test module (testdata/blob_fetch_entry.ts). Only bytes
 * with the pinned digest are offered for serving; failures and other bytes are retried with a delay
 * that doubles up to 30 s.
 */
import * as loader from "@assemblyscript/loader";
import { Buffer } from "node:buffer";
import { compileTestModule } from "../../compile_assemblyscript.ts";
import { assert, assertEquals } from "../../../tests/assert.ts";

interface Exports extends Record<string, unknown> {
  _initialize(): void;
  config_of(json: number): number;
  fetch_start(json: number): number;
  fetch_due(now: number): number;
  fetch_headers(): number;
  fetch_sent(token: number): void;
  fetch_not_sent(now: number): void;
  fetch_answer(status: number, body: number, now: number): number;
  fetch_reason(): number;
  fetch_retry_ms(): number;
  fetch_done(): number;
  fetch_pending(): number;
}

const wasm = await compileTestModule("filter/assembly/core/testdata/blob_fetch_entry", {
  cacheName: "wasmroute-blob-fetch-entry",
  sources: ["blob_fetch", "config", "sha256"].map((f) => `filter/assembly/core/${f}.ts`),
  flags: ["--exportRuntime"],
});
const { exports: x } = await loader.instantiate<Exports>(wasm, {});
x._initialize();
const str = (s: string | null) => s === null ? 0 : x.__newString(s);

const PINNED = Buffer.from("a blob the server compiled");
const SHA = Buffer.from(await crypto.subtle.digest("SHA-256", PINNED)).toString("hex");
const URL_CONFIG = {
  blobCluster: "outbound|8080||wasmroute-policy-server.wasmroute-system.svc.cluster.local",
  blobAuthority: "wasmroute-policy-server.wasmroute-system:8080",
  blobPath: `/v1/blob/sha256/${SHA}`,
  sha256: SHA,
  version: "12",
};

function configOf(config: unknown): Record<string, string> | string {
  const text = x.__getString(x.config_of(str(typeof config === "string" ? config : JSON.stringify(config))));
  if (text.startsWith("refused: ")) return text;
  return Object.fromEntries(
    text.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

const FETCHED_PINNED = 0, FETCH_FAILED = 1, FETCHED_OTHER = 2;
const answer = (status: string | null, body: Uint8Array | null, now: number) =>
  x.fetch_answer(str(status), body === null ? 0 : x.__newArrayBuffer(Uint8Array.from(body).buffer), now);

Deno.test("readConfig() reads a blob named by URL and pinned by its sha256", () => {
  assertEquals(configOf(URL_CONFIG), {
    blob: "no",
    pull: "no",
    scope: "",
    cluster: URL_CONFIG.blobCluster,
    authority: URL_CONFIG.blobAuthority,
    path: URL_CONFIG.blobPath,
    token: "",
    sha256: SHA,
    version: "12",
  });
  const withToken = configOf({
    ...URL_CONFIG,
    blobToken: "proxy-secret",
    sha256: SHA.toUpperCase(),
    scope: "mesh",
  });
  assert(typeof withToken !== "string");
  assertEquals([withToken.token, withToken.sha256, withToken.scope], ["proxy-secret", SHA, "mesh"]);
});

Deno.test("readConfig() refuses a URL delivery without its pin, its path, or beside another delivery", () => {
  const refused = (config: unknown) => {
    const got = configOf(config);
    assert(typeof got === "string", `accepted ${JSON.stringify(config)}`);
    return got.slice("refused: ".length);
  };
  const { sha256: _, ...unpinned } = URL_CONFIG;
  assertEquals(refused(unpinned), '"sha256" must be the 64 hex digits of the blob at "blobPath"');
  assertEquals(refused({ ...URL_CONFIG, sha256: SHA.slice(1) }), refused(unpinned));
  assertEquals(refused({ ...URL_CONFIG, sha256: SHA.slice(1) + "g" }), refused(unpinned));
  const { blobPath: __, ...pathless } = URL_CONFIG;
  const needs = '"blobAuthority" and "blobPath" (starting with /) must accompany "blobCluster"';
  assertEquals(refused(pathless), needs);
  assertEquals(refused({ ...URL_CONFIG, blobPath: "v1/blob" }), needs);
  assertEquals(refused({ ...URL_CONFIG, blobCluster: 7 }), '"blobCluster" must be a string');
  assertEquals(
    refused({ ...URL_CONFIG, blob: "V1JUQg==" }),
    '"blob" and "blobCluster" are two deliveries of the blob: give one',
  );
  assertEquals(
    refused({ ...URL_CONFIG, pullCluster: "c", pullAuthority: "a" }),
    '"blobCluster" and "pullCluster" are two deliveries of the blob: give one',
  );
  // Without blobCluster the other members mean nothing: the usual "blob" is still required.
  assertEquals(refused({ sha256: SHA, blobPath: "/x" }), 'configuration has no "blob" member');
});

Deno.test("a fetch asks once with its path, authority and token, and is done on the pinned bytes", () => {
  assert(x.fetch_start(str(JSON.stringify({ ...URL_CONFIG, blobToken: "proxy-secret" }))));
  assertEquals(x.fetch_due(0), 1);
  assertEquals(x.__getString(x.fetch_headers()).split("\n").filter(Boolean), [
    ":method: GET",
    `:path: ${URL_CONFIG.blobPath}`,
    `:authority: ${URL_CONFIG.blobAuthority}`,
    "authorization: Bearer proxy-secret",
  ]);
  x.fetch_sent(7);
  assertEquals(x.fetch_due(0), 0, "a second call while one is in flight");
  assertEquals(answer("200", PINNED, 5), FETCHED_PINNED);
  assertEquals([x.fetch_done(), x.fetch_pending(), x.fetch_due(100_000)], [1, 0, 0]);
});

Deno.test("other bytes are refused with both digests, and retried after 1 s, 2 s, 4 s … 30 s", () => {
  assert(x.fetch_start(str(JSON.stringify(URL_CONFIG))));
  let now = 1000;
  const tampered = Buffer.from("a blob the server compiled, changed");
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    assertEquals(x.fetch_due(now), 1, `attempt ${i + 1} not due`);
    x.fetch_sent(i + 1);
    assertEquals(answer("200", tampered, now), FETCHED_OTHER);
    const delay = x.fetch_retry_ms();
    delays.push(delay);
    assertEquals(x.fetch_due(now + delay - 1), 0, "due before its delay");
    now += delay;
  }
  assertEquals(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  const reason = x.__getString(x.fetch_reason());
  assert(reason.includes(`not the pinned ${SHA}`), reason);
  assert(reason.startsWith(`${tampered.length} bytes with sha256 `), reason);
  assertEquals(x.fetch_done(), 0);
  // The pinned bytes, at last: done.
  x.fetch_sent(9);
  assertEquals(answer("200", PINNED, now), FETCHED_PINNED);
  assertEquals(x.fetch_done(), 1);
});

Deno.test("an error status, no status, an empty body and an unsent call are failures to retry", () => {
  assert(x.fetch_start(str(JSON.stringify(URL_CONFIG))));
  const cases: [string | null, Uint8Array | null, string][] = [
    ["503", PINNED, "status 503"],
    ["404", null, "status 404"],
    [null, null, "status none"],
    ["200", null, "an empty body"],
    ["200", new Uint8Array(), "an empty body"],
  ];
  let now = 0;
  for (const [status, body, reason] of cases) {
    x.fetch_sent(1);
    assertEquals(answer(status, body, now), FETCH_FAILED, reason);
    assertEquals(x.__getString(x.fetch_reason()), reason);
    assertEquals(x.fetch_pending(), 0);
    now += x.fetch_retry_ms();
  }
  x.fetch_not_sent(now);
  assert(x.__getString(x.fetch_reason()).includes("could not be sent"));
  assertEquals(x.fetch_retry_ms(), 30000);
  assertEquals(x.fetch_done(), 0);
});
