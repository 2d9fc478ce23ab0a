/**
 * How every API error leaves: as a Kubernetes `Status` body with the status code it names.
 *
 * @module
 */
import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ServerMetrics } from "../metrics.ts";
import { failureStatus, StatusError } from "../model/kube_status.ts";
import { ResourceError } from "../model/resource_error.ts";
import { AuthError } from "../security/bearer_auth.ts";
import { StoreConflictError, StoreLimitError } from "../store/kv_batch.ts";

export interface ErrorHandlerDeps {
  log: (entry: Record<string, unknown>) => void;
  metrics: ServerMetrics;
}

/** One place that turns any error into a Kubernetes `Status`. */
export function toStatus(error: unknown): ReturnType<typeof failureStatus> {
  if (error instanceof ResourceError) {
    return failureStatus(error.status, error.message, error.causes, error.reason);
  }
  if (error instanceof StatusError) return failureStatus(error.status, error.message);
  if (error instanceof StoreLimitError) return failureStatus(413, error.message);
  if (error instanceof StoreConflictError) return failureStatus(409, error.message);
  if (error instanceof HTTPException) {
    return failureStatus(error.status, error.message || `HTTP ${error.status}`);
  }
  return failureStatus(500, "internal error; see the server log");
}

/**
 * The app's `onError`: the error as a `Status`, counted (validation and auth failures), with
 * `WWW-Authenticate` on a 401; a server error is logged with its stack, never sent.
 */
export function errorHandler({ log, metrics }: ErrorHandlerDeps): ErrorHandler {
  return (error, c) => {
    const status = toStatus(error);
    if (error instanceof ResourceError) metrics.validationFailures.inc({ reason: error.reason });
    if (error instanceof AuthError) {
      metrics.authFailures.inc({ reason: error.status === 401 ? "unauthenticated" : "forbidden" });
      if (error.status === 401) c.header("WWW-Authenticate", 'Bearer realm="wasmroute"');
    }
    if (status.code >= 500) {
      log({
        level: "error",
        msg: "request failed",
        method: c.req.method,
        path: c.req.path,
        error: String(error?.stack ?? error),
      });
    }
    return c.json(status, status.code as HTTPException["status"]);
  };
}

/** The app's `notFound`: a 404 `Status` naming the method and path. */
export const notFoundHandler: NotFoundHandler = (c) =>
  c.json(failureStatus(404, `${c.req.method} ${c.req.path} is not served`), 404);
