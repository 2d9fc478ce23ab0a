/**
 * Kubernetes `Status` bodies: what `kubectl` and client libraries expect from a failed request.
 *
 * @module
 */
import type { FieldError } from "./resource_error.ts";

export interface StatusCause {
  field: string;
  reason: string;
  message: string;
}

export interface KubeStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message: string;
  reason: string;
  code: number;
  details?: { causes: StatusCause[] };
}

/** Kubernetes `StatusReason` for an HTTP status code. */
const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  408: "Timeout",
  504: "Timeout",
};

/** An error the API answers with its HTTP status (as a failure `Status`, the reason for that code). */
export class StatusError<S extends number = number> extends Error {
  override name = "StatusError";
  constructor(readonly status: S, message: string) {
    super(message);
  }
}

export function reasonFor(code: number): string {
  return REASONS[code] ?? (code >= 500 ? "InternalError" : "BadRequest");
}

/** A failure `Status`; causes keep only the members Kubernetes defines. */
export function failureStatus(
  code: number,
  message: string,
  causes: FieldError[] = [],
  reason = reasonFor(code),
): KubeStatus {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
    ...(causes.length > 0 && {
      details: { causes: causes.map(({ field, reason, message }) => ({ field, reason, message })) },
    }),
  };
}
