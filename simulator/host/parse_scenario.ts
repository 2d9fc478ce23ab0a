/**
 * Validates a scenario (the JSON pwhost reads; `docs/scenario-format.md`) into typed records.
 * Every problem is a {@linkcode ScenarioError} naming the field, e.g.
 * `steps[2].requestHeaders: expected [name, value] pairs`.
 *
 * Stricter than pwhost, on purpose: pwhost silently ignores unknown keys and headers that are
 * neither pairs nor an object, and aborts on wrongly typed values; here both are errors. Keys
 * starting with `_` are free for comments.
 *
 * @module
 */

import type { FailStrategy, Headers } from "./types.ts";

/** A scenario value that was not what the format allows. */
export class ScenarioError extends TypeError {
  /** Path of the bad field, e.g. `steps[2].requestHeaders`. */
  readonly field: string;

  constructor(field: string, detail: string) {
    super(field ? `${field}: ${detail}` : detail);
    this.name = "ScenarioError";
    this.field = field;
  }
}

/** Where configuration bytes come from. */
export type ConfigSource = { text: string } | { base64: string } | { file: string };

/** A plugin configuration in a scenario. */
export interface ScenarioPlugin {
  name: string;
  rootId: string;
  config: ConfigSource;
}

/** A scripted answer to the oldest pending http call. */
export interface ScenarioCallResponse {
  headers: Headers;
  body: string;
}

/** A request run through a fresh stream context. */
export interface RequestStep {
  kind: "request";
  plugin: string;
  requestHeaders: Headers;
  /** Present: `proxy_on_response_headers` runs (unless the request stopped). */
  responseHeaders?: Headers;
  /** Present: the request has a body and `proxy_on_request_body` runs. */
  requestBody?: string;
  responseBody?: string;
  httpCallResponses: ScenarioCallResponse[];
}

/** A plugin configuration update. */
export interface ConfigureStep {
  kind: "configure";
  configure: ScenarioPlugin;
}

/** A validated scenario. */
export interface Scenario {
  wasm: string;
  vmConfig: ConfigSource;
  failStrategy: FailStrategy;
  /** Property values as text (non-string JSON values as their compact JSON). */
  properties: Record<string, string>;
  plugins: ScenarioPlugin[];
  steps: (RequestStep | ConfigureStep)[];
  timing?: { iterations: number; requestHeaders: Headers; plugin: string };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const FAIL_STRATEGIES = ["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"];

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function object(v: unknown, field: string): JsonObject {
  if (!isObject(v)) throw new ScenarioError(field, "expected an object");
  return v;
}

function only(o: JsonObject, field: string, allowed: string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key) && !key.startsWith("_")) {
      throw new ScenarioError(field, `unknown field "${key}" (expected one of ${allowed.join(", ")})`);
    }
  }
}

function string(v: unknown, field: string, fallback?: string): string {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== "string") throw new ScenarioError(field, "expected a string");
  return v;
}

function at(field: string, key: string): string {
  return field ? `${field}.${key}` : key;
}

