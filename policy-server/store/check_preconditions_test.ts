import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { sampleNamespace, sampleRoute } from "../model/testing.ts";
import type { StoredObject } from "../model/types.ts";
import { checkPreconditions, PreconditionError, resourceName } from "./check_preconditions.ts";
import { keyOf, keyString } from "./store.ts";
import type { ObjectKey } from "./store.ts";

const route = {
  ...sampleRoute(),
  metadata: { ...sampleRoute().metadata, resourceVersion: "7" },
} as StoredObject;
const byKey = new Map([[keyString(keyOf(route)), route]]);
const stored = { get: (k: ObjectKey) => byKey.get(keyString(k)) };
const key = keyOf(route);
const missing = { ...key, name: "missing" };

Deno.test("checkPreconditions passes a matching resourceVersion and an existing object", () => {
  checkPreconditions(stored, [{ key, resourceVersion: "7" }, { key, mustExist: true }, { key: missing }]);
});

Deno.test("checkPreconditions: a stale version is 409, a missing object 404 (409 when a version was named)", () => {
  const stale = assertThrows(
    () => checkPreconditions(stored, [{ key, resourceVersion: "6" }]),
    PreconditionError,
  );
  assertEquals([(stale as PreconditionError).status, stale.name], [409, "PreconditionError"]);
  assertEquals(
    stale.message,
    'Operation cannot be fulfilled on httproutes.gateway.networking.k8s.io "web": the object has been modified; ' +
      "please apply your changes to the latest version and try again (resourceVersion is 7, not 6)",
  );
  const gone = assertThrows(
    () => checkPreconditions(stored, [{ key: missing, mustExist: true }]),
    PreconditionError,
  );
  assertEquals([(gone as PreconditionError).status, gone.message], [
    404,
    'httproutes.gateway.networking.k8s.io "missing" not found',
  ]);
  const named = assertThrows(
    () => checkPreconditions(stored, [{ key: missing, resourceVersion: "1" }]),
    PreconditionError,
  );
  assertEquals((named as PreconditionError).status, 409);
});

Deno.test("resourceName names core kinds without a group", () => {
  assertEquals(resourceName(keyOf(sampleNamespace("apps") as StoredObject)), 'namespaces "apps"');
});

Deno.test("checkPreconditions says which version was expected of an object that does not exist", () => {
  const named = assertThrows(
    () => checkPreconditions(stored, [{ key: missing, resourceVersion: "1" }]),
    PreconditionError,
  );
  assertEquals(
    named.message,
    'Operation cannot be fulfilled on httproutes.gateway.networking.k8s.io "missing": the object does not exist ' +
      "(resourceVersion 1 was expected)",
  );
});

Deno.test("checkPreconditions refuses with the first precondition that fails, after passing earlier ones", () => {
  const first = assertThrows(
    () =>
      checkPreconditions(stored, [
        { key, resourceVersion: "7" },
        { key: missing, mustExist: true },
        { key, resourceVersion: "6" },
      ]),
    PreconditionError,
  );
  assertEquals([(first as PreconditionError).status, first.message], [
    404,
    'httproutes.gateway.networking.k8s.io "missing" not found',
  ]);
  const later = assertThrows(
    () =>
      checkPreconditions(stored, [{ key, mustExist: true }, { key: missing }, { key, resourceVersion: "8" }]),
    PreconditionError,
  );
  assertEquals((later as PreconditionError).status, 409);
});
