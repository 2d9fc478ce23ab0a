/**
 * The one way a request body becomes text for the parsers: by its declared format (415 otherwise),
 * as valid UTF-8, after the linear shape check. Only then may a parser see it.
 *
 * @module
 */
import type { Context } from "hono";
import { ResourceError } from "../model/resource_error.ts";
import { bodyFormatOf } from "./body_format.ts";
import { checkBodyShape } from "./check_body_shape.ts";
import type { BodyShapeLimits } from "./check_body_shape.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads the body of `c` (bounded by {@linkcode requestBudget}) as text fit for the JSON or YAML
 * parser its `Content-Type` names.
 *
 * @throws {StatusError} 415 for a body that is neither JSON nor YAML; 413/408 from the budget.
 * @throws {ResourceError} 400 for bytes that are not UTF-8 (they would be stored as U+FFFD) and for a
 * body nested too deeply or with too many documents.
 */
export async function readBodyText(c: Context, limits?: Partial<BodyShapeLimits>): Promise<string> {
  const format = bodyFormatOf(c.req.header("Content-Type"));
  const text = decodeUtf8(new Uint8Array(await c.req.arrayBuffer()));
  checkBodyShape(text, format, limits);
  return text;
}

/** The text of `bytes`; a 400 when they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw ResourceError.badRequest("the body is not valid UTF-8");
  }
}
