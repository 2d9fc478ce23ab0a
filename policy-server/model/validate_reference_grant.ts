/**
 * Field validation of ReferenceGrant (gateway.networking.k8s.io/v1beta1 and v1, identical schemas).
 *
 * @module
 */
import { FieldChecker, objectsOf } from "./field_checker.ts";
import type { FieldError } from "./resource_error.ts";
import { GATEWAY_API_V1, GATEWAY_API_V1BETA1 } from "./types.ts";
import { RULES } from "./validate_metadata.ts";
import { validatePreamble } from "./validate_preamble.ts";

/** v1beta1 is what most manifests still say; both are stored as v1, as HTTPRoutes are. */
export const REFERENCE_GRANT_API_VERSIONS: readonly string[] = [GATEWAY_API_V1, GATEWAY_API_V1BETA1];

/** `group` is required but may be "", the core group. */
const group = { required: true, ...RULES.group, min: 0 };

/**
 * Validates one ReferenceGrant and returns every problem found, each with its field path, e.g.
 * `spec.from[0].namespace`. An empty list means valid. `metadata.namespace` may be absent.
 */
export function validateReferenceGrant(obj: unknown): FieldError[] {
  const check = new FieldChecker();
  const grant = validatePreamble(check, obj, {
    apiVersions: REFERENCE_GRANT_API_VERSIONS,
    kind: "ReferenceGrant",
    name: RULES.subdomain,
    namespaced: true,
  });
  if (!grant) return check.errors;
  const spec = check.object(grant.spec, "spec", true);
  if (!spec) return check.errors;
  const from = check.array(spec.from, "spec.from", { required: true, min: 1, max: 16 });
  for (const [item, i] of objectsOf(check, from, "spec.from")) {
    check.string(item.group, `spec.from[${i}].group`, group);
    check.string(item.kind, `spec.from[${i}].kind`, { required: true, ...RULES.kind });
    check.string(item.namespace, `spec.from[${i}].namespace`, { required: true, ...RULES.label });
  }
  const to = check.array(spec.to, "spec.to", { required: true, min: 1, max: 16 });
  for (const [item, i] of objectsOf(check, to, "spec.to")) {
    check.string(item.group, `spec.to[${i}].group`, group);
    check.string(item.kind, `spec.to[${i}].kind`, { required: true, ...RULES.kind });
    check.string(item.name, `spec.to[${i}].name`, { min: 1, max: 253 });
  }
  return check.errors;
}
