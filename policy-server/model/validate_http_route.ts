/**
 * Field validation of HTTPRoute with the API server's verdicts: the limits and patterns of the
 * Gateway API v1 CRD (standard channel) and its CEL rules (`x-kubernetes-validations`), written
 * out here and marked "CEL" with the CRD's own message, plus what wasmroute's filter needs
 * (regular expressions its engine compiles). Whatever else the CRD's OpenAPI schema says is
 * checked by the schema `@kubernetes-models/gateway-api` generates from it ({@linkcode schemaErrors}).
 *
 * @module
 */
import { tryCompileRegex } from "../regex/compile_regex.ts";
import { FieldChecker, objectsOf } from "./field_checker.ts";
import type { FieldError } from "./resource_error.ts";
import { validateHttpRouteSchema } from "./http_route_schema.ts";
import { withSchemaErrors } from "./schema_errors.ts";
import { GATEWAY_API_V1, GATEWAY_API_V1BETA1 } from "./types.ts";
import { RULES } from "./validate_metadata.ts";
import { validatePreamble } from "./validate_preamble.ts";

/**
 * The apiVersions accepted for HTTPRoute. v1beta1 is still served by Gateway API with a schema
 * identical to v1, so manifests written for it are accepted and stored as v1 (as the API server
 * would convert them to the storage version).
 */
export const HTTP_ROUTE_API_VERSIONS: readonly string[] = [
  GATEWAY_API_V1,
  GATEWAY_API_V1BETA1,
];

/** RFC 7230 `token`: what an HTTP header (and Gateway API query parameter) name may contain. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

const { label, subdomain, group, kind } = RULES;
const token = { required: true, min: 1, max: 256, pattern: TOKEN, patternHint: "an RFC 7230 token" };
const port = { min: 1, max: 65535 };

/** Gateway API `PreciseHostname`: no wildcard. */
const preciseHostname = { ...subdomain, patternHint: "a lowercase hostname without a wildcard" };
/** Gateway API `Duration` (GEP-2257). */
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const duration = {
  pattern: DURATION,
  patternHint: "a Gateway API duration (GEP-2257), e.g. 10s, 1m30s or 500ms",
};
/** CEL: what an Exact or PathPrefix path may contain. */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;
/** Gateway API `CORSOrigin`. */
const CORS_ORIGIN =
  /(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9\-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)/;
const REDIRECT_CODES = [301, 302, 303, 307, 308];

const PATH_TYPES = ["Exact", "PathPrefix", "RegularExpression"] as const;
const MATCH_TYPES = ["Exact", "RegularExpression"] as const;
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"] as const;
/** Filter types of the standard channel, each with the member that carries its configuration. */
const FILTER_FIELDS: Record<string, string> = {
  RequestHeaderModifier: "requestHeaderModifier",
  ResponseHeaderModifier: "responseHeaderModifier",
  RequestMirror: "requestMirror",
  RequestRedirect: "requestRedirect",
  URLRewrite: "urlRewrite",
  ExtensionRef: "extensionRef",
  CORS: "cors",
};
/** CEL: these may appear at most once per filter list. */
const SINGLE_FILTERS = [
  "RequestHeaderModifier",
  "ResponseHeaderModifier",
  "RequestRedirect",
  "URLRewrite",
  "CORS",
];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
/** CEL's `has()`: present and not null (null members are dropped by the API server). */
const has = (obj: Json, key: string) => obj[key] !== undefined && obj[key] !== null;
const objects = (v: unknown): Json[] => Array.isArray(v) ? v.filter(isObject) : [];
/** CEL's `exists_one`. */
const exactlyOne = <T>(items: T[], test: (item: T) => boolean) => items.filter(test).length === 1;

/** A CEL rule's failure, worded as the API server words it: at the node that carries the rule. */
function cel(check: FieldChecker, field: string, message: string, type = "object"): void {
  check.add(field, "FieldValueInvalid", `Invalid value: "${type}": ${message}`);
}

/**
 * Validates one HTTPRoute (any object whose kind is HTTPRoute) and returns every problem found, each
 * with its field path, e.g. `spec.rules[0].backendRefs[1].port`. An empty list means valid.
 * `metadata.namespace` may be absent (the caller defaults it).
 */
