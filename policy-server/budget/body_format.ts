/**
 * What a request body is, by its `Content-Type` and nothing else: JSON or YAML, anything else is a
 * 415. Sniffing made a `text/plain` POST (the kind a web page may send cross-origin without asking)
 * a valid write, and sent JSON-looking bodies through the slower YAML parser when JSON failed.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { StatusError } from "../model/kube_status.ts";

export type BodyFormat = "json" | "yaml";

/** The API server's own wording, less the protobuf it accepts and we do not. */
const UNSUPPORTED =
  "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml";

/**
 * The format a `Content-Type` names: `application/json` and `*+json` are JSON; `application/yaml`,
 * `application/x-yaml`, `text/yaml`, `text/x-yaml` and `*+yaml` are YAML.
 *
 * @throws {StatusError} 415 for anything else, a missing type included.
 *
 * @example
 * ```ts
 * import { bodyFormatOf } from "./body_format.ts";
 * if (bodyFormatOf("application/json; charset=utf-8") !== "json") throw new Error();
 * if (bodyFormatOf("application/yaml") !== "yaml") throw new Error();
 * ```
 */
export function bodyFormatOf(contentType: string | undefined): BodyFormat {
  const mime = contentType?.split(";")[0].trim().toLowerCase() ?? "";
  if (mime === "application/json" || /^application\/[\w.+-]+\+json$/.test(mime)) return "json";
  if (/^(application|text)\/(x-)?yaml$/.test(mime) || /^application\/[\w.+-]+\+yaml$/.test(mime)) {
    return "yaml";
  }
  throw new StatusError(415, UNSUPPORTED);
}

/** 415 for a `POST`, `PUT` or `PATCH` whose body is neither JSON nor YAML, before anything reads it. */
export function bodyMediaType(): MiddlewareHandler {
  return async (c, next) => {
    const m = c.req.method;
    if ((m === "POST" || m === "PUT" || m === "PATCH") && c.req.raw.body) {
      bodyFormatOf(c.req.header("Content-Type"));
    }
    await next();
  };
}
