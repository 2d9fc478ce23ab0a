/**
 * Runs a scenario — the JSON that pwhost (the reference host built on proxy-wasm-cpp-host) reads —
 * and returns the same report, field for field, so the two hosts can be compared. The format is
 * described in `docs/scenario-format.md`.
 *
 * Relative paths (`wasm`, `{"file": ...}` configurations) resolve against `baseDir`, which
 * defaults to the working directory as in pwhost.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import { type ConfigSource, parseScenario, type Scenario, ScenarioError } from "./parse_scenario.ts";
import { ProxyWasmHost } from "./proxy_wasm_host.ts";
import {
  DATA_STATUS,
  type FailState,
  type Headers,
  type HeadersStatus,
  type HttpCallRecord,
  type LocalReply,
  type LogRecord,
  newStreamRecord,
} from "./types.ts";
import { asciiLower, stringToBytes } from "./_text.ts";

/** A plugin configuration attempt (initial plugin or `configure` step). */
export interface PluginReport {
  name: string;
  configBytes: number;
  accepted: boolean;
  configureMicros: number;
  errors: string[];
}

/** A request that ran through the filter. */
export interface RequestReport {
  requestHeadersStatus: HeadersStatus;
  /** cpp-host `FilterDataStatus` number; present when the request had a body and no local reply. */
  requestBodyStatus?: number;
  /** Present when `proxy_on_response_headers` ran. */
  responseHeadersStatus?: HeadersStatus;
  requestHeaders: Headers;
  responseHeaders: Headers;
  localReply: LocalReply | null;
  requestContinued: boolean;
  routeCacheClears: number;
  requestHeaderMutations: number;
  httpCalls: HttpCallRecord[];
  filterStateCalls: number;
  vmFailState: FailState;
  filterRan: true;
  /** Present when the VM failed: what Envoy does with this and later requests. */
  failAction?: string;
  nanos: number;
  errors: string[];
  logs: LogRecord[];
}

/** A request that skipped the filter because its VM failed earlier (FAIL_CLOSE / FAIL_OPEN). */
export interface SkippedReport {
  vmFailState: "RuntimeError";
  filterRan: false;
  failAction: string;
}

/** One report entry per scenario step. */
export type StepReport =
  | RequestReport
  | SkippedReport
  | { configure: string; accepted: boolean }
  | { error: string };

/** pwhost's report. */
export interface Report {
  plugins: PluginReport[];
  steps: StepReport[];
  /** Metric values by name. */
  metrics: Record<string, number>;
  /** Every error, in order. */
  errors: string[];
  /** 2 = ABI 0.2.1; present once a configuration passed its canary. */
  abiVersion?: number;
  timing?: { iterations: number; nanosPerRequest: number };
}

