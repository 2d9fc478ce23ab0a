/**
 * Unknown fields, found and pruned as the API server's strict decoding and structural pruning do:
 * against each kind's schema (`known_fields.json`, derived from the CRDs' generated models by
 * `tools/derive_known_fields.ts`), with Kubernetes' field paths (`spec.rules[0].matches[0].header`).
 *
 * @module
 */
import KNOWN_FIELDS from "./known_fields.json" with { type: "json" };

/**
 * What the schema says of one node: `"*"` anything (a scalar, or free-form JSON), an object's
 * fields by name, a map's value schema under the key `"*"`, or a one-item array of the items' schema.
 */
export type FieldTree = "*" | FieldTree[] | { [field: string]: FieldTree };

const TREES = KNOWN_FIELDS as unknown as Record<string, FieldTree>;

/** The schema of a stored kind, or `undefined` for kinds wasmroute does not store. */
export function fieldTreeOf(kind: string): FieldTree | undefined {
  return Object.hasOwn(TREES, kind) ? TREES[kind] : undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Paths of the fields of `value` that `tree` does not know, in document order. A value of the wrong
 * type is not judged here: validation reports it.
 */
export function unknownFields(value: unknown, tree: FieldTree): string[] {
  const out: string[] = [];
  pruneUnknown(value, tree, (field) => out.push(field));
  return out;
}

/**
 * A copy of `value` without the fields `tree` does not know (what the API server stores), in one
 * walk that also hands each dropped field's path to `dropped`.
 */
export function pruneUnknown<T>(value: T, tree: FieldTree, dropped?: (field: string) => void): T {
  return prune(value, tree, "", dropped) as T;
}

function prune(value: unknown, tree: FieldTree, path: string, dropped?: (field: string) => void): unknown {
  if (tree === "*") return value;
  if (Array.isArray(tree)) {
    return Array.isArray(value)
      ? value.map((item, i) => prune(item, tree[0], `${path}[${i}]`, dropped))
      : value;
  }
  if (!isObject(value)) return value;
  const map = Object.hasOwn(tree, "*");
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    const child = map ? tree["*"] : Object.hasOwn(tree, key) ? tree[key] : undefined;
    if (child === undefined) dropped?.(field);
    else out[key] = prune(item, child, field, dropped);
  }
  return out;
}
