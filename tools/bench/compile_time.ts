/**
 * 4. Compile time: the whole table from scratch, and again after one HTTPRoute changed (what the
 * policy server does on every write: `compile` has no incremental path, so it is a full compile of
 * the changed set), split into the pipeline's stages.
 *
 * @module
 */
import { compile, sha256Hex } from "../../policy-server/compile/mod.ts";
import { encodeBlob, packBlob } from "../../policy-server/blob/mod.ts";
import { PACK_LEVEL } from "../../policy-server/blob/pack_blob.ts";
import { buildIr } from "../../policy-server/ir/mod.ts";
import type { HTTPRoute } from "../../policy-server/model/types.ts";
import { generateRoutes } from "./generate_routes.ts";
import { fmt, median, table } from "./measure.ts";

export interface CompileTimeOptions {
  rules: number;
  runs: number;
}

export interface CompileTimeResult {
  options: CompileTimeOptions;
  routes: number;
  /** The very first compile of this table in the process. */
  firstMs: number;
  scratchMs: number[];
  changedMs: number[];
  stages: { buildIr: number[]; encodeBlob: number[]; packBlob: number[]; sha256: number[] };
}

/** `routes` with route `i` changed: its first rule's backend port and path. */
function withOneChange(routes: HTTPRoute[], i: number, run: number): HTTPRoute[] {
  const out = [...routes];
  const route = structuredClone(routes[i]);
  const rule = route.spec.rules![0];
  rule.backendRefs![0].port = 9000 + run;
  const path = rule.matches![0].path!;
  path.value = `${path.value}-v${run}`;
  out[i] = route;
  return out;
}

export async function measureCompileTime(options: CompileTimeOptions): Promise<CompileTimeResult> {
  const { routes } = generateRoutes(options.rules, { seed: 7 });
  const time = async (resources: HTTPRoute[], generation: number) => {
    const t0 = performance.now();
    await compile(resources, { generation });
    return performance.now() - t0;
  };
  const firstMs = await time(routes, 1);
  const scratchMs: number[] = [], changedMs: number[] = [];
  const stages = {
    buildIr: [] as number[],
    encodeBlob: [] as number[],
    packBlob: [] as number[],
    sha256: [] as number[],
  };
  for (let run = 0; run < options.runs; run++) {
    scratchMs.push(await time(routes, 2 + run));
    const i = Math.floor(((run + 0.5) / options.runs) * routes.length);
    changedMs.push(await time(withOneChange(routes, i, run), 100 + run));
    const t0 = performance.now();
    const { table: ir } = buildIr(routes, { generation: 200 + run });
    const t1 = performance.now();
    const raw = encodeBlob(ir);
    const t2 = performance.now();
    const blob = packBlob(raw);
    const t3 = performance.now();
    await sha256Hex(blob);
    const t4 = performance.now();
    stages.buildIr.push(t1 - t0);
    stages.encodeBlob.push(t2 - t1);
    stages.packBlob.push(t3 - t2);
    stages.sha256.push(t4 - t3);
  }
  return { options, routes: routes.length, firstMs, scratchMs, changedMs, stages };
}

export function renderCompileTime(r: CompileTimeResult): string {
  const row = (label: string, ms: number[]) => [
    label,
    fmt(median(ms), 1),
    `${fmt(Math.min(...ms), 1)}–${fmt(Math.max(...ms), 1)}`,
  ];
  return [
    `\`compile(resources, {generation})\` of ${fmt(r.options.rules)} rules (${
      fmt(r.routes)
    } HTTPRoutes, as in the`,
    `hot-path table), median of ${r.options.runs} runs after a first one. *After one route changes* compiles`,
    "the same set with one HTTPRoute's backend port and path changed (a different route each run): `compile`",
    "is a pure function of all stored objects, so the policy server pays this on every write.",
    "",
    table(["", "ms (median)", "runs (ms)"], [
      ["first compile in the process", fmt(r.firstMs, 1), "–"],
      row("from scratch", r.scratchMs),
      row("after one route changes", r.changedMs),
      row("  stage: buildIr (resources → IR)", r.stages.buildIr),
      row("  stage: encodeBlob (IR → blob)", r.stages.encodeBlob),
      row(`  stage: packBlob (DEFLATE at level ${PACK_LEVEL}, section 8)`, r.stages.packBlob),
      row("  stage: SHA-256 of the blob", r.stages.sha256),
    ]),
  ].join("\n");
}