export function validateHttpRoute(obj: unknown): FieldError[] {
  const check = new FieldChecker();
  const route = validatePreamble(check, obj, {
    apiVersions: HTTP_ROUTE_API_VERSIONS,
    kind: "HTTPRoute",
    name: subdomain,
    namespaced: true,
  });
  if (!route) return check.errors;
  const spec = check.object(route.spec, "spec", true);
  if (spec) validateSpec(check, spec);
  // The v1 schema serves v1beta1 too (they are identical); apiVersion itself was checked above.
  // Status is the server's (a subresource the API server ignores on writes), so it is not judged.
  const { status: _status, ...written } = route;
  const asV1 = { ...written, apiVersion: GATEWAY_API_V1 };
  return withSchemaErrors(check.errors, validateHttpRouteSchema, asV1);
}

function validateSpec(check: FieldChecker, spec: Record<string, unknown>): void {
  // Gateway API allows no parentRefs; a route attached to nothing would never reach the filter.
  const parentRefs = objectsOf(
    check,
    check.array(spec.parentRefs, "spec.parentRefs", { required: true, min: 1, max: 32 }),
    "spec.parentRefs",
  );
  for (const [ref, i] of parentRefs) {
    const at = `spec.parentRefs[${i}]`;
    check.string(ref.group, `${at}.group`, group);
    check.string(ref.kind, `${at}.kind`, kind);
    check.string(ref.namespace, `${at}.namespace`, label);
    check.string(ref.name, `${at}.name`, { required: true, min: 1, max: 253 });
    check.string(ref.sectionName, `${at}.sectionName`, subdomain);
    check.integer(ref.port, `${at}.port`, port);
  }
  parentRefRules(check, parentRefs.map(([ref]) => ref));

  const hostnames = check.array(spec.hostnames, "spec.hostnames", { max: 16 }) ?? [];
  hostnames.forEach((h, i) => check.string(h, `spec.hostnames[${i}]`, { required: true, ...RULES.hostname }));

  const rules = objectsOf(check, check.array(spec.rules, "spec.rules", { max: 16 }), "spec.rules");
  let totalMatches = 0;
  for (const [rule, i] of rules) {
    const at = `spec.rules[${i}]`;
    check.string(rule.name, `${at}.name`, subdomain);
    const matches = objectsOf(
      check,
      check.array(rule.matches, `${at}.matches`, { max: 64 }),
      `${at}.matches`,
    );
    totalMatches += matches.length;
    for (const [match, j] of matches) validateMatch(check, match, `${at}.matches[${j}]`);
    validateFilters(check, rule.filters, `${at}.filters`);
    const backendRefs = objectsOf(
      check,
      check.array(rule.backendRefs, `${at}.backendRefs`, { max: 16 }),
      `${at}.backendRefs`,
    );
    for (const [ref, j] of backendRefs) validateBackendRef(check, ref, `${at}.backendRefs[${j}]`);
    validateTimeouts(check, rule.timeouts, `${at}.timeouts`);
    validateRetry(check, rule.retry, `${at}.retry`);
    validateRuleCombinations(check, rule, at);
  }
  // Rule names are not checked for uniqueness: only the experimental channel's CRD carries that
  // CEL rule ("Rule name must be unique within the route"), and a valid object is never refused.
  if (totalMatches > 128) {
    cel(
      check,
      "spec.rules",
      "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128",
      "array",
    );
  }
}

