import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { assertEquals } from "../../tests/assert.ts";
import { createServerMetrics } from "../metrics.ts";
import { ResourceError } from "../model/resource_error.ts";
import { StoreConflictError, StoreLimitError } from "../store/kv_batch.ts";
import { errorHandler, notFoundHandler, toStatus } from "./error_handlers.ts";

Deno.test("toStatus gives each kind of error its Kubernetes status code", () => {
  const codes = [
    new ResourceError(422, "bad field"),
    new StoreLimitError("too big"),
    new StoreConflictError("stale"),
    new HTTPException(418, { message: "teapot" }),
    new Error("secret detail"),
  ].map((e) => [toStatus(e).code, toStatus(e).message]);
  assertEquals(codes, [
    [422, "bad field"],
    [413, "too big"],
    [409, "stale"],
    [418, "teapot"],
    [500, "internal error; see the server log"],
  ]);
});

Deno.test("errorHandler logs a server error with its stack but answers without it", async () => {
  const logs: Record<string, unknown>[] = [];
  const app = new Hono();
  app.onError(errorHandler({ log: (e) => logs.push(e), metrics: createServerMetrics() }));
  app.notFound(notFoundHandler);
  app.get("/boom", () => {
    throw new Error("secret detail");
  });
  const res = await app.request("/boom");
  assertEquals([res.status, (await res.json()).message], [500, "internal error; see the server log"]);
  assertEquals([logs.length, String(logs[0].error).includes("secret detail")], [1, true]);
  const missing = await app.request("/nowhere", { method: "PUT" });
  assertEquals([missing.status, (await missing.json()).message], [404, "PUT /nowhere is not served"]);
});
