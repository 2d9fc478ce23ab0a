/**
 * A small, path-aware collector of field errors with Kubernetes' wording. It stands in for the CRD's
 * OpenAPI schema until a JSON-schema validator takes over; validators written against it only say
 * *what* to check, so they port over one rule at a time.
 *
 * @module
 */
import type { CauseType, FieldError } from "./resource_error.ts";

type Json = Record<string, unknown>;

export interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Says what `pattern` means, e.g. `a lowercase RFC 1123 label`. */
  patternHint?: string;
  values?: readonly string[];
}

export interface IntegerRule {
  required?: boolean;
  min?: number;
  max?: number;
}

interface ArrayRule {
  required?: boolean;
  min?: number;
  max?: number;
}

export class FieldChecker {
  readonly errors: FieldError[] = [];

  add(field: string, reason: CauseType, message: string): void {
    this.errors.push({ field, reason, message });
  }

  /** `undefined` when absent or mistyped (the error is recorded); the object otherwise. */
  object(value: unknown, field: string, required = false): Json | undefined {
    if (value === undefined || value === null) {
      if (required) this.add(field, "FieldValueRequired", "Required value");
      return undefined;
    }
    if (typeof value !== "object" || Array.isArray(value)) return this.#type(value, field, "object");
    return value as Json;
  }

  array(value: unknown, field: string, rule: ArrayRule = {}): unknown[] | undefined {
    if (value === undefined || value === null) {
      if (rule.required) this.add(field, "FieldValueRequired", "Required value");
      return undefined;
    }
    if (!Array.isArray(value)) return this.#type(value, field, "array");
    if (rule.max !== undefined && value.length > rule.max) {
      this.add(field, "FieldValueTooMany", `Too many: ${value.length}: must have at most ${rule.max} items`);
    } else if (rule.min !== undefined && value.length < rule.min) {
      const reason = value.length === 0 && rule.required ? "FieldValueRequired" : "FieldValueInvalid";
      this.add(field, reason, `Invalid value: ${value.length}: must have at least ${rule.min} items`);
    }
    return value;
  }

  string(value: unknown, field: string, rule: StringRule = {}): string | undefined {
    if (value === undefined || value === null) {
      if (rule.required) this.add(field, "FieldValueRequired", "Required value");
      return undefined;
    }
    if (typeof value !== "string") return this.#type(value, field, "string");
    if (rule.values && !rule.values.includes(value)) {
      const supported = rule.values.map((v) => JSON.stringify(v)).join(", ");
      this.add(
        field,
        "FieldValueNotSupported",
        `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported}`,
      );
    } else if (rule.required && value === "" && (rule.min ?? 1) > 0) {
      this.add(field, "FieldValueRequired", "Required value");
    } else if (rule.max !== undefined && value.length > rule.max) {
      this.add(field, "FieldValueTooLong", `Too long: may not be more than ${rule.max} bytes`);
    } else if (rule.min !== undefined && value.length < rule.min) {
      this.invalid(field, value, `must be at least ${rule.min} characters`);
    } else if (rule.pattern && !rule.pattern.test(value)) {
      this.invalid(field, value, `must be ${rule.patternHint ?? `of the form ${rule.pattern.source}`}`);
    }
    return value;
  }

  integer(value: unknown, field: string, rule: IntegerRule = {}): number | undefined {
    if (value === undefined || value === null) {
      if (rule.required) this.add(field, "FieldValueRequired", "Required value");
      return undefined;
    }
    if (typeof value !== "number" || !Number.isInteger(value)) return this.#type(value, field, "integer");
    if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
      this.invalid(field, value, `must be between ${rule.min ?? "-∞"} and ${rule.max ?? "∞"}, inclusive`);
    }
    return value;
  }

  invalid(field: string, value: unknown, why: string): void {
    this.add(field, "FieldValueInvalid", `Invalid value: ${JSON.stringify(value)}: ${why}`);
  }

  /** Reports each later item whose `key` equals an earlier one's. */
  unique<T>(items: T[], field: (i: number) => string, key: (item: T) => string | undefined): void {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const k = key(item);
      if (k === undefined) return;
      if (seen.has(k)) this.add(field(i), "FieldValueDuplicate", `Duplicate value: ${JSON.stringify(k)}`);
      seen.add(k);
    });
  }

  #type(value: unknown, field: string, want: string): undefined {
    const got = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    this.add(
      field,
      "FieldValueTypeInvalid",
      `Invalid value: ${JSON.stringify(got)}: must be of type ${want}`,
    );
    return undefined;
  }
}

/** Items of an array that are objects, with their indices (others are reported). */
export function objectsOf(
  check: FieldChecker,
  items: unknown[] | undefined,
  field: string,
): [Json, number][] {
  const out: [Json, number][] = [];
  items?.forEach((item, i) => {
    const obj = check.object(item, `${field}[${i}]`, true);
    if (obj) out.push([obj, i]);
  });
  return out;
}
