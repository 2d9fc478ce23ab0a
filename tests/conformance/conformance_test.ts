// The conformance-style suite: one folder per scenario, written from the Gateway API spec text and
// the behaviour the upstream conformance tests (kubernetes-sigs/gateway-api, conformance/tests/)
// check, in our own words. docs/conformance.md lists every scenario.
//
// A folder holds:
//   README.md       which upstream test it mirrors and what it checks; optionally a section
//                   "## Rules not exercised" listing `ns/name rule N` entries with the reason
//   resources.yaml  Namespaces, Gateways, Services, ReferenceGrants, HTTPRoutes
//   tests.yaml      requests and expectations in the check-routes TESTS format (docs/route-tests.md)
//   status.yaml     (optional) route status conditions compile() must report
//   split.yaml      (optional) shares of backends and mirrors over many fixed request ids
//
// Every folder must pass: zero failed tests, every compiled rule exercised (or declared in its
// README), every status and split expectation met. A folder in KNOWN_FAILURES documents a real gap
// between wasmroute and the spec: its files say what the spec demands, and the runner requires the
// folder to FAIL, so the suite stays green while the gap stays visible. When the gap is closed the
// folder passes, this runner fails, and the entry must be removed.
import { parse } from "yaml";
import { assert } from "../assert.ts";
import { checkRoutes, parseTests } from "../../tools/check_routes.ts";
import { checkKeys, checkSimRequest, SimInputError } from "../../simulator/mod.ts";
import {
  type CompiledSimulator,
  compileSimulator,
  loadResources,
  simulate,
  type SimulateOptions,
} from "../../tools/simulate.ts";
import { findEnvoy, NO_ENVOY } from "../../simulator/envoy/find_envoy.ts";
import type { SimDecision, SimRequest } from "../../simulator/mod.ts";
import type { KubeObject } from "../../policy-server/model/types.ts";

/** Folder → why it must fail: a real difference between wasmroute and the spec or an upstream test. */
export const KNOWN_FAILURES: Record<string, string> = {};

const ROOT = new URL("./", import.meta.url);