/** Options of {@linkcode runScenario}. */
export interface RunOptions {
  /** Directory relative paths resolve against (default: the working directory, as pwhost). */
  baseDir?: string;
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes base64 leniently, skipping anything outside the alphabet (as pwhost does). */
function decodeBase64(text: string): Uint8Array {
  const out: number[] = [];
  let value = 0, bits = -8;
  for (const c of text) {
    const i = base64Alphabet.indexOf(c);
    if (i < 0) continue;
    value = ((value << 6) | i) & 0xffffff;
    bits += 6;
    if (bits >= 0) {
      out.push((value >> bits) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** Reads a file a scenario names, relative to `baseDir`. */
export async function readScenarioFile(path: string, baseDir: string, field: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(isAbsolute(path) ? path : join(baseDir, path));
  } catch (err) {
    throw new ScenarioError(field, `cannot read "${path}": ${(err as Error).message}`);
  }
}

/** The bytes of a configuration (`field` names it in errors). */
export async function configSourceBytes(
  source: ConfigSource,
  baseDir: string,
  field: string,
): Promise<Uint8Array> {
  if ("text" in source) return stringToBytes(source.text);
  if ("base64" in source) return decodeBase64(source.base64);
  return await readScenarioFile(source.file, baseDir, `${field}.file`);
}

function lower(headers: Headers): Headers {
  return headers.map(([k, v]) => [asciiLower(k), v]);
}

/**
 * Runs `scenario` (parsed JSON) and returns pwhost's report.
 *
 * @throws {ScenarioError} for an invalid scenario or an unreadable file.
 *
 * @example
 * ```ts ignore
 * import { runScenario } from "./run_scenario.ts";
 * const scenario = JSON.parse(await Deno.readTextFile("scenario.json"));
 * const report = await runScenario(scenario, { baseDir: "." });
 * console.log(report.steps[0]);
 * ```
 */
export async function runScenario(scenario: unknown, options: RunOptions = {}): Promise<Report> {
  const s: Scenario = parseScenario(scenario);
  const baseDir = options.baseDir ?? Deno.cwd();
  const bytes = (source: ConfigSource, field: string) => configSourceBytes(source, baseDir, field);

  const code = await readScenarioFile(s.wasm, baseDir, "wasm");
  // Resolve every configuration up front, so an unreadable file fails before anything runs.
  const pluginConfigs = await Promise.all(s.plugins.map((p, i) => bytes(p.config, `plugins[${i}].config`)));
  const stepConfigs = await Promise.all(
    s.steps.map((step, i) =>
      step.kind === "configure" ? bytes(step.configure.config, `steps[${i}].configure.config`) : undefined
    ),
  );
  const host = new ProxyWasmHost({
    code,
    vmConfiguration: await bytes(s.vmConfig, "vmConfig"),
    failStrategy: s.failStrategy,
    properties: s.properties,
  });
  const { state } = host;

  const plugins: PluginReport[] = s.plugins.map((p, i) =>
    host.configure({ name: p.name, rootId: p.rootId, configuration: pluginConfigs[i] })
  );

  const steps: StepReport[] = [];
  s.steps.forEach((step, i) => {
    if (step.kind === "configure") {
      const { name, rootId } = step.configure;
      const result = host.configure({ name, rootId, configuration: stepConfigs[i] });
      plugins.push(result);
      steps.push({ configure: result.name, accepted: result.accepted });
      return;
    }
    const rec = newStreamRecord();
    rec.requestHeaders = lower(step.requestHeaders);
    rec.responseHeaders = lower(step.responseHeaders ?? []);
    rec.requestBody = stringToBytes(step.requestBody ?? "");
    rec.responseBody = stringToBytes(step.responseBody ?? "");
    const hasRequestBody = step.requestBody !== undefined;
    const opened = host.openStream(step.plugin, rec);
    if (opened.kind === "error") return steps.push({ error: opened.error });
    if (opened.kind === "skipped") {
      return steps.push({ vmFailState: opened.vmFailState, filterRan: false, failAction: opened.failAction });
    }
    const context = opened.context;
    const errorsBefore = state.errors.length;
    const logsBefore = state.logs.length;
    state.current = rec;
    const t0 = performance.now();
    context.onCreate();
    context.inRequestPhase = true;
    const requestHeadersStatus = context.onRequestHeaders(rec.requestHeaders.length, !hasRequestBody);
    // Scripted answers go, in order, to the oldest calls still pending (possibly from earlier steps).
    for (const response of step.httpCallResponses) {
      const call = host.takePendingCall();
      if (!call) break;
      host.deliverHttpCallResponse(call, {
        headers: lower(response.headers),
        body: stringToBytes(response.body),
        trailers: null,
      });
    }
    let requestBodyStatus: number | undefined;
    if (hasRequestBody && !rec.localReply) {
      requestBodyStatus = DATA_STATUS.indexOf(context.onRequestBody(rec.requestBody.length, true));
    }
    context.inRequestPhase = false;
    const stopped = requestHeadersStatus !== "Continue" && !rec.requestContinued;
    let responseHeadersStatus: HeadersStatus | undefined;
    if (!rec.localReply && !stopped && step.responseHeaders !== undefined) {
      responseHeadersStatus = context.onResponseHeaders(
        rec.responseHeaders.length,
        step.responseBody === undefined,
      );
    }
    context.onDone();
    context.onLog();
    context.onDelete();
    state.current = null;
    const nanos = Math.floor((performance.now() - t0) * 1e6);
    const vmFailState = context.vm.failState;
    const failAction = host.closeStream(step.plugin, context);
    const out: RequestReport = {
      requestHeadersStatus,
      requestHeaders: rec.requestHeaders,
      responseHeaders: rec.responseHeaders,
      localReply: rec.localReply,
      requestContinued: rec.requestContinued,
      routeCacheClears: rec.routeCacheClears,
      requestHeaderMutations: rec.requestHeaderMutations,
      httpCalls: rec.httpCalls,
      filterStateCalls: rec.filterState.length,
      vmFailState,
      filterRan: true,
      nanos,
      errors: state.errors.slice(errorsBefore),
      logs: state.logs.slice(logsBefore),
    };
    if (requestBodyStatus !== undefined) out.requestBodyStatus = requestBodyStatus;
    if (responseHeadersStatus !== undefined) out.responseHeadersStatus = responseHeadersStatus;
    if (failAction) out.failAction = failAction;
    steps.push(out);
  });

  const report: Report = { plugins, steps, metrics: {}, errors: [] };
  if (s.timing) {
    const nanosPerRequest = host.timeRequests(
      s.timing.plugin,
      lower(s.timing.requestHeaders),
      s.timing.iterations,
    );
    if (nanosPerRequest !== undefined) report.timing = { iterations: s.timing.iterations, nanosPerRequest };
  }
  // After timing, like pwhost: metrics include what the timing requests counted.
  for (const m of [...state.metrics].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    report.metrics[m.name] = Number(m.value);
  }
  report.errors = state.errors.slice();
  if (host.abiVersion !== undefined) report.abiVersion = host.abiVersion;
  return report;
}
