/**
 * Field validation of core Services, limited to what the policy server keeps of them (name,
 * namespace, labels, ports, cluster IPs) and following the API server's rules for those fields. The
 * rest of a full manifest (selector, type, …) is accepted and not stored.
 *
 * @module
 */
import { FieldChecker, objectsOf } from "./field_checker.ts";
import { parseIpAddress } from "./ip_address.ts";
import type { FieldError } from "./resource_error.ts";
import { CORE_V1 } from "./types.ts";
import { RULES } from "./validate_metadata.ts";
import { validatePreamble } from "./validate_preamble.ts";

export const SERVICE_API_VERSIONS: readonly string[] = [CORE_V1];

const PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;

/**
 * Validates one Service and returns every problem found, each with its field path, e.g.
 * `spec.ports[1].name`. An empty list means valid. `metadata.namespace` may be absent.
 */
export function validateService(obj: unknown): FieldError[] {
  const check = new FieldChecker();
  // Service names become DNS names: the API server asks for an RFC 1035 label.
  const service = validatePreamble(check, obj, {
    apiVersions: SERVICE_API_VERSIONS,
    kind: "Service",
    name: RULES.dns1035Label,
    namespaced: true,
  });
  if (!service) return check.errors;
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
  if (spec.type !== "ExternalName") validateClusterIPs(check, spec);
  return check.errors;
}

/** The API server's words for an address that does not parse. */
const NOT_AN_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const REQUIRED = { required: true };

/**
 * `spec.clusterIP` and `spec.clusterIPs` as the API server checks them on create (an ExternalName
 * Service has neither, and is not checked). It fills `clusterIPs` from `clusterIP` when only the
 * latter is given, before validating, so an old client's bad `clusterIP` is reported at
 * `spec.clusterIPs[0]`. `None` (headless) may only stand alone.
 */
function validateClusterIPs(check: FieldChecker, spec: Record<string, unknown>): void {
  const single = check.string(spec.clusterIP, "spec.clusterIP");
  const list = check.array(spec.clusterIPs, "spec.clusterIPs");
  const typed = list?.filter((ip, i) =>
    typeof ip === "string" || check.string(ip, `spec.clusterIPs[${i}]`, REQUIRED)
  );
  if (typed?.length !== list?.length) return;
  const ips = (list?.length ? list : single ? [single] : []) as string[];
  const at = "spec.clusterIPs";
  if (single) {
    if (ips[0] !== single) check.invalid(at, ips, "first value must match `clusterIP`");
  } else if (ips.length) {
    check.invalid(at, ips, "must be empty when `clusterIP` is not specified");
  }
  let bad = false;
  const families = ips.map((ip, i) => {
    if (i === 0 && ip === "None") {
      if (ips.length > 1) {
        bad = true;
        check.invalid(at, ips, "'None' must be the first and only value");
      }
      return "None";
    }
    const parsed = parseIpAddress(ip);
    if (!parsed) {
      bad = true;
      check.invalid(`${at}[${i}]`, ip, NOT_AN_IP);
    }
    return parsed?.family;
  });
  if (ips.length > 2) check.invalid(at, ips, "may only hold up to 2 values");
  // A bad address would skew the next message, so the API server stops here too.
  if (bad) return;
  // Both families among them (a third address was reported above).
  if (ips.length > 1 && !(families.includes("IPv4") && families.includes("IPv6"))) {
    check.invalid(at, ips, "may specify no more than one IP for each IP family");
  }
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
