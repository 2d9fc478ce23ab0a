/**
 * Reports printed the way pwhost prints them, so the two hosts' outputs diff cleanly.
 *
 * @module
 */

/** JSON with object keys sorted at every level (nlohmann::json's order). */
export function sortedJson(value: unknown, indent = 1): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(
        Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value), null, indent);
}
