/**
 * Metadata validation shared by every kind, and the Kubernetes and Gateway API string formats the
 * validators have in common.
 *
 * @module
 */
import type { FieldChecker, StringRule } from "./field_checker.ts";

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const GROUP = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

/** String rules by the name Kubernetes and Gateway API give the format. */
export const RULES = {
  /** RFC 1123 label: namespaces, port names. */
  label: { min: 1, max: 63, pattern: LABEL, patternHint: "a lowercase RFC 1123 label" },
  /** RFC 1035 label: Service names, which become DNS names and must start with a letter. */
  dns1035Label: {
    min: 1,
    max: 63,
    pattern: DNS1035_LABEL,
    patternHint: "a lowercase RFC 1035 label (starting with a letter)",
  },
  /** RFC 1123 subdomain: names of custom resources, listener and section names. */
  subdomain: { min: 1, max: 253, pattern: SUBDOMAIN, patternHint: "a lowercase RFC 1123 subdomain" },
  /** Gateway API `Hostname`: a precise name or a `*.` wildcard. */
  hostname: {
    min: 1,
    max: 253,
    pattern: HOSTNAME,
    patternHint: "a lowercase hostname, optionally prefixed with '*.'",
  },
  /** An API group; "" is the core group. */
  group: { max: 253, pattern: GROUP, patternHint: "a lowercase RFC 1123 subdomain or empty" },
  kind: { min: 1, max: 63, pattern: KIND, patternHint: "a Kind name (letters, digits and '-')" },
} as const satisfies Record<string, StringRule>;

export interface MetadataRules {
  /** The format of `metadata.name`. */
  name: StringRule;
  /**
   * Whether the kind lives in a namespace. A cluster-scoped object's `metadata.namespace` is not
   * checked: the API server clears it, and so does admission.
   */
  namespaced: boolean;
}

/** Checks `metadata`: name, namespace, and labels and annotations as string maps. */
export function validateMetadata(check: FieldChecker, value: unknown, rules: MetadataRules): void {
  const metadata = check.object(value, "metadata", true);
  if (!metadata) return;
  check.string(metadata.name, "metadata.name", { required: true, ...rules.name });
  if (rules.namespaced) check.string(metadata.namespace, "metadata.namespace", RULES.label);
  for (const map of ["labels", "annotations"]) {
    const entries = check.object(metadata[map], `metadata.${map}`);
    for (const [key, v] of Object.entries(entries ?? {})) check.string(v, `metadata.${map}.${key}`);
  }
}
