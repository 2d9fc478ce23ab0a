import { Hono } from "hono";
import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { ResourceError } from "../model/resource_error.ts";
import type { KubeObject } from "../model/types.ts";
import { errorHandler } from "./error_handlers.ts";
import { createServerMetrics } from "../metrics.ts";
import { clientResourceVersion, ifMatchOf } from "./write_preconditions.ts";

Deno.test("ifMatchOf reads *, a quoted or bare tag, and refuses lists and empty tags", async () => {
  const app = new Hono();
  app.onError(errorHandler({ log: () => {}, metrics: createServerMetrics() }));
  app.get("/", (c) => c.json(ifMatchOf(c) ?? null));
  const ask = async (value?: string) => {
    const res = await app.request("/", { headers: value === undefined ? {} : { "If-Match": value } });
    return [res.status, await res.json()];
  };
  assertEquals(await ask(), [200, null]);
  assertEquals(await ask("*"), [200, { mustExist: true }]);
  assertEquals(await ask('"42"'), [200, { resourceVersion: "42" }]);
  assertEquals(await ask("42"), [200, { resourceVersion: "42" }]);
  assertEquals((await ask('"1", "2"'))[0], 400);
  assertEquals((await ask('""'))[0], 400);
});

Deno.test("clientResourceVersion takes a string or a number; anything else is a 422", () => {
  const obj = (resourceVersion: unknown) =>
    ({ apiVersion: "v1", kind: "Service", metadata: { name: "a", resourceVersion } }) as KubeObject;
  assertEquals([obj("7"), obj(7), obj(""), obj(undefined)].map(clientResourceVersion), [
    "7",
    "7",
    undefined,
    undefined,
  ]);
  assertThrows(() => clientResourceVersion(obj({ v: 1 })), ResourceError, "must be a string");
});
