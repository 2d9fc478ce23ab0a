/**
 * Field validation of Gateway (gateway.networking.k8s.io/v1): the listener fields a Gateway API
 * implementation needs to attach routes, with the CRD's limits, patterns and CEL rules (marked so,
 * with the CRD's messages); whatever else the CRD's OpenAPI schema says is checked by the schema
 * `@kubernetes-models/gateway-api` generates from it, in the API server's wording. What the API
 * server accepts is never refused: a protocol or a label selector wasmroute cannot act on is a
 * warning ({@linkcode gatewayWarnings}). Addresses, infrastructure and TLS details are kept as written.
 *
 * @module
 */
import { FieldChecker, objectsOf } from "./field_checker.ts";
import { validateGatewaySchema } from "./http_route_schema.ts";
import type { FieldError } from "./resource_error.ts";
import { withSchemaErrors } from "./schema_errors.ts";
import { GATEWAY_API_V1 } from "./types.ts";
import type { Gateway } from "./types.ts";
import { RULES } from "./validate_metadata.ts";
import { validatePreamble } from "./validate_preamble.ts";

export const GATEWAY_API_VERSIONS: readonly string[] = [GATEWAY_API_V1];

/** Listener protocols HTTPRoutes attach to; the others are stored for completeness only. */
const ROUTED_PROTOCOLS: readonly string[] = ["HTTP", "HTTPS"];
const FROM = ["All", "Same", "Selector"] as const;
const OPERATORS: readonly string[] = ["In", "NotIn", "Exists", "DoesNotExist"];
const TLS_MODES = ["Terminate", "Passthrough"] as const;
/** Gateway API hostnames exclude IP addresses, which the hostname pattern alone lets through. */
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Validates one Gateway and returns every problem found, each with its field path, e.g.
 * `spec.listeners[1].port`. An empty list means valid. `metadata.namespace` may be absent.
 */
export function validateGateway(obj: unknown): FieldError[] {
  const check = new FieldChecker();
  const gateway = validatePreamble(check, obj, {
    apiVersions: GATEWAY_API_VERSIONS,
    kind: "Gateway",
    name: RULES.subdomain,
    namespaced: true,
  });
  if (!gateway) return check.errors;
  const spec = check.object(gateway.spec, "spec", true);
  if (spec) validateSpec(check, spec);
  const { status: _status, ...written } = gateway;
  return withSchemaErrors(check.errors, validateGatewaySchema, written);
}

function validateSpec(check: FieldChecker, spec: Record<string, unknown>): void {
  check.string(spec.gatewayClassName, "spec.gatewayClassName", { required: true, min: 1, max: 253 });
  const listeners = objectsOf(
    check,
    check.array(spec.listeners, "spec.listeners", { required: true, min: 1, max: 64 }),
    "spec.listeners",
  );
  for (const [listener, i] of listeners) validateListener(check, listener, `spec.listeners[${i}]`);
  listenerRules(check, listeners.map(([l]) => l));
}

