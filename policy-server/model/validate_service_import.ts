/**
 * Field validation of ServiceImport (multicluster.x-k8s.io/v1alpha1): the ports and type that
 * routing to a multi-cluster Service needs.
 *
 * @module
 */
import { FieldChecker } from "./field_checker.ts";
import type { FieldError } from "./resource_error.ts";
import { MCS_API_V1ALPHA1 } from "./types.ts";
import { RULES } from "./validate_metadata.ts";
import { validatePreamble } from "./validate_preamble.ts";
import { validateServicePorts } from "./validate_service.ts";

export const SERVICE_IMPORT_API_VERSIONS: readonly string[] = [MCS_API_V1ALPHA1];

const TYPES = ["ClusterSetIP", "Headless"] as const;

/**
 * Validates one ServiceImport and returns every problem found, each with its field path, e.g.
 * `spec.ports[0].port`. An empty list means valid. `metadata.namespace` may be absent.
 */
export function validateServiceImport(obj: unknown): FieldError[] {
  const check = new FieldChecker();
  const serviceImport = validatePreamble(check, obj, {
    apiVersions: SERVICE_IMPORT_API_VERSIONS,
    kind: "ServiceImport",
    name: RULES.subdomain,
    namespaced: true,
  });
  if (!serviceImport) return check.errors;
  const spec = check.object(serviceImport.spec, "spec", true);
  if (!spec) return check.errors;
  check.string(spec.type, "spec.type", { required: true, values: TYPES });
  // The CRD requires the list but not an item: a Headless import may have none.
  validateServicePorts(check, spec.ports, "spec.ports", { required: true });
  return check.errors;
}