function validateMatch(check: FieldChecker, match: Record<string, unknown>, at: string): void {
  const path = check.object(match.path, `${at}.path`);
  if (path) {
    const type = check.string(path.type, `${at}.path.type`, { values: PATH_TYPES }) ?? "PathPrefix";
    const value = check.string(path.value, `${at}.path.value`, { min: 1, max: 1024 });
    if (value !== undefined && type === "RegularExpression") checkRegex(check, value, `${at}.path.value`);
    else if (value !== undefined) checkPathValue(check, value, `${at}.path`);
  }
  const headers = objectsOf(check, check.array(match.headers, `${at}.headers`, { max: 16 }), `${at}.headers`);
  for (const [header, k] of headers) {
    const type = check.string(header.type, `${at}.headers[${k}].type`, { values: MATCH_TYPES });
    check.string(header.name, `${at}.headers[${k}].name`, token);
    const value = check.string(header.value, `${at}.headers[${k}].value`, {
      required: true,
      min: 1,
      max: 4096,
    });
    if (type === "RegularExpression" && value) checkRegex(check, value, `${at}.headers[${k}].value`);
  }
  // A list map keyed by name: names are compared exactly, so `Version` and `version` are distinct
  // keys (the first of equivalent names is the one that matches; see ir/build_ir.ts).
  listMapKeys(check, headers, (k) => `${at}.headers[${k}]`);
  const params = objectsOf(
    check,
    check.array(match.queryParams, `${at}.queryParams`, { max: 16 }),
    `${at}.queryParams`,
  );
  for (const [param, k] of params) {
    const type = check.string(param.type, `${at}.queryParams[${k}].type`, { values: MATCH_TYPES });
    check.string(param.name, `${at}.queryParams[${k}].name`, token);
    const value = check.string(param.value, `${at}.queryParams[${k}].value`, {
      required: true,
      min: 1,
      max: 1024,
    });
    if (type === "RegularExpression" && value) checkRegex(check, value, `${at}.queryParams[${k}].value`);
  }
  listMapKeys(check, params, (k) => `${at}.queryParams[${k}]`);
  check.string(match.method, `${at}.method`, { values: METHODS });
}

/**
 * `x-kubernetes-list-type: map` with `x-kubernetes-list-map-keys: [name]`: a later item with the
 * same key is a duplicate, reported at the item as the API server words it.
 */
function listMapKeys(check: FieldChecker, items: [Json, number][], field: (i: number) => string): void {
  const seen = new Set<string>();
  for (const [item, i] of items) {
    if (typeof item.name !== "string") continue;
    if (seen.has(item.name)) {
      check.add(
        field(i),
        "FieldValueDuplicate",
        `Duplicate value: map[string]interface {}{"name":${JSON.stringify(item.name)}}`,
      );
    }
    seen.add(item.name);
  }
}

/**
 * CEL rules of HTTPPathMatch for Exact and PathPrefix values, each reported (as the API server does)
 * at the path match with the CRD's message.
 */
function checkPathValue(check: FieldChecker, value: string, at: string): void {
  const when = "when type one of ['Exact', 'PathPrefix']";
  if (!value.startsWith("/")) cel(check, at, `value must be an absolute path and start with '/' ${when}`);
  for (const bad of ["//", "/./", "/../", "%2f", "%2F", "#"]) {
    if (value.includes(bad)) cel(check, at, `must not contain '${bad}' ${when}`);
  }
  for (const bad of ["/..", "/."]) {
    if (value.endsWith(bad)) cel(check, at, `must not end with '${bad}' ${when}`);
  }
  if (!PATH_CHARS.test(value)) {
    cel(
      check,
      at,
      `must only contain valid characters (matching ${PATH_CHARS.source}) for types ['Exact', 'PathPrefix']`,
    );
  }
}

/**
 * CEL rules of CommonRouteSpec.parentRefs: two references to the same parent must both name a
 * sectionName or port, or neither; and no two may name the same one.
 */
function parentRefRules(check: FieldChecker, refs: Json[]): void {
  const parent = (r: Json) =>
    `${r.group ?? "gateway.networking.k8s.io"}/${r.kind ?? "Gateway"}/${r.namespace ?? ""}/${r.name}`;
  const section = (r: Json) => (r.sectionName ?? "") as string;
  const port = (r: Json) => (r.port ?? 0) as number;
  const same = (a: Json, b: Json) => parent(a) === parent(b);
  const suffix = "when parentRefs includes 2 or more references to the same parent";
  const mixed = refs.some((a) =>
    refs.some((b) =>
      same(a, b) && ((section(a) === "") !== (section(b) === "") || (port(a) === 0) !== (port(b) === 0))
    )
  );
  if (mixed) cel(check, "spec.parentRefs", `sectionName or port must be specified ${suffix}`, "array");
  const repeated = refs.some((a) =>
    refs.filter((b) => same(a, b) && section(a) === section(b) && port(a) === port(b)).length !== 1
  );
  if (repeated) cel(check, "spec.parentRefs", `sectionName or port must be unique ${suffix}`, "array");
}

/**
 * Regular expressions must compile with the engine the filter runs (RE2 syntax, linear time;
 * docs/regex.md): refused here, with the engine's reason and position, rather than compiled into
 * a route that answers 500.
 */