function folders(): string[] {
  return [...Deno.readDirSync(ROOT)].filter((e) => e.isDirectory).map((e) => e.name).sort();
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

async function readText(dir: string, file: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(new URL(`${dir}/${file}`, ROOT));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** A folder's files are malformed: always a suite error, never an expected failure. */
class FolderError extends Error {
  override name = "FolderError";
}

/** `ns/name rule N` entries under the README's "## Rules not exercised" heading. */
function declaredUnexercised(readme: string): string[] {
  const section = /^## Rules not exercised\s*$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme);
  if (!section) return [];
  return [...section[1].matchAll(/^- `([^`]+ rule \d+)`/gm)].map((m) => m[1]).sort();
}

// --- status.yaml --------------------------------------------------------------------------------

interface StatusExpectation {
  route: string;
  parent: number;
  type: string;
  /** "absent": the condition must not be set. */
  status: "True" | "False" | "absent";
  reason?: string;
  messagePrefix?: string;
}

const STATUS_KEYS = ["route", "parent", "type", "status", "reason", "messagePrefix"];

function parseStatus(text: string): StatusExpectation[] {
  const doc = parse(text) as unknown;
  if (!isRecord(doc) || !Array.isArray(doc.status) || doc.status.length === 0) {
    throw new FolderError("status.yaml: expected a non-empty list under status");
  }
  return doc.status.map((e: unknown, i: number) => {
    const at = `status.yaml: status[${i}]`;
    if (!isRecord(e)) throw new FolderError(`${at}: expected an object`);
    try {
      checkKeys(e, STATUS_KEYS, at);
    } catch (error) {
      throw new FolderError((error as Error).message);
    }
    if (typeof e.route !== "string" || !/^[^/\s]+\/[^/\s]+$/.test(e.route)) {
      throw new FolderError(`${at}.route: expected "namespace/name"`);
    }
    if (!Number.isInteger(e.parent) || (e.parent as number) < 0) {
      throw new FolderError(`${at}.parent: expected a parentRef index`);
    }
    if (typeof e.type !== "string") throw new FolderError(`${at}.type: expected a condition type`);
    if (!["True", "False", "absent"].includes(e.status as string)) {
      throw new FolderError(`${at}.status: expected "True", "False" or "absent"`);
    }
    for (const key of ["reason", "messagePrefix"]) {
      if (e[key] !== undefined && typeof e[key] !== "string") {
        throw new FolderError(`${at}.${key}: expected a string`);
      }
    }
    return e as unknown as StatusExpectation;
  });
}

function checkStatus(sim: CompiledSimulator, expectations: StatusExpectation[]): string[] {
  const problems: string[] = [];
  for (const e of expectations) {
    const where = `status ${e.route} parent ${e.parent} ${e.type}`;
    const route = sim.compiled.statuses.find((s) => s.route === e.route);
    if (!route) {
      problems.push(`${where}: the compiler reported no status for this route`);
      continue;
    }
    const parent = route.parents[e.parent];
    if (!parent) {
      problems.push(`${where}: the route has ${route.parents.length} parent status(es)`);
      continue;
    }
    const c = parent.conditions.find((c) => c.type === e.type);
    if (e.status === "absent") {
      if (c) problems.push(`${where}: expected no such condition, got ${c.status} (${c.reason})`);
      continue;
    }
    if (!c) {
      const have = parent.conditions.map((c) => `${c.type}=${c.status} (${c.reason})`).join(", ");
      problems.push(
        `${where}: expected ${e.status}${e.reason ? ` (${e.reason})` : ""}, no such condition; have ${have}`,
      );
      continue;
    }
    if (c.status !== e.status || (e.reason !== undefined && c.reason !== e.reason)) {
      problems.push(
        `${where}: expected ${e.status}${
          e.reason ? ` (${e.reason})` : ""
        }, got ${c.status} (${c.reason}): ${c.message}`,
      );
    }
    if (e.messagePrefix !== undefined && !c.message.startsWith(e.messagePrefix)) {
      problems.push(`${where}: expected a message starting "${e.messagePrefix}", got "${c.message}"`);
    }
  }
  return problems;
}

// --- split.yaml ---------------------------------------------------------------------------------

interface SplitExpectation {
  request: ReturnType<typeof checkSimRequest>;
  idPrefix: string;
  count: number;
  /** backend (`ns/svc:port`) → expected share of the requests; every backend seen must be listed. */
  shares: Record<string, number>;
  /** mirror backend → expected share of requests copied to it. */
  mirrored?: Record<string, number>;
  tolerance: number;
}

const SPLIT_KEYS = ["request", "idPrefix", "count", "shares", "mirrored", "tolerance"];

function shareMap(v: unknown, at: string): Record<string, number> {
  if (!isRecord(v) || Object.keys(v).length === 0) throw new FolderError(`${at}: expected {backend: share}`);
  for (const [k, share] of Object.entries(v)) {
    if (typeof share !== "number" || share < 0 || share > 1) {
      throw new FolderError(`${at}.${k}: expected 0 … 1`);
    }
  }
  return v as Record<string, number>;
}

function parseSplit(text: string): SplitExpectation[] {
  const doc = parse(text) as unknown;
  if (!isRecord(doc) || !Array.isArray(doc.split) || doc.split.length === 0) {
    throw new FolderError("split.yaml: expected a non-empty list under split");
  }
  return doc.split.map((e: unknown, i: number) => {
    const at = `split.yaml: split[${i}]`;
    if (!isRecord(e)) throw new FolderError(`${at}: expected an object`);
    try {
      checkKeys(e, SPLIT_KEYS, at);
      const request = checkSimRequest(e.request, `${at}.request`);
      if (typeof e.idPrefix !== "string" || e.idPrefix === "") {
        throw new FolderError(`${at}.idPrefix: expected a string`);
      }
      if (!Number.isInteger(e.count) || (e.count as number) < 1) {
        throw new FolderError(`${at}.count: expected a count`);
      }
      if (typeof e.tolerance !== "number" || e.tolerance < 0) {
        throw new FolderError(`${at}.tolerance: expected a number`);
      }
      return {
        request,
        idPrefix: e.idPrefix,
        count: e.count as number,
        shares: shareMap(e.shares, `${at}.shares`),
        ...(e.mirrored !== undefined && { mirrored: shareMap(e.mirrored, `${at}.mirrored`) }),
        tolerance: e.tolerance,
      };
    } catch (error) {
      if (error instanceof SimInputError) throw new FolderError(error.message);
      throw error;
    }
  });
}

async function checkSplit(
  decideAll: (requests: SimRequest[]) => Promise<SimDecision[]>,
  splits: SplitExpectation[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, s] of splits.entries()) {
    const backends = new Map<string, number>();
    const mirrors = new Map<string, number>();
    const requests = Array.from({ length: s.count }, (_, n) => ({
      ...s.request,
      headers: {
        ...(s.request.headers as Record<string, string> ?? {}),
        "x-request-id": `${s.idPrefix}${n}`,
      },
    }));
    for (const d of await decideAll(requests)) {
      const key = d.backend ?? `none (status ${d.status})`;
      backends.set(key, (backends.get(key) ?? 0) + 1);
      for (const m of new Set(d.mirroredTo)) mirrors.set(m, (mirrors.get(m) ?? 0) + 1);
    }
    const share = (n: number | undefined) => (n ?? 0) / s.count;
    const fmt = (m: Map<string, number>) =>
      [...m].map(([k, n]) => `${k} ${(share(n) * 100).toFixed(1)}%`).join(", ") || "nothing";
    const off = (want: number, got: number) => Math.abs(want - got) > s.tolerance + 1e-9;
    for (const [backend, want] of Object.entries(s.shares)) {
      if (off(want, share(backends.get(backend)))) {
        problems.push(`split[${i}]: expected ${backend} near ${want * 100}%, got ${fmt(backends)}`);
      }
    }
    for (const [backend, n] of backends) {
      if (!(backend in s.shares)) {
        problems.push(`split[${i}]: unexpected ${backend} for ${(share(n) * 100).toFixed(1)}%`);
      }
    }
    for (const [mirror, want] of Object.entries(s.mirrored ?? {})) {
      if (off(want, share(mirrors.get(mirror)))) {
        problems.push(`split[${i}]: expected ${mirror} mirrored near ${want * 100}%, got ${fmt(mirrors)}`);
      }
    }
  }
  return problems;
}

// --- one folder ---------------------------------------------------------------------------------

/** Everything wrong with a folder's scenario, one line each; empty when it passes. */
async function runFolder(dir: string, options: SimulateOptions = {}): Promise<string[]> {
  const readme = await readText(dir, "README.md");
  const testsText = await readText(dir, "tests.yaml");
  if (readme === undefined) throw new FolderError("README.md is missing");
  if (!/mirrors/i.test(readme)) {
    throw new FolderError("README.md must say which upstream test the folder mirrors");
  }
  if (testsText === undefined) throw new FolderError("tests.yaml is missing");
  if (await readText(dir, "resources.yaml") === undefined) throw new FolderError("resources.yaml is missing");
  try {
    parseTests(testsText);
  } catch (error) {
    throw new FolderError(`tests.yaml: ${(error as Error).message}`);
  }
  const statusText = await readText(dir, "status.yaml");
  const splitText = await readText(dir, "split.yaml");
  const statusExpectations = statusText === undefined ? [] : parseStatus(statusText);
  const splits = splitText === undefined ? [] : parseSplit(splitText);

  let resources: KubeObject[];
  try {
    resources = await loadResources(new URL(`${dir}/resources.yaml`, ROOT).pathname);
  } catch (error) {
    throw new FolderError((error as Error).message);
  }

  const problems: string[] = [];
  let report;
  try {
    report = await checkRoutes(resources, testsText, options);
  } catch (error) {
    // The policy server refusing the resources (an HTTPRoute it calls invalid) is a finding, not a
    // malformed folder: the resources are what the spec allows.
    if (error instanceof SimInputError) return [`the policy server refuses the resources: ${error.message}`];
    throw error;
  }
  for (const r of report.results.filter((r) => !r.passed)) {
    problems.push(`FAIL ${r.name}: ${r.failures.join("; ")}`);
  }
  const declared = declaredUnexercised(readme);
  const unexercised = [...report.unexercised].sort();
  for (const u of unexercised.filter((u) => !declared.includes(u))) {
    problems.push(`rule not exercised by any test (and not declared in README.md): ${u}`);
  }
  for (const d of declared.filter((d) => !unexercised.includes(d))) {
    problems.push(`README.md declares ${d} unexercised, but a test reaches it or it does not exist`);
  }

  if (statusExpectations.length || splits.length) {
    const sim = await compileSimulator(resources);
    const decideAll = options.host === "envoy"
      ? (requests: SimRequest[]) => simulate(resources, requests, options)
      : (requests: SimRequest[]) => Promise.resolve(requests.map((r) => sim.simulator.decide(r)));
    problems.push(...checkStatus(sim, statusExpectations), ...await checkSplit(decideAll, splits));
  }
  return problems;
}

Deno.test("conformance scenarios (tests/conformance/*)", async (t) => {
  const dirs = folders();
  assert(dirs.length > 0, "no scenario folders");
  for (const known of Object.keys(KNOWN_FAILURES)) {
    assert(dirs.includes(known), `KNOWN_FAILURES names ${known}, which is not a folder`);
  }
  for (const dir of dirs) {
    const known = KNOWN_FAILURES[dir];
    await t.step(known ? `${dir} (known failure)` : dir, async () => {
      const problems = await runFolder(dir);
      if (known) {
        assert(
          problems.length > 0,
          `${dir} now passes: the gap is closed, remove it from KNOWN_FAILURES (it was: ${known})`,
        );
        console.log(`  known failure ${dir}: ${known}\n    ${problems.slice(0, 3).join("\n    ")}`);
      } else {
        assert(problems.length === 0, `${dir}:\n  ${problems.join("\n  ")}`);
      }
    });
  }
});

const envoy = await findEnvoy();
if (!envoy) console.log(NO_ENVOY);

Deno.test({
  name: "conformance scenarios (tests/conformance/*) in a real Envoy",
  ignore: !envoy,
  fn: async (t) => {
    let passed = 0;
    const dirs = folders();
    for (const dir of dirs) {
      const known = KNOWN_FAILURES[dir];
      await t.step(known ? `${dir} (known failure)` : dir, async () => {
        const problems = await runFolder(dir, { host: "envoy", envoy });
        if (known) {
          return assert(problems.length > 0, `${dir} now passes in Envoy: remove it from KNOWN_FAILURES`);
        }
        assert(problems.length === 0, `${dir} in Envoy:\n  ${problems.join("\n  ")}`);
        passed++;
      });
    }
    console.log(`conformance in Envoy: ${passed} of ${dirs.length} folders pass`);
  },
});
