/**
 * Errors about submitted resources, shaped like Kubernetes' `StatusCause`s so the HTTP layer can
 * answer with a `Status` body without translating.
 *
 * @module
 */

/** Kubernetes `CauseType`s that wasmroute reports. */
export type CauseType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueTypeInvalid";

/** One problem with one field of one submitted document. */
export interface FieldError {
  /** Path in the object, e.g. `spec.rules[0].backendRefs[1].port`; empty for the whole document. */
  field: string;
  reason: CauseType;
  message: string;
  /** 0-based index of the document in the request, when known. */
  document?: number;
}

/**
 * Submitted resources were refused. `status` 400 means the request could not be read as resources
 * at all (syntax, unsupported kind); 422 means it was read but some fields are invalid.
 */
export class ResourceError extends Error {
  override name = "ResourceError";
  readonly status: 400 | 422;
  /** Kubernetes `StatusReason`: `BadRequest` for 400, `Invalid` for 422. */
  readonly reason: "BadRequest" | "Invalid";
  readonly causes: FieldError[];

  constructor(status: 400 | 422, message: string, causes: FieldError[] = []) {
    super(message);
    this.status = status;
    this.reason = status === 400 ? "BadRequest" : "Invalid";
    this.causes = causes;
  }

  /** Field of the first cause. */
  get field(): string | undefined {
    return this.causes[0]?.field;
  }

  /** Document of the first cause. */
  get document(): number | undefined {
    return this.causes[0]?.document;
  }

  /** A 400 about one document (or the whole body when `document` is undefined). */
  static badRequest(message: string, document?: number, field = ""): ResourceError {
    return new ResourceError(400, message, [{ field, reason: "FieldValueInvalid", message, document }]);
  }
}
