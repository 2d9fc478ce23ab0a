/**
 * Field errors from a Gateway API OpenAPI schema, as compiled by `@kubernetes-models/gateway-api`
 * (ajv standalone validators generated from the CRDs), in Kubernetes' wording. The hand-written
 * validators check what wasmroute reads and the CRDs' CEL rules (which the generated validators do
 * not carry); this pass adds whatever else the schema says — types, enums, patterns, bounds — so
 * that what the API server would refuse is refused here too.
 *
 * @module
 */
import type { CauseType, FieldError } from "./resource_error.ts";

/** The shape of an ajv error as the generated validators report it. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** A generated validator: `true` when valid, with the problems in `.errors` otherwise. */
export type SchemaValidator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/** `/spec/rules/0/filters/1` → `spec.rules[0].filters[1]`. */
export function fieldPath(instancePath: string): string {
  let out = "";
  for (const part of instancePath.split("/").slice(1)) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(key) ? `[${key}]` : out ? `.${key}` : key;
  }
  return out;
}

const at = (value: unknown, path: string): unknown => {
  let v = value;
  for (const part of path.split("/").slice(1)) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return v;
};

/** The API server's OpenAPI validation names the field "in body": `spec.port in body should …`. */
const inBody = (field: string) => `${field} in body`;

const typeName = (v: unknown) =>
  Array.isArray(v) ? "array" : v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v;

function cause(error: SchemaError, value: unknown): { field: string; reason: CauseType; message: string } {
  const field = fieldPath(error.instancePath);
  const shown = JSON.stringify(value);
  const p = error.params;
  switch (error.keyword) {
    case "required":
      return {
        field: field ? `${field}.${p.missingProperty}` : String(p.missingProperty),
        reason: "FieldValueRequired",
        message: "Required value",
      };
    case "type":
      return {
        field,
        reason: "FieldValueTypeInvalid",
        message: `Invalid value: "${typeName(value)}": ${inBody(field)} must be of type ${p.type}: "${
          typeName(value)
        }"`,
      };
    case "enum":
      return {
        field,
        reason: "FieldValueNotSupported",
        message: `Unsupported value: ${shown}: supported values: ${
          (p.allowedValues as unknown[]).map((v) => JSON.stringify(String(v))).join(", ")
        }`,
      };
    case "maxLength":
      return {
        field,
        reason: "FieldValueTooLong",
        message: `Too long: may not be more than ${p.limit} bytes`,
      };
    case "maxItems":
      return {
        field,
        reason: "FieldValueTooMany",
        message: `Too many: ${(value as unknown[]).length}: must have at most ${p.limit} items`,
      };
    case "pattern":
      return {
        field,
        reason: "FieldValueInvalid",
        message: `Invalid value: ${shown}: ${inBody(field)} should match '${p.pattern}'`,
      };
    case "minLength":
      return {
        field,
        reason: "FieldValueInvalid",
        message: `Invalid value: ${shown}: ${inBody(field)} should be at least ${p.limit} chars long`,
      };
    case "minItems":
      return {
        field,
        reason: "FieldValueInvalid",
        message: `Invalid value: ${(value as unknown[]).length}: ${
          inBody(field)
        } should have at least ${p.limit} items`,
      };
    case "minimum":
    case "maximum":
      return {
        field,
        reason: "FieldValueInvalid",
        message: `Invalid value: ${shown}: ${inBody(field)} should be ${
          error.keyword === "minimum" ? "greater" : "less"
        } than or equal to ${p.limit}`,
      };
    case "format":
      return {
        field,
        reason: "FieldValueInvalid",
        message: `Invalid value: ${shown}: ${inBody(field)} must be of type ${p.format}: ${shown}`,
      };
    default:
      return {
        field,
        reason: "FieldValueInvalid",
        message: `Invalid value: ${shown}: fails the schema's ${error.keyword} rule`,
      };
  }
}

/**
 * Runs `validate` over `obj` and returns its problems as field errors, one per field, leaving out
 * fields `known` already reports (the hand-written checks say it better).
 */
export function schemaErrors(
  validate: SchemaValidator,
  obj: unknown,
  known: readonly FieldError[] = [],
): FieldError[] {
  if (validate(obj)) return [];
  const seen = new Set(known.map((e) => e.field));
  const out: FieldError[] = [];
  for (const error of validate.errors ?? []) {
    const c = cause(error, at(obj, error.instancePath));
    if (seen.has(c.field)) continue;
    seen.add(c.field);
    out.push(c);
  }
  return out;
}

/**
 * `written`'s errors (hand-written checks, in document order) with the schema's finding in place of
 * any at the same field — the schema's is the API server's OpenAPI wording — then the schema's
 * findings at fields the checks did not name. CEL and other hand-written findings stay as written.
 */
export function withSchemaErrors(
  written: readonly FieldError[],
  validate: SchemaValidator,
  obj: unknown,
): FieldError[] {
  const schema = new Map(schemaErrors(validate, obj).map((e) => [e.field, e]));
  const named = new Set(written.map((e) => e.field));
  return [
    ...written.map((e) => schema.get(e.field) ?? e),
    ...[...schema.values()].filter((e) => !named.has(e.field)),
  ];
}
