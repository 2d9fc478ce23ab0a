/**
 * The check a field of a decoded body needs before it is read as a record.
 *
 * @module
 */

/** Whether `value` is a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
