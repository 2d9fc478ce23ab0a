/**
 * What the translation steps of `buildIr` share: the problems a rule reports as route status, and
 * the inventory references are resolved against.
 *
 * @module
 */
import type { KubeObject } from "../model/types.ts";
import type { BackendInventory } from "./resolve_backend.ts";

/** Gateway API's reason for a rule that could not be fully honoured. */
export interface RuleProblem {
  type: "Accepted" | "ResolvedRefs";
  reason: string;
  message: string;
}

/** The objects routes refer to, by `namespace/name`; a kind is undefined when none was given. */
export interface Inventory extends BackendInventory {
  gateways?: Map<string, KubeObject>;
  namespaceLabels: Map<string, Record<string, string>>;
}

export function indexInventory(resources: KubeObject[]): Inventory {
  const byKey = (kind: string) => {
    const found = resources.filter((r) => r.kind === kind);
    return found.length
      ? new Map(found.map((r) => [`${r.metadata.namespace ?? ""}/${r.metadata.name}`, r]))
      : undefined;
  };
  const namespaceLabels = new Map(
    resources.filter((r) => r.kind === "Namespace").map((r) => [r.metadata.name, r.metadata.labels ?? {}]),
  );
  return {
    gateways: byKey("Gateway"),
    services: byKey("Service"),
    serviceImports: byKey("ServiceImport"),
    referenceGrants: resources.filter((r) => r.kind === "ReferenceGrant"),
    namespaceLabels,
  };
}
