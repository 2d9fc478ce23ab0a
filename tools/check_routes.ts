/**
 * Route tests, in the spirit of Envoy's `router_check_tool`: a TESTS file lists requests and what
 * should happen to them; each runs through the real filter via {@linkcode simulate}'s machinery.
 * The tool reports each test, then the HTTPRoute rules no test reached, then a summary.
 *
 * ```sh
 * deno task check-routes examples/header-routing/routes.yaml examples/header-routing/tests.yaml
 * ```
 *
 * Exit status: 0 all tests pass, 1 a test failed, 2 bad input (unreadable files, invalid routes,
 * a malformed TESTS file). The format is in docs/route-tests.md.
 *
 * @module
 */
import { explainedRequestOf, explainRequest, explanationLines } from "../policy-server/ir/explain_request.ts";
import { parseArgs } from "node:util";
import { parseDocument } from "yaml";
import type { KubeObject } from "../policy-server/model/types.ts";
import {
  checkKeys,
  checkSimRequest,
  type SimDecision,
  SimInputError,
  type SimRequest,
} from "../simulator/mod.ts";
import {
  compileSimulator,
  loadResources,
  parseResourcesText,
  simulate,
  type SimulateOptions,
} from "./simulate.ts";

/** What a test expects; every field given must hold. */
export interface Expectation {
  /** `namespace/service:port`, or null: the filter picked no backend. */
  backend?: string | null;
  status?: number;
  /** Header → value it must have, or null: it must be absent. Names are case-insensitive. */
  requestHeaders?: Record<string, string | null>;
  responseHeaders?: Record<string, string | null>;
  /** The timeout and retry headers Envoy's router takes from the filter (`x-envoy-max-retries`, …). */
  routerHeaders?: Record<string, string | null>;
  redirectLocation?: string | null;
  rewrittenPath?: string | null;
  rewrittenHost?: string | null;
  /** Exactly these mirror backends, in any order. */
  mirroredTo?: string[];
  passthrough?: boolean;
  /** `namespace/name`, or null: no rule matched. */
  matchedRoute?: string | null;
  matchedRule?: number | null;
}

export interface RouteTest {
  name: string;
  request: SimRequest;
  expect: Expectation;
}

export interface TestResult {
  name: string;
  passed: boolean;
  /** One readable line per expectation that did not hold. */
  failures: string[];
  decision: SimDecision;
  /** For a failed test: why the request went where it went (explanationLines). */
  why?: string[];
}

export interface CheckReport {
  results: TestResult[];
  /** `ns/name rule N` of every compiled rule no test's request matched, in table order. */
  unexercised: string[];
  /** Routes the compiler did not fully accept (such rules answer 500), one line each. */
  notes: string[];
  passed: number;
  failed: number;
}

const TEST_KEYS = ["name", "request", "expect"];
const EXPECT_KEYS = [
  "backend",
  "status",
  "requestHeaders",
  "responseHeaders",
  "routerHeaders",
  "redirectLocation",
  "rewrittenPath",
  "rewrittenHost",
  "mirroredTo",
  "passthrough",
  "matchedRoute",
  "matchedRule",
];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const bad = (where: string, message: string) => new SimInputError(`${where}: ${message}`);

function stringOrNull(v: unknown, where: string): string | null {
  if (v !== null && typeof v !== "string") throw bad(where, "expected a string or null");
  return v;
}

function headerExpectations(v: unknown, where: string): Record<string, string | null> {
  if (!isRecord(v)) throw bad(where, "expected an object of header: value (or null: must be absent)");
  const out: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(v)) {
    out[name.toLowerCase()] = stringOrNull(value, `${where}.${name}`);
  }
  return out;
}