function checkRegex(check: FieldChecker, value: string, at: string): void {
  const result = tryCompileRegex(value);
  if ("error" in result) {
    check.invalid(at, value, `not a regular expression wasmroute can run: ${result.error.message}`);
  }
}

/** Milliseconds of a valid Gateway API duration. */
export function durationMs(value: string): number {
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  let total = 0;
  for (const [, n, u] of value.matchAll(/(\d+)(ms|h|m|s)/g)) total += Number(n) * unit[u];
  return total;
}

function validateTimeouts(check: FieldChecker, value: unknown, at: string): void {
  const timeouts = check.object(value, at);
  if (!timeouts) return;
  const request = check.string(timeouts.request, `${at}.request`, duration);
  const backend = check.string(timeouts.backendRequest, `${at}.backendRequest`, duration);
  // CEL: "0s" disables the request timeout, so any backendRequest fits under it.
  if (
    request !== undefined && backend !== undefined && DURATION.test(request) && DURATION.test(backend) &&
    durationMs(request) !== 0 && durationMs(backend) > durationMs(request)
  ) {
    cel(check, at, "backendRequest timeout cannot be longer than request timeout");
  }
}

function validateRetry(check: FieldChecker, value: unknown, at: string): void {
  const retry = check.object(value, at);
  if (!retry) return;
  const codes = check.array(retry.codes, `${at}.codes`) ?? [];
  codes.forEach((code, i) => check.integer(code, `${at}.codes[${i}]`, { min: 400, max: 599 }));
  check.unique(
    codes,
    (i) => `${at}.codes[${i}]`,
    (code) => typeof code === "number" ? String(code) : undefined,
  );
  check.integer(retry.attempts, `${at}.attempts`);
  check.string(retry.backoff, `${at}.backoff`, duration);
}

/** Whether a rule has exactly one match and it is a PathPrefix one, defaults applied. */
function onePathPrefixMatch(rule: Json): boolean {
  // Absent matches default to one PathPrefix "/" match, an absent path or type to PathPrefix.
  if (rule.matches === undefined || rule.matches === null) return true;
  if (!Array.isArray(rule.matches) || rule.matches.length !== 1) return false;
  const path = isObject(rule.matches[0]) ? rule.matches[0].path : undefined;
  return !isObject(path) || (path.type ?? "PathPrefix") === "PathPrefix";
}

/** CEL rules of HTTPRouteRule: how filters, matches and backendRefs may be combined. */
function validateRuleCombinations(check: FieldChecker, rule: Json, at: string): void {
  const filters = objects(rule.filters);
  const backendRefs = objects(rule.backendRefs);
  if (backendRefs.length > 0 && filters.some((f) => has(f, "requestRedirect"))) {
    cel(check, at, "RequestRedirect filter must not be used together with backendRefs");
  }
  const replacesPrefix = (member: string) => (f: Json) => {
    const config = f[member];
    return isObject(config) && isObject(config.path) && config.path.type === "ReplacePrefixMatch" &&
      has(config.path, "replacePrefixMatch");
  };
  if (onePathPrefixMatch(rule)) return;
  // exists_one, as the CRD says: parity includes its leniency when two backendRefs both do it.
  for (
    const [member, name, within] of [
      ["requestRedirect", "RequestRedirect", "Within backendRefs, when"],
      ["urlRewrite", "URLRewrite", "Within backendRefs, When"],
    ]
  ) {
    const message =
      `using ${name} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified`;
    if (exactlyOne(filters, replacesPrefix(member))) cel(check, at, `When ${message}`);
    if (exactlyOne(backendRefs, (b) => exactlyOne(objects(b.filters), replacesPrefix(member)))) {
      cel(check, at, `${within} ${message}`);
    }
  }
}

