/**
 * Request bodies → Kubernetes objects. Accepts what `kubectl` users have at hand: one JSON object, a
 * JSON array, a `List` (`kind: List` or `HTTPRouteList`) with `items`, or a multi-document YAML stream.
 *
 * @module
 */
import { parseAllDocuments } from "yaml";
import { fieldPathOf, jsonDuplicateFields, yamlDuplicateFields } from "./duplicate_fields.ts";
import type { ValuePath } from "./duplicate_fields.ts";
import { ResourceError } from "./resource_error.ts";
import type { KubeObject } from "./types.ts";

export interface ParseOptions {
  /**
   * Receives each field written twice in one object (the parsed object keeps the last), by the
   * object's index and the field's path: strict field validation refuses them.
   */
  duplicate?: (document: number, field: string) => void;
}

/**
 * Aliases a YAML document may expand. Real manifests use a handful at most; a low ceiling defuses
 * "billion laughs" documents, which grow exponentially with each level of aliases.
 */
const MAX_ALIAS_COUNT = 16;
/** Nesting deeper than any Gateway API object needs; keeps the walk below off the stack limit. */
const MAX_DEPTH = 64;

/**
 * Parses a request body into Kubernetes objects, skipping empty documents.
 *
 * The format comes from `contentType` (`application/json`, `*+json`, anything `yaml`); without one
 * the body is sniffed: text opening with `{` or `[` is tried as JSON, then as YAML (YAML flow style
 * looks the same). Errors name the document by its 0-based position among the objects found so far,
 * counting empty documents out and `List` items in.
 *
 * @throws {ResourceError} status 400 for syntax errors, non-JSON values (`.nan`, `!!binary`), too many
 * aliases, and documents that are not objects with string `apiVersion` and `kind`.
 */
export function parseResources(text: string, contentType?: string, options: ParseOptions = {}): KubeObject[] {
  text = text.replace(/^\uFEFF/, "");
  const mime = contentType?.split(";")[0].trim().toLowerCase() ?? "";
  const declaredJson = mime === "application/json" || mime.endsWith("+json");
  const declaredYaml = mime.includes("yaml");
  if (declaredJson || (!declaredYaml && /^\s*[[{]/.test(text))) {
    try {
      const value = JSON.parse(text);
      return collect([value], options.duplicate && [jsonDuplicateFields(text)], options.duplicate);
    } catch (error) {
      if (error instanceof ResourceError) throw error;
      const message = `invalid JSON: ${(error as Error).message}`;
      if (declaredJson) throw ResourceError.badRequest(message);
      try {
        return parseYaml(text, options);
      } catch {
        throw ResourceError.badRequest(message); // it looked like JSON: that error is the useful one
      }
    }
  }
  return parseYaml(text, options);
}

function parseYaml(text: string, options: ParseOptions): KubeObject[] {
  const values: unknown[] = [];
  const duplicates: ValuePath[][] = [];
  let documents;
  try {
    // Duplicated keys are field validation's to judge (the last one wins, as in JSON).
    documents = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: true });
  } catch (error) {
    // The parser itself can overflow the stack on pathological nesting.
    throw ResourceError.badRequest(`invalid YAML: ${(error as Error).message}`);
  }
  for (const [index, doc] of Array.from(documents).entries()) {
    // Warnings (unresolved tags, …) would silently change meaning: refuse them like errors.
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) {
      const where = problem.linePos
        ? ` at line ${problem.linePos[0].line}, column ${problem.linePos[0].col}`
        : "";
      const first = problem.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw ResourceError.badRequest(`invalid YAML in document ${index}${where}: ${first}`, values.length);
    }
    try {
      values.push(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
      if (options.duplicate) duplicates.push(yamlDuplicateFields(doc));
    } catch (error) {
      throw ResourceError.badRequest(
        `invalid YAML in document ${index}: ${(error as Error).message}`,
        values.length,
      );
    }
  }
  return collect(values, options.duplicate && duplicates, options.duplicate);
}

/**
 * Flattens arrays and Lists, drops empty documents and checks each object's shape. `duplicates`,
 * when given, holds each value's duplicated keys, reported per object to `report`.
 */
function collect(
  values: unknown[],
  duplicates?: ValuePath[][],
  report?: ParseOptions["duplicate"],
): KubeObject[] {
  const objects: KubeObject[] = [];
  let found: ValuePath[] = [];
  const add = (value: unknown, field: string, prefix: ValuePath = []) => {
    const document = objects.length;
    for (const path of found) {
      if (prefix.every((part, i) => path[i] === part) && path.length > prefix.length) {
        report?.(document, fieldPathOf(path.slice(prefix.length)));
      }
    }
    checkJsonValue(value, field, document, 0);
    if (!isPlainObject(value)) {
      throw ResourceError.badRequest(
        `document ${document} is not an object (got ${describe(value)})`,
        document,
        field,
      );
    }
    for (const key of ["apiVersion", "kind"] as const) {
      if (typeof value[key] !== "string" || value[key] === "") {
        throw ResourceError.badRequest(
          `document ${document}: ${key} is required`,
          document,
          join(field, key),
        );
      }
    }
    objects.push(value as unknown as KubeObject);
  };
  for (const [index, value] of values.entries()) {
    found = duplicates?.[index] ?? [];
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      value.forEach((item, i) => add(item, `[${i}]`, [i]));
    } else if (isPlainObject(value) && typeof value.kind === "string" && value.kind.endsWith("List")) {
      if (!Array.isArray(value.items)) {
        throw ResourceError.badRequest(`${value.kind} needs an items array`, objects.length, "items");
      }
      value.items.forEach((item, i) => add(item, `items[${i}]`, ["items", i]));
    } else {
      add(value, "");
    }
  }
  return objects;
}

/** Only what JSON can carry may be stored: no NaN, no binary, no dates. */
function checkJsonValue(value: unknown, field: string, document: number, depth: number): void {
  if (depth > MAX_DEPTH) {
    throw ResourceError.badRequest(`document ${document} is nested too deeply`, document, field);
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (Number.isFinite(value)) return;
  } else if (Array.isArray(value)) {
    return value.forEach((item, i) => checkJsonValue(item, `${field}[${i}]`, document, depth + 1));
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkJsonValue(item, join(field, key), document, depth + 1);
    }
    return;
  }
  throw ResourceError.badRequest(
    `document ${document}: ${field || "value"} is not a JSON value (got ${describe(value)})`,
    document,
    field,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value === "number" ? String(value) : typeof value;
}

const join = (field: string, key: string) => (field ? `${field}.${key}` : key);
