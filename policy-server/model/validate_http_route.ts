/**
 * Field validation of HTTPRoute, following the limits and patterns of the Gateway API v1 CRD
 * (standard channel) that matter to the walking skeleton. Rules the CRD states as CEL are marked
 * so; a later full CRD schema can replace this file rule by rule.
 *
 * @module
 */
import { FieldChecker, objectsOf } from "./field_checker.ts";
import type { FieldError } from "./resource_error.ts";
import { GATEWAY_API_V1, GATEWAY_API_V1BETA1 } from "./types.ts";
import { RULES, validateMetadata } from "./validate_metadata.ts";

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
};
/** CEL: these may appear at most once per filter list. */
const SINGLE_FILTERS = ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite"];

/**
 * Validates one HTTPRoute (any object whose kind is HTTPRoute) and returns every problem found, each
 * with its field path, e.g. `spec.rules[0].backendRefs[1].port`. An empty list means valid.
 * `metadata.namespace` may be absent (the caller defaults it).
 */
export function validateHttpRoute(obj: unknown): FieldError[] {
  const check = new FieldChecker();
  const route = check.object(obj, "", true);
  if (!route) return check.errors;
  check.string(route.apiVersion, "apiVersion", { required: true, values: HTTP_ROUTE_API_VERSIONS });
  check.string(route.kind, "kind", { required: true, values: ["HTTPRoute"] });
  validateMetadata(check, route.metadata, { name: subdomain, namespaced: true });
  const spec = check.object(route.spec, "spec", true);
  if (spec) validateSpec(check, spec);
  return check.errors;
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
  // CEL: the same parent may only be referenced again with a different sectionName or port.
  check.unique(
    parentRefs,
    (i) => `spec.parentRefs[${parentRefs[i][1]}]`,
    ([ref]) =>
      `${ref.group ?? "gateway.networking.k8s.io"}/${ref.kind ?? "Gateway"} ${
        ref.namespace ?? "."
      }/${ref.name}` +
      (ref.sectionName ? ` sectionName ${ref.sectionName}` : "") + (ref.port ? ` port ${ref.port}` : ""),
  );

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
  }
  check.unique(rules, (i) => `spec.rules[${rules[i][1]}].name`, ([rule]) => rule.name as string | undefined);
  if (totalMatches > 128) {
    // CEL: 16 rules × 64 matches are allowed, but not all at once.
    check.invalid(
      "spec.rules",
      totalMatches,
      "the total number of matches across all rules must be at most 128",
    );
  }
}

function validateMatch(check: FieldChecker, match: Record<string, unknown>, at: string): void {
  const path = check.object(match.path, `${at}.path`);
  if (path) {
    const type = check.string(path.type, `${at}.path.type`, { values: PATH_TYPES }) ?? "PathPrefix";
    const value = check.string(path.value, `${at}.path.value`, { min: 1, max: 1024 });
    if (value !== undefined && type !== "RegularExpression") checkPathValue(check, value, `${at}.path.value`);
  }
  const headers = objectsOf(check, check.array(match.headers, `${at}.headers`, { max: 16 }), `${at}.headers`);
  for (const [header, k] of headers) {
    check.string(header.type, `${at}.headers[${k}].type`, { values: MATCH_TYPES });
    check.string(header.name, `${at}.headers[${k}].name`, token);
    check.string(header.value, `${at}.headers[${k}].value`, { required: true, min: 1, max: 4096 });
  }
  // Header names are case-insensitive; query parameter names are not.
  check.unique(
    headers,
    (k) => `${at}.headers[${headers[k][1]}].name`,
    ([h]) => (h.name as string)?.toLowerCase?.(),
  );
  const params = objectsOf(
    check,
    check.array(match.queryParams, `${at}.queryParams`, { max: 16 }),
    `${at}.queryParams`,
  );
  for (const [param, k] of params) {
    check.string(param.type, `${at}.queryParams[${k}].type`, { values: MATCH_TYPES });
    check.string(param.name, `${at}.queryParams[${k}].name`, token);
    check.string(param.value, `${at}.queryParams[${k}].value`, { required: true, min: 1, max: 1024 });
  }
  check.unique(
    params,
    (k) => `${at}.queryParams[${params[k][1]}].name`,
    ([p]) => p.name as string | undefined,
  );
  check.string(match.method, `${at}.method`, { values: METHODS });
}