/**
 * Compact JSON with sorted keys: what pwhost (nlohmann::json `dump()`) makes of a non-string
 * configuration or property value.
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

function config(v: unknown, field: string): ConfigSource {
  if (v === undefined || v === null) return { text: "" };
  if (typeof v === "string") return { text: v };
  if (isObject(v) && "base64" in v) return { base64: string(v.base64, `${field}.base64`) };
  if (isObject(v) && "file" in v) return { file: string(v.file, `${field}.file`) };
  return { text: canonicalJson(v) };
}

function headers(v: unknown, field: string): Headers {
  if (Array.isArray(v)) {
    return v.map((pair, i) => {
      if (
        !Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" ||
        typeof pair[1] !== "string"
      ) {
        throw new ScenarioError(`${field}[${i}]`, "expected a [name, value] pair of strings");
      }
      return [pair[0], pair[1]];
    });
  }
  if (isObject(v)) return Object.entries(v).map(([k, value]) => [k, string(value, `${field}.${k}`)]);
  throw new ScenarioError(field, "expected [name, value] pairs");
}

function plugin(v: unknown, field: string): ScenarioPlugin {
  const o = object(v, field);
  only(o, field, ["name", "rootId", "config"]);
  return {
    name: string(o.name, at(field, "name"), "wasmroute"),
    rootId: string(o.rootId, at(field, "rootId"), ""),
    config: config(o.config, at(field, "config")),
  };
}

function step(v: unknown, field: string): RequestStep | ConfigureStep {
  const o = object(v, field);
  if ("configure" in o) {
    only(o, field, ["configure"]);
    return { kind: "configure", configure: plugin(o.configure, at(field, "configure")) };
  }
  only(o, field, [
    "plugin",
    "requestHeaders",
    "responseHeaders",
    "requestBody",
    "responseBody",
    "httpCallResponses",
  ]);
  const out: RequestStep = {
    kind: "request",
    plugin: string(o.plugin, at(field, "plugin"), "wasmroute"),
    requestHeaders: o.requestHeaders === undefined
      ? []
      : headers(o.requestHeaders, at(field, "requestHeaders")),
    httpCallResponses: [],
  };
  if (o.responseHeaders !== undefined) {
    out.responseHeaders = headers(o.responseHeaders, at(field, "responseHeaders"));
  }
  if (o.requestBody !== undefined) out.requestBody = string(o.requestBody, at(field, "requestBody"));
  if (o.responseBody !== undefined) out.responseBody = string(o.responseBody, at(field, "responseBody"));
  if (o.httpCallResponses !== undefined) {
    const f = at(field, "httpCallResponses");
    if (!Array.isArray(o.httpCallResponses)) throw new ScenarioError(f, "expected an array");
    out.httpCallResponses = o.httpCallResponses.map((r, i) => {
      const rf = `${f}[${i}]`;
      const ro = object(r, rf);
      only(ro, rf, ["headers", "body"]);
      return {
        headers: ro.headers === undefined ? [] : headers(ro.headers, `${rf}.headers`),
        body: string(ro.body, `${rf}.body`, ""),
      };
    });
  }
  return out;
}

function array(v: unknown, field: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ScenarioError(field, "expected an array");
  return v;
}

/**
 * Validates a parsed scenario JSON value.
 *
 * @throws {ScenarioError} naming the first bad field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseScenario } from "./parse_scenario.ts";
 * const s = parseScenario({ wasm: "f.wasm", plugins: [{ config: "x" }], steps: [{ requestHeaders: { a: "1" } }] });
 * assert.equal(s.steps[0].kind, "request");
 * assert.throws(() => parseScenario({ wasm: "f.wasm", steps: [{ requestHeaders: 3 }] }), /steps\[0\]\.requestHeaders: expected \[name, value\] pairs/);
 * ```
 */
export function parseScenario(input: unknown): Scenario {
  const o = object(input, "");
  only(o, "", ["wasm", "vmConfig", "failStrategy", "properties", "plugins", "steps", "timing"]);
  const failStrategy = string(o.failStrategy, "failStrategy", "FAIL_CLOSE");
  if (!FAIL_STRATEGIES.includes(failStrategy)) {
    throw new ScenarioError(
      "failStrategy",
      `expected one of ${FAIL_STRATEGIES.join(", ")}, got "${failStrategy}"`,
    );
  }
  const properties: Record<string, string> = {};
  if (o.properties !== undefined) {
    for (const [k, v] of Object.entries(object(o.properties, "properties"))) {
      properties[k] = typeof v === "string" ? v : canonicalJson(v);
    }
  }
  const scenario: Scenario = {
    wasm: string(o.wasm, "wasm"),
    vmConfig: config(o.vmConfig, "vmConfig"),
    failStrategy: failStrategy as FailStrategy,
    properties,
    plugins: array(o.plugins, "plugins").map((p, i) => plugin(p, `plugins[${i}]`)),
    steps: array(o.steps, "steps").map((s, i) => step(s, `steps[${i}]`)),
  };
  if (o.timing !== undefined) {
    const t = object(o.timing, "timing");
    only(t, "timing", ["iterations", "requestHeaders", "plugin"]);
    const iterations = t.iterations ?? 10000;
    if (!Number.isSafeInteger(iterations) || (iterations as number) < 0) {
      throw new ScenarioError("timing.iterations", "expected a non-negative integer");
    }
    scenario.timing = {
      iterations: iterations as number,
      requestHeaders: t.requestHeaders === undefined
        ? []
        : headers(t.requestHeaders, "timing.requestHeaders"),
      plugin: string(t.plugin, "timing.plugin", "wasmroute"),
    };
  }
  return scenario;
}
