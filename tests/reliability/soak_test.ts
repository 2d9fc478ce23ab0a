// Soak: the filter serves many requests against a large generated table without its linear memory
// growing after warm-up, and the policy server under mixed load (reads, writes, blob long-polls) keeps
// its p99 latency stable and loses no acknowledged write.
//
// Short by default (20,000 requests over 1,000 rules; 10 s of server load), so `deno task test`
// stays quick; `WASMROUTE_SOAK=1` (`deno task test:soak`) runs the long one (1,000,000 requests over
// 10,000 rules; 3 minutes of server load). WASMROUTE_SOAK_REQUESTS, _RULES and _SECONDS override.
import { assert, assertEquals } from "../assert.ts";
import { compiledTable } from "../../tools/bench/fixtures.ts";
import { generateRequests } from "../../tools/bench/generate_routes.ts";
import { emulatorOptions, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import { sampleRoute } from "../../policy-server/model/testing.ts";
import { withServer } from "../../policy-server/testing.ts";
import { decidedCluster } from "../../tools/envoy/render_envoy_config.ts";

const LONG = ["1", "true"].includes(Deno.env.get("WASMROUTE_SOAK") ?? "");
const env = (name: string, short: number, long: number) =>
  Number(Deno.env.get(name) ?? (LONG ? long : short));
const REQUESTS = env("WASMROUTE_SOAK_REQUESTS", 20_000, 1_000_000);
const RULES = env("WASMROUTE_SOAK_RULES", 1_000, 10_000);
const SECONDS = env("WASMROUTE_SOAK_SECONDS", 10, 180);

Deno.test(`soak: the filter serves ${REQUESTS} requests over ${RULES} rules without linear-memory growth`, async () => {
  const table = await compiledTable(RULES);
  const host = newHostEmulator(
    emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(table.pluginConfig),
  );
  assert(host.startPlugin(), host.getErrors().join("\n"));
  const requests = generateRequests(table.generated, Math.min(5000, REQUESTS));
  const warmUp = Math.max(requests.length, Math.floor(REQUESTS / 10));
  let memoryAfterWarmUp = 0, wrong = 0, checked = 0;
  const t0 = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    if (i === warmUp) memoryAfterWarmUp = host.getMemorySize();
    const request = requests[i % requests.length];
    const id = host.initializeHttpContext({ responseHeaders: [[":status", "200"]] });
    host.callOnRequestHeaders(id, request.headers, true);
    if (i % 97 === 0) {
      checked++;
      const cluster = decidedCluster(host.getCurrentRequestHeaders(id));
      if (cluster !== request.cluster) wrong++;
    }
    host.callOnResponseHeaders(id, [[":status", "200"]], true);
    host.completeHttpContext(id);
    if (i % 10_000 === 0) {
      if (host.getVmFailState() !== "Ok") throw new Error(`request ${i} trapped: ${host.getErrors().at(-1)}`);
      host.host.state.logs.length = 0; // the host keeps every log line; the filter's memory is what we watch
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const memoryAtEnd = host.getMemorySize();
  console.log(
    `soak filter: cases tried ${REQUESTS}, failures ${wrong} of ${checked} checked, traps 0, ` +
      `linear memory ${memoryAfterWarmUp} after warm-up → ${memoryAtEnd} at the end ` +
      `(${RULES} rules, ${(REQUESTS / seconds).toFixed(0)} req/s)`,
  );
  assertEquals(host.getVmFailState(), "Ok");
  assertEquals(wrong, 0, "requests routed to the wrong cluster");
  assert(memoryAtEnd <= memoryAfterWarmUp, `linear memory grew from ${memoryAfterWarmUp} to ${memoryAtEnd}`);
});

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.99 * s.length))] ?? 0;
};

Deno.test(`soak: the server under ${SECONDS} s of mixed load keeps p99 stable and loses no write`, async () => {
  await withServer(async (base, { store }) => {
    const WRITERS = 2, READERS = 4, POLLERS = 2, NAMES = 40;
    const started = performance.now();
    const until = started + SECONDS * 1000;
    const samples: { at: number; ms: number }[] = [];
    /** The last acknowledged sequence number of each route name. */
    const acked = new Map<string, number>();
    let failures = 0, writes = 0, reads = 0, polls = 0, blobChanges = 0;
    const timed = async (url: string, init?: RequestInit) => {
      const t = performance.now();
      const res = await fetch(url, init);
      await res.body?.cancel();
      samples.push({ at: t - started, ms: performance.now() - t });
      return res;
    };
    const writer = async (w: number) => {
      // Each writer cycles over its own names, so the table stays bounded and the order of one
      // name's writes is known: the stored one must be the last acknowledged.
      for (let seq = 0; performance.now() < until; seq++) {
        const name = `w${w}-r${seq % NAMES}`;
        const route = sampleRoute(name, `soak-${w}`);
        route.metadata.annotations = { seq: String(seq) };
        const res = await timed(`${base}/v1/routes`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(route),
        });
        writes++;
        if (res.ok) acked.set(`soak-${w}/${name}`, seq);
        else failures++;
      }
    };
    const reader = async (r: number) => {
      for (let i = 0; performance.now() < until; i++) {
        const res = i % 2
          ? await timed(`${base}/v1/routes?namespace=soak-${r % WRITERS}`)
          : await timed(`${base}/v1/routes/soak-${r % WRITERS}/w${r % WRITERS}-r${i % NAMES}`);
        reads++;
        if (!res.ok && res.status !== 404) failures++;
      }
    };
    const poller = async () => {
      let etag = "";
      while (performance.now() < until) {
        const res = await fetch(`${base}/v1/blob?wait=1s`, {
          headers: etag ? { "If-None-Match": etag } : {},
        });
        await res.body?.cancel();
        polls++;
        if (res.status === 200) {
          if (etag && res.headers.get("ETag") !== etag) blobChanges++;
          etag = res.headers.get("ETag") ?? "";
        } else if (res.status !== 304) failures++;
      }
    };
    await Promise.all([
      ...Array.from({ length: WRITERS }, (_, w) => writer(w)),
      ...Array.from({ length: READERS }, (_, r) => reader(r)),
      ...Array.from({ length: POLLERS }, () => poller()),
    ]);
    const span = SECONDS * 1000;
    const first = samples.filter((s) => s.at < span / 3).map((s) => s.ms);
    const last = samples.filter((s) => s.at >= (2 * span) / 3).map((s) => s.ms);
    let lost = 0;
    for (const [key, seq] of acked) {
      const [namespace, name] = key.split("/");
      const stored = await store.get("HTTPRoute", namespace, name);
      if (stored?.metadata.annotations?.seq !== String(seq)) lost++;
    }
    const [p99First, p99Last] = [p99(first), p99(last)];
    console.log(
      `soak server: cases tried ${writes} writes + ${reads} reads + ${polls} long-polls (${blobChanges} blob changes seen), ` +
        `failures ${failures}, lost writes ${lost}, p99 first third ${p99First.toFixed(1)} ms, ` +
        `last third ${p99Last.toFixed(1)} ms`,
    );
    assertEquals(failures, 0);
    assertEquals(lost, 0, "acknowledged writes not stored as acknowledged");
    assert(writes > 0 && blobChanges > 0, "the load did not reach the server");
    assert(
      p99Last < 5 * p99First + 50,
      `p99 grew from ${p99First.toFixed(1)} ms to ${p99Last.toFixed(1)} ms`,
    );
  });
});
