import { assertEquals } from "../../tests/assert.ts";
import type { KubeObject } from "../model/types.ts";
import { indexInventory } from "./inventory.ts";

const obj = (kind: string, name: string, namespace?: string, labels?: Record<string, string>) =>
  ({ apiVersion: "v1", kind, metadata: { name, namespace, labels }, spec: {} }) as unknown as KubeObject;

Deno.test("indexInventory keys each kind by namespace/name, and leaves a kind with no object undefined", () => {
  const web = obj("Service", "web", "shop");
  const imported = obj("ServiceImport", "web", "shop");
  const gw = obj("Gateway", "gw", "infra");
  const bare = obj("Service", "bare");
  const inventory = indexInventory([web, imported, gw, bare]);
  assertEquals(inventory.services, new Map([["shop/web", web], ["/bare", bare]]));
  assertEquals(inventory.serviceImports, new Map([["shop/web", imported]]));
  assertEquals(inventory.gateways, new Map([["infra/gw", gw]]));
  assertEquals(indexInventory([web]).gateways, undefined);
  assertEquals(indexInventory([web]).serviceImports, undefined);
  assertEquals(indexInventory([]).services, undefined);
});

Deno.test("indexInventory keeps the ReferenceGrants in order and the labels of Namespaces only", () => {
  const grants = [obj("ReferenceGrant", "a", "shop"), obj("ReferenceGrant", "b", "web")];
  const inventory = indexInventory([
    grants[0],
    obj("Namespace", "shop", undefined, { team: "a" }),
    obj("Service", "web", "shop", { app: "web" }),
    obj("Namespace", "bare"),
    grants[1],
  ]);
  assertEquals(inventory.referenceGrants, grants);
  assertEquals(inventory.namespaceLabels, new Map([["shop", { team: "a" }], ["bare", {}]]));
  assertEquals(indexInventory([obj("Service", "web", "shop")]).referenceGrants, []);
});