/** The CRD's CEL rules on `spec.listeners`, with its messages, reported at the list as it does. */
function listenerRules(check: FieldChecker, listeners: Record<string, unknown>[]): void {
  const cel = (message: string) =>
    check.add("spec.listeners", "FieldValueInvalid", `Invalid value: "array": ${message}`);
  const has = (l: Record<string, unknown>, key: string) => l[key] !== undefined && l[key] !== null;
  const on = (l: Record<string, unknown>, protocols: string[]) => protocols.includes(l.protocol as string);
  if (listeners.some((l) => on(l, ["HTTP", "TCP", "UDP"]) && has(l, "tls"))) {
    cel("tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
  }
  const mode = (l: Record<string, unknown>) => (l.tls as { mode?: string } | undefined)?.mode;
  if (
    listeners.some((l) =>
      on(l, ["HTTPS"]) && has(l, "tls") && ![undefined, "", "Terminate"].includes(mode(l))
    )
  ) {
    cel("tls mode must be Terminate for protocol HTTPS");
  }
  if (listeners.some((l) => on(l, ["TCP", "UDP"]) && has(l, "hostname") && l.hostname !== "")) {
    cel("hostname must not be specified for protocols ['TCP', 'UDP']");
  }
  const count = (key: (l: Record<string, unknown>) => string) => {
    const seen = new Map<string, number>();
    for (const l of listeners) seen.set(key(l), (seen.get(key(l)) ?? 0) + 1);
    return [...seen.values()].some((n) => n > 1);
  };
  if (count((l) => String(l.name))) cel("Listener name must be unique within the Gateway");
  if (count((l) => `${l.port}|${l.protocol}|${has(l, "hostname") ? l.hostname : ""}`)) {
    cel("Combination of port, protocol and hostname must be unique for each listener");
  }
}

function validateListener(check: FieldChecker, listener: Record<string, unknown>, at: string): void {
  check.string(listener.name, `${at}.name`, { required: true, ...RULES.subdomain });
  check.integer(listener.port, `${at}.port`, { required: true, min: 1, max: 65535 });
  // Any protocol the CRD's pattern allows (implementation-specific ones too); see gatewayWarnings.
  check.string(listener.protocol, `${at}.protocol`, { required: true, min: 1, max: 255 });
  check.string(listener.hostname, `${at}.hostname`, RULES.hostname);
  const tls = check.object(listener.tls, `${at}.tls`);
  if (tls) check.string(tls.mode, `${at}.tls.mode`, { values: TLS_MODES });

  const allowed = check.object(listener.allowedRoutes, `${at}.allowedRoutes`);
  if (!allowed) return;
  const namespaces = check.object(allowed.namespaces, `${at}.allowedRoutes.namespaces`);
  if (namespaces) {
    check.string(namespaces.from, `${at}.allowedRoutes.namespaces.from`, { values: FROM });
    validateSelector(check, namespaces.selector, `${at}.allowedRoutes.namespaces.selector`);
  }
  const kinds = objectsOf(
    check,
    check.array(allowed.kinds, `${at}.allowedRoutes.kinds`, { max: 8 }),
    `${at}.allowedRoutes.kinds`,
  );
  for (const [k, j] of kinds) {
    check.string(k.group, `${at}.allowedRoutes.kinds[${j}].group`, RULES.group);
    check.string(k.kind, `${at}.allowedRoutes.kinds[${j}].kind`, { required: true, ...RULES.kind });
  }
}

/** A metav1 LabelSelector; operators are checked so that the compiler can evaluate every selector. */
function validateSelector(check: FieldChecker, value: unknown, at: string): void {
  const selector = check.object(value, at);
  if (!selector) return;
  const labels = check.object(selector.matchLabels, `${at}.matchLabels`);
  for (const [key, v] of Object.entries(labels ?? {})) check.string(v, `${at}.matchLabels.${key}`);
  const expressions = objectsOf(
    check,
    check.array(selector.matchExpressions, `${at}.matchExpressions`),
    `${at}.matchExpressions`,
  );
  // The CRD's schema takes any operator and values (the API server checks selectors only in its own
  // types): one the compiler cannot evaluate selects nothing, with a warning (gatewayWarnings).
  for (const [expression, i] of expressions) {
    const p = `${at}.matchExpressions[${i}]`;
    check.string(expression.key, `${p}.key`, { required: true });
    check.string(expression.operator, `${p}.operator`, { required: true });
    const values = check.array(expression.values, `${p}.values`) ?? [];
    values.forEach((v, j) => check.string(v, `${p}.values[${j}]`, { required: true, min: 0 }));
  }
}

/** Why a label selector requirement selects nothing (apimachinery's rules), or `undefined`. */
function requirementProblem(r: { operator: string; values?: string[] }): string | undefined {
  if (!OPERATORS.includes(r.operator)) return `operator "${r.operator}" is not a label selector operator`;
  const values = r.values?.length ?? 0;
  if ((r.operator === "In" || r.operator === "NotIn") && values === 0) return `${r.operator} needs values`;
  if ((r.operator === "Exists" || r.operator === "DoesNotExist") && values > 0) {
    return `${r.operator} takes no values`;
  }
  return undefined;
}

/**
 * What a valid Gateway is stored with but wasmroute will not act on, one message per field
 * (admission warnings: the request still succeeds).
 */
export function gatewayWarnings(gateway: Gateway): string[] {
  const warnings: string[] = [];
  gateway.spec.listeners.forEach((listener, i) => {
    const at = `spec.listeners[${i}]`;
    if (!ROUTED_PROTOCOLS.includes(listener.protocol)) {
      warnings.push(
        `${at}.protocol: ${listener.protocol} listeners are stored, but wasmroute routes only HTTP and HTTPS`,
      );
    }
    if (listener.hostname !== undefined && IPV4.test(listener.hostname)) {
      warnings.push(`${at}.hostname: an IP address never matches a request's hostname`);
    }
    const namespaces = listener.allowedRoutes?.namespaces;
    if (namespaces?.from === "Selector" && !namespaces.selector) {
      // A nil selector selects nothing (apimachinery's LabelSelectorAsSelector); {} would select all.
      warnings.push(`${at}.allowedRoutes.namespaces.selector: not set, so no namespace may attach routes`);
    }
    (namespaces?.selector?.matchExpressions ?? []).forEach((r, j) => {
      const problem = requirementProblem(r);
      if (problem) {
        warnings.push(
          `${at}.allowedRoutes.namespaces.selector.matchExpressions[${j}]: ${problem}, so it selects nothing`,
        );
      }
    });
  });
  return warnings;
}