function checkExpectation(v: unknown, where: string): Expectation {
  if (!isRecord(v)) throw bad(where, "expected an object");
  checkKeys(v, EXPECT_KEYS, where);
  if (Object.keys(v).length === 0) throw bad(where, `expected at least one of ${EXPECT_KEYS.join(", ")}`);
  const out: Expectation = {};
  for (
    const key of ["backend", "redirectLocation", "rewrittenPath", "rewrittenHost", "matchedRoute"] as const
  ) {
    if (key in v) out[key] = stringOrNull(v[key], `${where}.${key}`);
  }
  if ("status" in v) {
    if (typeof v.status !== "number" || !Number.isInteger(v.status)) {
      throw bad(`${where}.status`, "expected a number");
    }
    out.status = v.status;
  }
  if ("matchedRule" in v) {
    if (v.matchedRule !== null && (typeof v.matchedRule !== "number" || !Number.isInteger(v.matchedRule))) {
      throw bad(`${where}.matchedRule`, "expected a number or null");
    }
    out.matchedRule = v.matchedRule;
  }
  if ("passthrough" in v) {
    if (typeof v.passthrough !== "boolean") throw bad(`${where}.passthrough`, "expected true or false");
    out.passthrough = v.passthrough;
  }
  if ("mirroredTo" in v) {
    if (!Array.isArray(v.mirroredTo) || v.mirroredTo.some((m) => typeof m !== "string")) {
      throw bad(`${where}.mirroredTo`, "expected a list of strings");
    }
    out.mirroredTo = v.mirroredTo;
  }
  if ("requestHeaders" in v) {
    out.requestHeaders = headerExpectations(v.requestHeaders, `${where}.requestHeaders`);
  }
  if ("responseHeaders" in v) {
    out.responseHeaders = headerExpectations(v.responseHeaders, `${where}.responseHeaders`);
  }
  if ("routerHeaders" in v) out.routerHeaders = headerExpectations(v.routerHeaders, `${where}.routerHeaders`);
  return out;
}

/**
 * Parses and checks a TESTS document strictly: unknown fields and wrong types are errors.
 *
 * @throws {SimInputError} one line naming the field, e.g. `tests[2].expect.status: expected a number`.
 */
