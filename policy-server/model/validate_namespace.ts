/**
 * Field validation of Namespaces: their name and labels, which is all `allowedRoutes` selectors read.
 *
 * @module
 */
import { FieldChecker } from "./field_checker.ts";
import type { FieldError } from "./resource_error.ts";
import { CORE_V1 } from "./types.ts";
import { RULES } from "./validate_metadata.ts";
import { validatePreamble } from "./validate_preamble.ts";

export const NAMESPACE_API_VERSIONS: readonly string[] = [CORE_V1];

/**
 * Validates one Namespace and returns every problem found, each with its field path. An empty list
 * means valid. `metadata.namespace` is ignored: Namespaces are cluster-scoped.
 */
export function validateNamespace(obj: unknown): FieldError[] {
  const check = new FieldChecker();
  validatePreamble(check, obj, {
    apiVersions: NAMESPACE_API_VERSIONS,
    kind: "Namespace",
    name: RULES.label,
    namespaced: false,
  });
  return check.errors;
}
