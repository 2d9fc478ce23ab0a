/**
 * Request bodies → objects, with Kubernetes' server-side field validation (`?fieldValidation=`):
 * unknown and duplicated fields are refused (`Strict`, wasmroute's default, as kubectl's
 * `--validate=strict`), reported as warnings (`Warn`) or dropped silently (`Ignore`). Either way
 * what is kept is what the API server would store: the object pruned to its schema's fields.
 *
 * @module
 */
import { parseResources } from "./parse_resources.ts";
import { ResourceError } from "./resource_error.ts";
import type { FieldError } from "./resource_error.ts";
import { fieldTreeOf, pruneUnknown } from "./strict_fields.ts";
import type { KubeObject } from "./types.ts";

/** Kubernetes' `fieldValidation` directive. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

const MODES: readonly FieldValidation[] = ["Ignore", "Warn", "Strict"];

/**
 * The directive of a request's `?fieldValidation=`; absent, `Strict`.
 *
 * @throws {ResourceError} 400 for any other value, in the API server's words.
 */
export function fieldValidationOf(value: string | undefined): FieldValidation {
  if (value === undefined || value === "") return "Strict";
  if ((MODES as readonly string[]).includes(value)) return value as FieldValidation;
  throw ResourceError.badRequest(
    `fieldValidation parameter unsupported: ${
      JSON.stringify(value)
    }: must be one of "Ignore", "Warn", or "Strict"`,
  );
}

export interface DecodeOptions {
  fieldValidation?: FieldValidation;
  /** Receives each `Warn` finding, worded as the API server's `Warning` header text. */
  warn?: (message: string) => void;
}

/**
 * Parses `text` ({@linkcode parseResources}) and applies field validation to each object of a kind
 * wasmroute stores (others are left for admission to refuse).
 *
 * @throws {ResourceError} 400 for a body that cannot be parsed, and under `Strict` for any unknown
 * or duplicated field: `HTTPRoute in version "v1" cannot be handled as a HTTPRoute: strict decoding
 * error: unknown field "spec.rules[0].matches[0].header"`, with one cause per field.
 */
export function decodeResources(
  text: string,
  contentType: string | undefined,
  options: DecodeOptions = {},
): KubeObject[] {
  const mode = options.fieldValidation ?? "Strict";
  const duplicates = new Map<number, string[]>();
  const objects = parseResources(text, contentType, {
    duplicate: mode === "Ignore" ? undefined : (document, field) => {
      duplicates.set(document, [...duplicates.get(document) ?? [], field]);
    },
  });
  const causes: FieldError[] = [];
  const summaries: string[] = [];
  const decoded = objects.map((obj, document) => {
    const tree = fieldTreeOf(obj.kind);
    if (!tree) return obj;
    const findings = (duplicates.get(document) ?? []).map((field) => ({
      field,
      message: `duplicate field "${field}"`,
    }));
    const pruned = pruneUnknown(
      obj,
      tree,
      mode === "Ignore"
        ? undefined
        : (field) => findings.push({ field, message: `unknown field "${field}"` }),
    );
    if (mode === "Warn") {
      // One object per request in Kubernetes; here a body may hold several, so say which.
      const which = objects.length > 1 ? `${identify(obj)}: ` : "";
      findings.forEach((f) => options.warn?.(which + f.message));
    }
    if (mode === "Strict" && findings.length) {
      summaries.push(
        `${handledAs(obj)}: strict decoding error: ${findings.map((f) => f.message).join(", ")}`,
      );
      causes.push(...findings.map((f) => ({ ...f, reason: "FieldValueInvalid" as const, document })));
    }
    return pruned;
  });
  if (causes.length) throw new ResourceError(400, summaries.join("; "), causes);
  return decoded;
}

/** `HTTPRoute in version "v1" cannot be handled as a HTTPRoute`: the API server's opening. */
function handledAs(obj: KubeObject): string {
  const version = obj.apiVersion.slice(obj.apiVersion.indexOf("/") + 1);
  return `${obj.kind} in version ${JSON.stringify(version)} cannot be handled as a ${obj.kind}`;
}

function identify(obj: KubeObject): string {
  const meta = (typeof obj.metadata === "object" && obj.metadata ? obj.metadata : {}) as Record<
    string,
    unknown
  >;
  const name = typeof meta.name === "string" ? meta.name : "?";
  return `${obj.kind} ${typeof meta.namespace === "string" ? `${meta.namespace}/` : ""}${name}`;
}