function validateFilters(check: FieldChecker, value: unknown, at: string): void {
  const filters = objectsOf(check, check.array(value, at, { max: 16 }), at);
  for (const [filter, i] of filters) {
    const type = check.string(filter.type, `${at}[${i}].type`, {
      required: true,
      values: Object.keys(FILTER_FIELDS),
    });
    // CEL: the member named after the type is required, every other one forbidden.
    for (const [filterType, member] of Object.entries(FILTER_FIELDS)) {
      const present = filter[member] !== undefined && filter[member] !== null;
      if (filterType === type && !present) {
        cel(check, `${at}[${i}]`, `filter.${member} must be specified for ${type} filter.type`);
      } else if (filterType !== type && present && type && FILTER_FIELDS[type]) {
        cel(check, `${at}[${i}]`, `filter.${member} must be nil if the filter.type is not ${filterType}`);
      }
    }
    const member = type && FILTER_FIELDS[type] ? `${at}[${i}].${FILTER_FIELDS[type]}` : "";
    if (type === "RequestHeaderModifier" || type === "ResponseHeaderModifier") {
      validateHeaderModifier(check, filter[FILTER_FIELDS[type]], member);
    } else if (type === "RequestRedirect") validateRedirect(check, filter.requestRedirect, member);
    else if (type === "URLRewrite") validateRewrite(check, filter.urlRewrite, member);
    else if (type === "RequestMirror") validateMirror(check, filter.requestMirror, member);
    else if (type === "CORS") validateCors(check, filter.cors, member);
  }
  // CEL rules of the filter list, at the list.
  for (const single of SINGLE_FILTERS) {
    if (filters.filter(([f]) => f.type === single).length > 1) {
      cel(check, at, `${single} filter cannot be repeated`, "array");
    }
  }
  if (filters.some(([f]) => f.type === "RequestRedirect") && filters.some(([f]) => f.type === "URLRewrite")) {
    cel(
      check,
      at,
      "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both",
      "array",
    );
  }
}

/** What a header value may hold on the wire (RFC 9110 field-value, obs-text allowed). */
const HEADER_VALUE = /^[^\r\n\0]*$/;

function validateHeaderModifier(check: FieldChecker, value: unknown, at: string): void {
  const modifier = check.object(value, at);
  if (!modifier) return;
  for (const op of ["set", "add"]) {
    const headers = objectsOf(check, check.array(modifier[op], `${at}.${op}`, { max: 16 }), `${at}.${op}`);
    for (const [header, i] of headers) {
      check.string(header.name, `${at}.${op}[${i}].name`, token);
      // The CRD sets no pattern, but a CR, LF or NUL in a header value is refused by Envoy (a header
      // injection anywhere else): refuse it here, where the writer learns which field.
      check.string(header.value, `${at}.${op}[${i}].value`, {
        required: true,
        min: 1,
        max: 4096,
        pattern: HEADER_VALUE,
        patternHint: "a header value without CR, LF or NUL characters",
      });
    }
    listMapKeys(check, headers, (i) => `${at}.${op}[${i}]`);
  }
  const remove = check.array(modifier.remove, `${at}.remove`, { max: 16 }) ?? [];
  remove.forEach((name, i) => check.string(name, `${at}.remove[${i}]`, token));
  // A list set: only exact repeats are duplicates.
  check.unique(
    remove,
    (i) => `${at}.remove[${i}]`,
    (name) => typeof name === "string" ? name : undefined,
  );
}

function validateRedirect(check: FieldChecker, value: unknown, at: string): void {
  const redirect = check.object(value, at);
  if (!redirect) return;
  check.string(redirect.scheme, `${at}.scheme`, { values: ["http", "https"] });
  check.string(redirect.hostname, `${at}.hostname`, preciseHostname);
  validatePathModifier(check, redirect.path, `${at}.path`);
  check.integer(redirect.port, `${at}.port`, port);
  const code = check.integer(redirect.statusCode, `${at}.statusCode`);
  if (code !== undefined && !REDIRECT_CODES.includes(code)) {
    check.add(
      `${at}.statusCode`,
      "FieldValueNotSupported",
      `Unsupported value: ${code}: supported values: ${REDIRECT_CODES.map((c) => `"${c}"`).join(", ")}`,
    );
  }
}

function validateRewrite(check: FieldChecker, value: unknown, at: string): void {
  const rewrite = check.object(value, at);
  if (!rewrite) return;
  check.string(rewrite.hostname, `${at}.hostname`, preciseHostname);
  validatePathModifier(check, rewrite.path, `${at}.path`);
}

