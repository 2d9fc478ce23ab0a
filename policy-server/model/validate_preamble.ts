/**
 * The preamble every kind's validator starts with: the document is an object, with one of the kind's
 * apiVersions, the kind itself and valid metadata. One helper, so that every kind words these
 * checks the same way.
 *
 * @module
 */
import type { FieldChecker } from "./field_checker.ts";
import { type MetadataRules, validateMetadata } from "./validate_metadata.ts";

/** What a kind's preamble must say. */
export interface Preamble extends MetadataRules {
  apiVersions: readonly string[];
  kind: string;
}

/**
 * Checks the preamble of `obj` and returns it as an object, or undefined when it is not one (the
 * error is in `check`, and nothing else of the document can be checked).
 */
export function validatePreamble(
  check: FieldChecker,
  obj: unknown,
  preamble: Preamble,
): Record<string, unknown> | undefined {
  const doc = check.object(obj, "", true);
  if (!doc) return undefined;
  check.string(doc.apiVersion, "apiVersion", { required: true, values: preamble.apiVersions });
  check.string(doc.kind, "kind", { required: true, values: [preamble.kind] });
  validateMetadata(check, doc.metadata, { name: preamble.name, namespaced: preamble.namespaced });
  return doc;
}
