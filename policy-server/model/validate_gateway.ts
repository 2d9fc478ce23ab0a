/**
 * Field validation of Gateway (gateway.networking.k8s.io/v1): the listener fields a Gateway API
 * implementation needs to attach routes, with the CRD's limits, patterns and CEL rules (marked so).
 * Addresses, infrastructure and TLS details are kept as written.
 *
 * @module
 */
import { FieldChecker, objectsOf } from "./field_checker.ts";
import type { FieldError } from "./resource_error.ts";
import { GATEWAY_API_V1 } from "./types.ts";
import type { Gateway } from "./types.ts";
import { RULES, validateMetadata } from "./validate_metadata.ts";

export const GATEWAY_API_VERSIONS: readonly string[] = [GATEWAY_API_V1];

const PROTOCOLS = ["HTTP", "HTTPS", "TLS", "TCP", "UDP"] as const;
/** Listener protocols HTTPRoutes attach to; the others are stored for completeness only. */
const ROUTED_PROTOCOLS: readonly string[] = ["HTTP", "HTTPS"];
const FROM = ["All", "Same", "Selector"] as const;
const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
const TLS_MODES = ["Terminate", "Passthrough"] as const;
/** Gateway API hostnames exclude IP addresses, which the hostname pattern alone lets through. */
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Validates one Gateway and returns every problem found, each with its field path, e.g.
 * `spec.listeners[1].port`. An empty list means valid. `metadata.namespace` may be absent.
 */
export function validateGateway(obj: unknown): FieldError[] {
  const check = new FieldChecker();
  const gateway = check.object(obj, "", true);
  if (!gateway) return check.errors;
  check.string(gateway.apiVersion, "apiVersion", { required: true, values: GATEWAY_API_VERSIONS });
  check.string(gateway.kind, "kind", { required: true, values: ["Gateway"] });
  validateMetadata(check, gateway.metadata, { name: RULES.subdomain, namespaced: true });
  const spec = check.object(gateway.spec, "spec", true);
  if (!spec) return check.errors;
  check.string(spec.gatewayClassName, "spec.gatewayClassName", { required: true, min: 1, max: 253 });
  const listeners = objectsOf(
    check,
    check.array(spec.listeners, "spec.listeners", { required: true, min: 1, max: 64 }),
    "spec.listeners",
  );
  for (const [listener, i] of listeners) validateListener(check, listener, `spec.listeners[${i}]`);
  // CEL: the name is the list's key.
  check.unique(
    listeners,
    (i) => `spec.listeners[${listeners[i][1]}].name`,
    ([l]) => typeof l.name === "string" ? l.name : undefined,
  );
  // CEL: two listeners may not take the same traffic.
  check.unique(
    listeners,
    (i) => `spec.listeners[${listeners[i][1]}]`,
    ([l]) => `port ${l.port}, protocol ${l.protocol}, hostname ${l.hostname ?? "(any)"}`,
  );
  return check.errors;
}

function validateListener(check: FieldChecker, listener: Record<string, unknown>, at: string): void {
  check.string(listener.name, `${at}.name`, { required: true, ...RULES.subdomain });
  check.integer(listener.port, `${at}.port`, { required: true, min: 1, max: 65535 });
  const protocol = check.string(listener.protocol, `${at}.protocol`, { required: true, values: PROTOCOLS });
  const hostname = check.string(listener.hostname, `${at}.hostname`, RULES.hostname);
  if (hostname !== undefined && IPV4.test(hostname)) {
    check.invalid(`${at}.hostname`, hostname, "must be a hostname, not an IP address");
  } else if (hostname !== undefined && (protocol === "TCP" || protocol === "UDP")) {
    // CEL
    check.add(`${at}.hostname`, "FieldValueForbidden", `Forbidden: may not be set for protocol ${protocol}`);
  }

  const tls = check.object(listener.tls, `${at}.tls`);
  if (tls && (protocol === "HTTP" || protocol === "TCP" || protocol === "UDP")) {
    // CEL
    check.add(`${at}.tls`, "FieldValueForbidden", `Forbidden: may not be set for protocol ${protocol}`);
  } else if (tls) {
    const mode = check.string(tls.mode, `${at}.tls.mode`, { values: TLS_MODES });
    // CEL: an HTTPS listener terminates TLS; passing it through is what TLS listeners are for.
    if (protocol === "HTTPS" && mode === "Passthrough") {
      check.invalid(`${at}.tls.mode`, mode, "must be Terminate for protocol HTTPS");
    }
  }

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
  for (const [expression, i] of expressions) {
    const p = `${at}.matchExpressions[${i}]`;
    check.string(expression.key, `${p}.key`, { required: true, min: 1 });
    const operator = check.string(expression.operator, `${p}.operator`, {
      required: true,
      values: OPERATORS,
    });
    const values = check.array(expression.values, `${p}.values`) ?? [];
    values.forEach((v, j) => check.string(v, `${p}.values[${j}]`, { required: true, min: 0 }));
    // As apimachinery validates selectors: a set operator needs values, an existence test takes none.
    if ((operator === "In" || operator === "NotIn") && values.length === 0) {
      check.add(
        `${p}.values`,
        "FieldValueRequired",
        `Required value: must be specified when operator is ${operator}`,
      );
    } else if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) {
      check.add(
        `${p}.values`,
        "FieldValueForbidden",
        `Forbidden: may not be specified when operator is ${operator}`,
      );
    }
  }
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
    const namespaces = listener.allowedRoutes?.namespaces;
    if (namespaces?.from === "Selector" && !namespaces.selector) {
      // A nil selector selects nothing (apimachinery's LabelSelectorAsSelector); {} would select all.
      warnings.push(`${at}.allowedRoutes.namespaces.selector: not set, so no namespace may attach routes`);
    }
  });
  return warnings;
}