/** HTTPPathModifier: its type and the one member that type takes (CEL). */
function validatePathModifier(check: FieldChecker, value: unknown, at: string): void {
  const modifier = check.object(value, at);
  if (!modifier) return;
  const type = check.string(modifier.type, `${at}.type`, {
    required: true,
    values: ["ReplaceFullPath", "ReplacePrefixMatch"],
  });
  check.string(modifier.replaceFullPath, `${at}.replaceFullPath`, { max: 1024 });
  check.string(modifier.replacePrefixMatch, `${at}.replacePrefixMatch`, { max: 1024 });
  if (type === undefined) return;
  for (const member of ["replaceFullPath", "replacePrefixMatch"]) {
    const owner = member === "replaceFullPath" ? "ReplaceFullPath" : "ReplacePrefixMatch";
    if (type === owner && !has(modifier, member)) {
      cel(check, at, `${member} must be specified when type is set to '${owner}'`);
    } else if (type !== owner && has(modifier, member)) {
      cel(check, at, `type must be '${owner}' when ${member} is set`);
    }
  }
}

function validateMirror(check: FieldChecker, value: unknown, at: string): void {
  const mirror = check.object(value, at);
  if (!mirror) return;
  const ref = check.object(mirror.backendRef, `${at}.backendRef`, true);
  if (ref) validateObjectReference(check, ref, `${at}.backendRef`);
  check.integer(mirror.percent, `${at}.percent`, { min: 0, max: 100 });
  const fraction = check.object(mirror.fraction, `${at}.fraction`);
  if (fraction) {
    const numerator = check.integer(fraction.numerator, `${at}.fraction.numerator`, {
      required: true,
      min: 0,
    });
    const denominator = check.integer(fraction.denominator, `${at}.fraction.denominator`, { min: 1 }) ?? 100;
    if (numerator !== undefined && numerator > denominator) {
      cel(check, `${at}.fraction`, "numerator must be less than or equal to denominator");
    }
  }
  if (has(mirror, "percent") && has(mirror, "fraction")) {
    cel(check, at, "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter");
  }
}

function validateCors(check: FieldChecker, value: unknown, at: string): void {
  const cors = check.object(value, at);
  if (!cors) return;
  /** A `listType=set` list of strings, where `*` must stand alone (CEL). */
  const set = (member: string, max: number, rule: Parameters<FieldChecker["string"]>[2], alone?: string) => {
    const items = check.array(cors[member], `${at}.${member}`, { max }) ?? [];
    items.forEach((item, i) => check.string(item, `${at}.${member}[${i}]`, { required: true, ...rule }));
    check.unique(
      items,
      (i) => `${at}.${member}[${i}]`,
      (item) => typeof item === "string" ? item : undefined,
    );
    if (alone && items.includes("*") && items.length > 1) cel(check, `${at}.${member}`, alone, "array");
  };
  set("allowOrigins", 64, {
    min: 1,
    max: 253,
    pattern: CORS_ORIGIN,
    patternHint: "* or an origin http(s)://host[:port], the host optionally opening with '*.'",
  }, "AllowOrigins cannot contain '*' alongside other origins");
  set(
    "allowMethods",
    9,
    { values: [...METHODS, "*"] },
    "AllowMethods cannot contain '*' alongside other methods",
  );
  set("allowHeaders", 64, token, "AllowHeaders cannot contain '*' alongside other methods");
  set("exposeHeaders", 64, token);
  check.integer(cors.maxAge, `${at}.maxAge`, { min: 1, max: 2_147_483_647 });
}

/** A BackendObjectReference: group, kind, name, namespace and, for a Service, its port (CEL). */
function validateObjectReference(check: FieldChecker, ref: Record<string, unknown>, at: string): void {
  const refGroup = check.string(ref.group, `${at}.group`, group) ?? "";
  const refKind = check.string(ref.kind, `${at}.kind`, kind) ?? "Service";
  check.string(ref.name, `${at}.name`, { required: true, min: 1, max: 253 });
  check.string(ref.namespace, `${at}.namespace`, label);
  // CEL: a Service has many ports; which one must be said.
  const isService = (refGroup === "" || refGroup === "core") && refKind === "Service";
  if (isService && ref.port === undefined) {
    cel(check, at, "Must have port for Service reference");
  }
  check.integer(ref.port, `${at}.port`, port);
}

function validateBackendRef(check: FieldChecker, ref: Record<string, unknown>, at: string): void {
  validateObjectReference(check, ref, at);
  check.integer(ref.weight, `${at}.weight`, { min: 0, max: 1_000_000 });
  validateFilters(check, ref.filters, `${at}.filters`);
}
