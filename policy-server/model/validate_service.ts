/**
 * Field validation of core Services, limited to what the policy server keeps of them (name,
 * namespace, labels, ports) and following the API server's rules for those fields. The rest of a
 * full manifest (selector, type, clusterIP, …) is accepted and not stored.
 *
 * @module
 */
import { FieldChecker, objectsOf } from "./field_checker.ts";
import type { FieldError } from "./resource_error.ts";
import { CORE_V1 } from "./types.ts";
import { RULES, validateMetadata } from "./validate_metadata.ts";

export const SERVICE_API_VERSIONS: readonly string[] = [CORE_V1];

const PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;

/**
 * Validates one Service and returns every problem found, each with its field path, e.g.
 * `spec.ports[1].name`. An empty list means valid. `metadata.namespace` may be absent.
 */
export function validateService(obj: unknown): FieldError[] {
  const check = new FieldChecker();
  const service = check.object(obj, "", true);
  if (!service) return check.errors;
  check.string(service.apiVersion, "apiVersion", { required: true, values: SERVICE_API_VERSIONS });
  check.string(service.kind, "kind", { required: true, values: ["Service"] });
  // Service names become DNS names: the API server asks for an RFC 1035 label.
  validateMetadata(check, service.metadata, { name: RULES.dns1035Label, namespaced: true });
  const spec = check.object(service.spec, "spec", true);
  if (!spec) return check.errors;
  const ports = validateServicePorts(check, spec.ports, "spec.ports", { required: true, min: 1 });
  // The API server's rules: several ports are told apart by name, and each port/protocol is one listener.
  if (ports.length > 1) {
    for (const [port, i] of ports) {
      if (port.name === undefined || port.name === "") {
        check.add(
          `spec.ports[${i}].name`,
          "FieldValueRequired",
          "Required value: a port name is required when a Service has several ports",
        );
      }
    }
  }
  check.unique(
    ports,
    (i) => `spec.ports[${ports[i][1]}]`,
    ([p]) => typeof p.port === "number" ? `port ${p.port}/${p.protocol ?? "TCP"}` : undefined,
  );
  return check.errors;
}

/**
 * Checks a list of `{name?, port, protocol?}` ports (Service and ServiceImport share the shape) and
 * returns the items that are objects, with their indices. Names must be unique.
 */
export function validateServicePorts(
  check: FieldChecker,
  value: unknown,
  at: string,
  rule: { required: boolean; min?: number },
): [Record<string, unknown>, number][] {
  const ports = objectsOf(check, check.array(value, at, rule), at);
  for (const [port, i] of ports) {
    // "" is what an unnamed port says in JSON written by some tools.
    if (port.name !== "") check.string(port.name, `${at}[${i}].name`, RULES.label);
    check.integer(port.port, `${at}[${i}].port`, { required: true, min: 1, max: 65535 });
    check.string(port.protocol, `${at}[${i}].protocol`, { values: PROTOCOLS });
  }
  check.unique(
    ports,
    (i) => `${at}[${ports[i][1]}].name`,
    ([p]) => typeof p.name === "string" && p.name !== "" ? p.name : undefined,
  );
  return ports;
}
