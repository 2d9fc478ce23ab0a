import { assertEquals } from "../../tests/assert.ts";
import { failureStatus, reasonFor, StatusError } from "./kube_status.ts";

Deno.test("reasonFor gives Kubernetes' StatusReason for each code it names", () => {
  const codes = [400, 401, 403, 404, 405, 406, 408, 409, 413, 415, 422, 429, 500, 503, 504];
  assertEquals(codes.map(reasonFor), [
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "MethodNotAllowed",
    "NotAcceptable",
    "Timeout",
    "Conflict",
    "RequestEntityTooLarge",
    "UnsupportedMediaType",
    "Invalid",
    "TooManyRequests",
    "InternalError",
    "ServiceUnavailable",
    "Timeout",
  ]);
});

Deno.test("reasonFor reads an unnamed code as BadRequest below 500 and InternalError from 500", () => {
  assertEquals([410, 499, 501, 502, 599].map(reasonFor), [
    "BadRequest",
    "BadRequest",
    "InternalError",
    "InternalError",
    "InternalError",
  ]);
});

Deno.test("failureStatus is a Failure Status with the code's reason, causes only when there are some", () => {
  assertEquals(failureStatus(404, 'httproutes "a" not found'), {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: 'httproutes "a" not found',
    reason: "NotFound",
    code: 404,
  });
  assertEquals(failureStatus(409, "conflict", [], "AlreadyExists").reason, "AlreadyExists");
  // A cause keeps field, reason and message; the document index is wasmroute's own.
  const cause = {
    field: "spec.port",
    reason: "FieldValueInvalid" as const,
    message: "Invalid value",
    document: 2,
  };
  assertEquals(failureStatus(422, "invalid", [cause]).details, {
    causes: [{ field: "spec.port", reason: "FieldValueInvalid", message: "Invalid value" }],
  });
});

Deno.test("StatusError carries its HTTP status and message, named for logs", () => {
  const e = new StatusError(413, "body too large");
  assertEquals([e.name, e.status, e.message, e instanceof Error], [
    "StatusError",
    413,
    "body too large",
    true,
  ]);
});