export function parseTests(text: string): RouteTest[] {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const at = problem.linePos ? ` at line ${problem.linePos[0].line}, column ${problem.linePos[0].col}` : "";
    throw new SimInputError(
      `invalid YAML${at}: ${problem.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  const root = doc.toJS({ maxAliasCount: 16 }) as unknown;
  if (!isRecord(root)) throw new SimInputError("expected a mapping with a tests list");
  checkKeys(root, ["tests"], "");
  if (!Array.isArray(root.tests)) {
    throw bad("tests", root.tests === undefined ? "required" : "expected a list");
  }
  if (root.tests.length === 0) throw bad("tests", "expected at least one test");
  const names = new Set<string>();
  return root.tests.map((t: unknown, i: number) => {
    const where = `tests[${i}]`;
    if (!isRecord(t)) throw bad(where, "expected an object with name, request and expect");
    checkKeys(t, TEST_KEYS, where);
    for (const key of TEST_KEYS) if (t[key] === undefined) throw bad(`${where}.${key}`, "required");
    if (typeof t.name !== "string" || t.name.trim() === "") throw bad(`${where}.name`, "expected a string");
    if (names.has(t.name)) throw bad(`${where}.name`, `duplicate test name "${t.name}"`);
    names.add(t.name);
    return {
      name: t.name,
      request: checkSimRequest(t.request, `${where}.request`),
      expect: checkExpectation(t.expect, `${where}.expect`),
    };
  });
}

const show = (v: string | number | boolean | null | undefined) =>
  v === null || v === undefined ? "none" : typeof v === "string" ? v : String(v);
const quote = (v: string | undefined) => (v === undefined ? "absent" : JSON.stringify(v));

/** Every expectation of `expect` that `d` does not meet, one readable line each. */
/**
 * In a real Envoy the router consumes the timeout and retry headers and announces the timeout it
 * applies upstream as `x-envoy-expected-rq-timeout-ms`: the per-try timeout when it is shorter than
 * the request's (or the request's is 0, disabled), else the request's. The retry headers leave no
 * trace a backend sees.
 */
export function envoyRouterView(
  router: Record<string, string | null> | undefined,
): Record<string, string | null> | undefined {
  if (!router) return undefined;
  const ms = (name: string) => router[name] == null ? 0 : Number(router[name]);
  const total = ms("x-envoy-upstream-rq-timeout-ms");
  const perTry = ms("x-envoy-upstream-rq-per-try-timeout-ms");
  const applied = perTry > 0 && (total === 0 || perTry < total) ? perTry : total;
  return { "x-envoy-expected-rq-timeout-ms": applied > 0 ? String(applied) : null };
}

export function compareDecision(expect: Expectation, d: SimDecision): string[] {
  const failures: string[] = [];
  const scalar = (
    label: string,
    want: string | number | boolean | null,
    got: string | number | boolean | null | undefined,
  ) => {
    if (want !== (got ?? null)) failures.push(`expected ${label} ${show(want)}, got ${show(got)}`);
  };
  if (expect.backend !== undefined && expect.backend !== d.backend) {
    // Say why there is no backend: that is what a reader needs next.
    const why = d.passthrough
      ? " (passed through: no route is attached to this host)"
      : d.backend === null
      ? ` (local reply ${d.status})`
      : "";
    failures.push(`expected backend ${show(expect.backend)}, got ${show(d.backend)}${why}`);
  }
  if (expect.status !== undefined) scalar("status", expect.status, d.status);
  if (expect.passthrough !== undefined) scalar("passthrough", expect.passthrough, d.passthrough ?? false);
  if (expect.matchedRoute !== undefined) scalar("matchedRoute", expect.matchedRoute, d.matchedRoute);
  if (expect.matchedRule !== undefined) scalar("matchedRule", expect.matchedRule, d.matchedRule);
  if (expect.redirectLocation !== undefined) {
    scalar("redirectLocation", expect.redirectLocation, d.redirectLocation);
  }
  if (expect.rewrittenPath !== undefined) scalar("rewrittenPath", expect.rewrittenPath, d.rewrittenPath);
  if (expect.rewrittenHost !== undefined) scalar("rewrittenHost", expect.rewrittenHost, d.rewrittenHost);
  if (expect.mirroredTo !== undefined) {
    const want = [...expect.mirroredTo].sort(), got = [...d.mirroredTo].sort();
    if (want.join("\n") !== got.join("\n")) {
      failures.push(`expected mirroredTo [${want.join(", ")}], got [${got.join(", ")}]`);
    }
  }
  const headers = (
    side: string,
    want: Record<string, string | null> | undefined,
    got: Record<string, string>,
  ) => {
    for (const [name, value] of Object.entries(want ?? {})) {
      const actual = got[name];
      if (value === null ? actual !== undefined : actual !== value) {
        failures.push(
          `expected ${side} header ${name} ${value === null ? "absent" : `= ${JSON.stringify(value)}`}, got ${
            quote(actual)
          }`,
        );
      }
    }
  };
  headers("request", expect.requestHeaders, d.requestHeaders);
  headers("response", expect.responseHeaders, d.responseHeaders);
  headers(
    "router",
    d.envoyRouter ? envoyRouterView(expect.routerHeaders) : expect.routerHeaders,
    d.routerHeaders ?? {},
  );
  if (failures.length && d.error) failures.push(d.error);
  return failures;
}

/**
 * Runs the tests of `testsText` against routes (YAML/JSON text, or parsed objects).
 *
 * @throws {SimInputError} for unreadable routes or a malformed TESTS document.
 */
export async function checkRoutes(
  routes: string | object[],
  testsText: string,
  options: SimulateOptions = {},
): Promise<CheckReport> {
  const tests = parseTests(testsText);
  const resources = typeof routes === "string"
    ? parseResourcesText(routes, "routes")
    : routes as KubeObject[];
  return await runTests(resources, tests, options);
}

async function runTests(
  resources: KubeObject[],
  tests: RouteTest[],
  options: SimulateOptions = {},
): Promise<CheckReport> {
  const { compiled, simulator } = await compileSimulator(resources);
  // In Envoy the requests run in one Envoy, in order (simulate); here, one filter instance.
  const decisions = options.host === "envoy"
    ? await simulate(resources, tests.map((t) => t.request), options)
    : tests.map((t) => simulator.decide(t.request));
  const results = tests.map((t, i): TestResult => {
    const decision = decisions[i];
    const failures = compareDecision(t.expect, decision);
    const why = failures.length
      ? explanationLines(explainRequest(compiled.table, explainedRequestOf(t.request)))
      : undefined;
    return { name: t.name, passed: failures.length === 0, failures, decision, ...(why && { why }) };
  });

  const exercised = new Set(
    results.filter((r) => r.decision.matchedRoute !== undefined).map((r) =>
      `${r.decision.matchedRoute} rule ${r.decision.matchedRule}`
    ),
  );
  const rules: string[] = [];
  for (const vh of compiled.table.vhosts) {
    for (const entry of vh.routes) {
      const id = `${entry.action.route} rule ${entry.action.rule}`;
      if (!rules.includes(id)) rules.push(id);
    }
  }
  const notes: string[] = [];
  for (const status of compiled.statuses) {
    const seen = new Set<string>();
    for (const parent of status.parents) {
      for (const c of parent.conditions) {
        const line = `${status.route}: ${c.type}=${c.status} (${c.reason}): ${c.message}`;
        if (c.status === "False" && !seen.has(line)) {
          seen.add(line);
          notes.push(line);
        }
      }
    }
  }
  const passed = results.filter((r) => r.passed).length;
  return {
    results,
    unexercised: rules.filter((r) => !exercised.has(r)),
    notes,
    passed,
    failed: results.length - passed,
  };
}

/** The report as the CLI prints it. */
export function formatReport(report: CheckReport, options: { details?: boolean } = {}): string {
  const lines: string[] = [];
  for (const r of report.results) {
    lines.push(r.passed ? `PASS ${r.name}` : `FAIL ${r.name}: ${r.failures.join("; ")}`);
    for (const line of r.why ?? []) lines.push(`  why: ${line.trimStart()}`);
    if (options.details) lines.push(`  ${JSON.stringify(r.decision)}`);
  }
  for (const n of report.notes) lines.push(`NOTE ${n}`);
  if (report.unexercised.length) {
    lines.push("Rules no test exercised:");
    for (const u of report.unexercised) lines.push(`  ${u}`);
  }
  const total = report.passed + report.failed;
  const coverage = report.unexercised.length
    ? `${report.unexercised.length} rule${report.unexercised.length === 1 ? "" : "s"} not exercised`
    : "every rule exercised";
  lines.push(`${report.passed}/${total} passed, ${report.failed} failed; ${coverage}`);
  return lines.join("\n");
}

export const USAGE =
  `Usage: deno task check-routes [--details] [--fail-unexercised] [--host emulator|envoy] ROUTES TESTS

Runs the requests of TESTS through the real filter with the rule table compiled from ROUTES and
checks what happened against each test's expectations (docs/route-tests.md).

  ROUTES               HTTPRoutes: a YAML/JSON file, or a directory of them
  TESTS                YAML: tests: [{name, request: {method, host, path, headers, ...}, expect: {...}}]
  --details            print each decision as JSON under its test
  --fail-unexercised   also exit 1 when a rule is exercised by no test
  --host emulator|envoy  where the filter runs: the in-repo proxy-wasm host (default) or a real Envoy
                       configured as Istio configures it (tools/ensure_envoy.sh installs one)
  --envoy <path>       the Envoy binary for --host envoy (default: WASMROUTE_ENVOY, .envoy/, PATH)
  --help               this text

Exit status: 0 all tests pass, 1 a test failed, 2 bad input.`;

/** The CLI; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const fail = (message: string) => {
    console.error(`check-routes: ${message}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        details: { type: "boolean" },
        "fail-unexercised": { type: "boolean" },
        host: { type: "string" },
        envoy: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    return fail(`${(error as Error).message.split(". ")[0]} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 2) return fail("expected two arguments, ROUTES and TESTS (see --help)");
  if (values.host !== undefined && values.host !== "emulator" && values.host !== "envoy") {
    return fail(`--host "${values.host}": expected emulator or envoy`);
  }
  const host = (values.host ?? "emulator") as "emulator" | "envoy";
  const [routesPath, testsPath] = positionals;
  let report: CheckReport;
  try {
    const resources = await loadResources(routesPath);
    let testsText: string;
    try {
      testsText = await Deno.readTextFile(testsPath);
    } catch (error) {
      throw new SimInputError(
        `${testsPath}: ${error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message}`,
      );
    }
    let tests: RouteTest[];
    try {
      tests = parseTests(testsText);
    } catch (error) {
      throw new SimInputError(`${testsPath}: ${(error as Error).message}`);
    }
    report = await runTests(resources, tests, { host, envoy: values.envoy });
  } catch (error) {
    if (error instanceof SimInputError) return fail(error.message);
    throw error;
  }
  console.log(formatReport(report, { details: values.details }));
  if (report.failed > 0) return 1;
  return values["fail-unexercised"] && report.unexercised.length ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
