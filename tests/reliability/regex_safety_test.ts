// Regex safety on the server side: hostile patterns POSTed in HTTPRoutes are answered within a
// second — accepted (compiled into a linear-time program) or refused with 422 carrying the engine's
// reason — and never hang the server. The blob served for the accepted ones then runs in the real
// filter (through the in-repo host) on 64 KiB inputs in time linear in the input, deciding as the
// TypeScript reference VM does.
import { assert, assertEquals } from "../assert.ts";
import { compileRegex } from "../../policy-server/regex/compile_regex.ts";
import { matchProgram } from "../../policy-server/regex/match_program.ts";
import { withServer } from "../../policy-server/testing.ts";
import { emulatorOptions, type HostEmulator, newHostEmulator } from "../../simulator/host/mod.ts";
import { FILTER_WASM } from "../../tools/build_filter.ts";
import { decidedCluster } from "../../tools/envoy/render_envoy_config.ts";

function alternation(chars: number): string {
  const words: string[] = [];
  for (let i = 0; words.join("|").length < chars - 2; i++) words.push(`w${i}`);
  return `(${words.join("|")})`;
}

const PATTERNS: { name: string; pattern: string; inputs: (n: number) => string[] }[] = [
  { name: "(a*)*b", pattern: "(a*)*b", inputs: (n) => ["a".repeat(n), "a".repeat(n - 1) + "b"] },
  { name: "(a|aa)*$", pattern: "(a|aa)*$", inputs: (n) => ["a".repeat(n - 1) + "b", "a".repeat(n)] },
  { name: "(a+)+$", pattern: "(a+)+$", inputs: (n) => ["a".repeat(n - 1) + "!", "a".repeat(n)] },
  { name: "(.*a){20}", pattern: "(.*a){20}", inputs: (n) => ["a".repeat(n - 1) + "b", "ba".repeat(n / 2)] },
  {
    name: "1000 nested groups",
    pattern: "(".repeat(1000) + "a*" + ")".repeat(1000),
    inputs: (n) => ["a".repeat(n), "a".repeat(n - 1) + "b"],
  },
  {
    name: "1000 nested non-capturing groups with stars",
    pattern: "(?:".repeat(1000) + "a" + ")*".repeat(1000),
    inputs: (n) => ["a".repeat(n), "a".repeat(n - 1) + "b"],
  },
  { name: "a{1000}{1000}", pattern: "a{1000}{1000}", inputs: (n) => ["a".repeat(n)] },
  { name: "(a{1000}){1000}", pattern: "(a{1000}){1000}", inputs: (n) => ["a".repeat(n)] },
  {
    name: "1024-char alternation",
    pattern: alternation(1024),
    inputs: (n) => ["w".repeat(n), "w1".repeat(n / 2)],
  },
  {
    name: "1024-char alternation, starred",
    pattern: alternation(1024) + "*",
    inputs: (n) => ["w1".repeat(n / 2), "w1".repeat(n / 2 - 1) + "wx"],
  },
];

const route = (i: number, pattern: string) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: `hostile-${i}`, namespace: "re" },
  spec: {
    parentRefs: [{ name: "gateway", namespace: "istio-ingress" }],
    hostnames: [`re-${i}.example.com`],
    rules: [
      {
        matches: [{ headers: [{ type: "RegularExpression", name: "x-hostile", value: pattern }] }],
        backendRefs: [{ name: `hostile-${i}`, port: 80 }],
      },
      { backendRefs: [{ name: "fallback", port: 80 }] },
    ],
  },
});

/** The cluster the filter picks, and the fastest of three runs in milliseconds. */
function decide(host: HostEmulator, authority: string, value: string): { cluster: string; ms: number } {
  let best = Infinity, cluster = "";
  for (let run = 0; run < 3; run++) {
    const id = host.initializeHttpContext();
    const t0 = performance.now();
    host.callOnRequestHeaders(id, [[":method", "GET"], [":path", "/"], [":authority", authority], [
      "x-hostile",
      value,
    ]], true);
    best = Math.min(best, performance.now() - t0);
    cluster = decidedCluster(host.getCurrentRequestHeaders(id)) ?? "";
    host.completeHttpContext(id);
    assertEquals(host.getVmFailState(), "Ok", host.getErrors().at(-1));
  }
  return { cluster, ms: best };
}

Deno.test("regex safety: hostile patterns are accepted or refused within a second, and accepted ones run in linear time in the filter", async () => {
  await withServer(async (base) => {
    const accepted: number[] = [];
    const problems: string[] = [];
    let refused = 0;
    for (const [i, p] of PATTERNS.entries()) {
      const t0 = performance.now();
      const res = await fetch(`${base}/v1/routes`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(route(i, p.pattern)),
      });
      const body = await res.json();
      const ms = performance.now() - t0;
      if (ms >= 1000) problems.push(`${p.name}: answered in ${ms.toFixed(0)} ms`);
      if (res.status === 201) accepted.push(i);
      else if (res.status === 422) {
        refused++;
        const cause = body.details?.causes?.[0];
        if (!cause?.field?.includes("headers[0].value") || !cause.message) {
          problems.push(`${p.name}: 422 without the field and the engine's reason: ${JSON.stringify(body)}`);
        }
      } else problems.push(`${p.name}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      console.log(
        `  ${p.name}: ${res.status} in ${ms.toFixed(1)} ms` +
          (res.status === 422 ? ` (${body.details?.causes?.[0]?.message?.slice(0, 120)})` : ""),
      );
    }
    const health = await fetch(`${base}/healthz`);
    assertEquals(health.status, 200);
    await health.body?.cancel();

    // The served blob, in the real filter.
    const blob = new Uint8Array(await (await fetch(`${base}/v1/blob`)).arrayBuffer());
    const host = newHostEmulator(
      emulatorOptions().withWasm(await Deno.readFile(FILTER_WASM)).withPluginConfiguration(blob),
    );
    assert(host.startPlugin(), host.getErrors().join("\n"));
    let runs = 0;
    for (const i of accepted) {
      const p = PATTERNS[i];
      const program = compileRegex(p.pattern);
      for (const [k, big] of p.inputs(64 * 1024).entries()) {
        const small = p.inputs(8 * 1024)[k];
        const authority = `re-${i}.example.com`;
        const a = decide(host, authority, small), b = decide(host, authority, big);
        runs += 2;
        const want = matchProgram(program, big) ? `hostile-${i}.re` : "fallback.re";
        if (!b.cluster.includes(want)) {
          problems.push(`${p.name} input ${k}: cluster ${b.cluster}, expected ${want}`);
        }
        // Linear: 8× the input may take about 8× the time; allow 3× that, plus noise.
        if (b.ms > 24 * a.ms + 25 || b.ms > 1000) {
          problems.push(
            `${p.name} input ${k}: 8 KiB in ${a.ms.toFixed(2)} ms, 64 KiB in ${b.ms.toFixed(2)} ms`,
          );
        }
        console.log(`  ${p.name} input ${k}: 8 KiB ${a.ms.toFixed(2)} ms, 64 KiB ${b.ms.toFixed(2)} ms`);
      }
    }
    console.log(
      `regex safety: cases tried ${PATTERNS.length} patterns (${accepted.length} accepted, ${refused} refused) + ` +
        `${runs} filter runs, failures ${problems.length}`,
    );
    assertEquals(problems, []);
    assert(accepted.length > 0, "no hostile pattern was accepted: the filter half tested nothing");
  });
});
