/**
 * The worker that decodes a large YAML body off the server's event loop (see
 * {@linkcode decodeBodyText}): the YAML parser takes about a millisecond per kilobyte, and a request
 * must not hold `/healthz` (and every other request) for that long.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { decodeResources } from "../model/decode_resources.ts";
import type { FieldValidation } from "../model/decode_resources.ts";
import { ResourceError } from "../model/resource_error.ts";

/** What the server asks. */
export interface DecodeRequest {
  text: string;
  contentType: string;
  fieldValidation?: FieldValidation;
}

/** What the worker answers: the objects and warnings, or the error as plain data. */
export type DecodeAnswer =
  | { objects: unknown[]; warnings: string[] }
  | { error: { status: 400 | 422; message: string; causes: ResourceError["causes"] } | { message: string } };

self.onmessage = (event: MessageEvent<DecodeRequest>) => {
  const { text, contentType, fieldValidation } = event.data;
  const warnings: string[] = [];
  let answer: DecodeAnswer;
  try {
    const objects = decodeResources(text, contentType, { fieldValidation, warn: (w) => warnings.push(w) });
    answer = { objects, warnings };
  } catch (error) {
    answer = {
      error: error instanceof ResourceError
        ? { status: error.status as 400 | 422, message: error.message, causes: error.causes }
        : { message: String((error as Error)?.stack ?? error) },
    };
  }
  self.postMessage(answer);
};