/** CEL rules of HTTPPathMatch for Exact and PathPrefix values. */
function checkPathValue(check: FieldChecker, value: string, at: string): void {
  if (!value.startsWith("/")) return check.invalid(at, value, "must be an absolute path and start with '/'");
  for (const bad of ["//", "/./", "/../", "%2f", "%2F", "#"]) {
    if (value.includes(bad)) return check.invalid(at, value, `must not contain '${bad}'`);
  }
  for (const bad of ["/..", "/."]) {
    if (value.endsWith(bad)) return check.invalid(at, value, `must not end with '${bad}'`);
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
        check.add(
          `${at}[${i}].${member}`,
          "FieldValueRequired",
          `Required value: must be specified for ${type} filter.type`,
        );
      } else if (filterType !== type && present && type && FILTER_FIELDS[type]) {
        check.invalid(`${at}[${i}].${member}`, member, `must be nil if the filter.type is not ${filterType}`);
      }
    }
    if (type === "RequestHeaderModifier" || type === "ResponseHeaderModifier") {
      validateHeaderModifier(check, filter[FILTER_FIELDS[type]], `${at}[${i}].${FILTER_FIELDS[type]}`);
    }
  }
  for (const single of SINGLE_FILTERS) {
    const same = filters.filter(([f]) => f.type === single);
    if (same.length > 1) {
      check.add(
        `${at}[${same[1][1]}].type`,
        "FieldValueDuplicate",
        `Duplicate value: ${single} filter cannot be repeated`,
      );
    }
  }
  const redirect = filters.find(([f]) => f.type === "RequestRedirect");
  const rewrite = filters.find(([f]) => f.type === "URLRewrite");
  if (redirect && rewrite) {
    check.invalid(
      `${at}[${Math.max(redirect[1], rewrite[1])}].type`,
      "URLRewrite",
      "may specify either RequestRedirect or URLRewrite, but not both",
    );
  }
}

function validateHeaderModifier(check: FieldChecker, value: unknown, at: string): void {
  const modifier = check.object(value, at);
  if (!modifier) return;
  for (const op of ["set", "add"]) {
    const headers = objectsOf(check, check.array(modifier[op], `${at}.${op}`, { max: 16 }), `${at}.${op}`);
    for (const [header, i] of headers) {
      check.string(header.name, `${at}.${op}[${i}].name`, token);
      check.string(header.value, `${at}.${op}[${i}].value`, { required: true, min: 1, max: 4096 });
    }
    check.unique(
      headers,
      (i) => `${at}.${op}[${headers[i][1]}].name`,
      ([h]) => (h.name as string)?.toLowerCase?.(),
    );
  }
  const remove = check.array(modifier.remove, `${at}.remove`, { max: 16 }) ?? [];
  remove.forEach((name, i) => check.string(name, `${at}.remove[${i}]`, token));
  check.unique(
    remove,
    (i) => `${at}.remove[${i}]`,
    (name) => typeof name === "string" ? name.toLowerCase() : undefined,
  );
}

function validateBackendRef(check: FieldChecker, ref: Record<string, unknown>, at: string): void {
  const refGroup = check.string(ref.group, `${at}.group`, group) ?? "";
  const refKind = check.string(ref.kind, `${at}.kind`, kind) ?? "Service";
  check.string(ref.name, `${at}.name`, { required: true, min: 1, max: 253 });
  check.string(ref.namespace, `${at}.namespace`, label);
  // CEL: a Service has many ports; which one must be said.
  const isService = (refGroup === "" || refGroup === "core") && refKind === "Service";
  if (isService && ref.port === undefined) {
    check.add(`${at}.port`, "FieldValueRequired", "Required value: must have port for Service reference");
  }
  check.integer(ref.port, `${at}.port`, port);
  check.integer(ref.weight, `${at}.weight`, { min: 0, max: 1_000_000 });
  validateFilters(check, ref.filters, `${at}.filters`);
}
