import { assertEquals } from "../../tests/assert.ts";
import { DEFAULT_NAMESPACE, objectName, RESOURCE_KINDS, resourceKind } from "./resource_kinds.ts";
import { sampleNamespace, sampleReferenceGrant, sampleRoute, sampleServiceImport } from "./testing.ts";
import type { HTTPRoute, KubeObject } from "./types.ts";

Deno.test("RESOURCE_KINDS gives each stored kind its storage apiVersion, group, REST plural and scope", () => {
  assertEquals(
    Object.values(RESOURCE_KINDS).map((k) => [k.kind, k.apiVersion, k.group, k.plural, k.namespaced]),
    [
      ["HTTPRoute", "gateway.networking.k8s.io/v1", "gateway.networking.k8s.io", "httproutes", true],
      ["Gateway", "gateway.networking.k8s.io/v1", "gateway.networking.k8s.io", "gateways", true],
      [
        "ReferenceGrant",
        "gateway.networking.k8s.io/v1",
        "gateway.networking.k8s.io",
        "referencegrants",
        true,
      ],
      ["Service", "v1", "", "services", true],
      ["ServiceImport", "multicluster.x-k8s.io/v1alpha1", "multicluster.x-k8s.io", "serviceimports", true],
      ["Namespace", "v1", "", "namespaces", false],
    ],
  );
  assertEquals(RESOURCE_KINDS.HTTPRoute.apiVersions, [
    "gateway.networking.k8s.io/v1",
    "gateway.networking.k8s.io/v1beta1",
  ]);
  assertEquals(RESOURCE_KINDS.ReferenceGrant.apiVersions, [
    "gateway.networking.k8s.io/v1",
    "gateway.networking.k8s.io/v1beta1",
  ]);
});

Deno.test("resourceKind knows the stored kinds only, not an object's inherited members", () => {
  assertEquals(resourceKind("Gateway"), RESOURCE_KINDS.Gateway);
  assertEquals(resourceKind("gateway"), undefined);
  assertEquals(resourceKind("GRPCRoute"), undefined);
  assertEquals(resourceKind("toString"), undefined);
  assertEquals(resourceKind("constructor"), undefined);
});

Deno.test("objectName names a namespaced object namespace/name (default when none) and a Namespace by name", () => {
  assertEquals(objectName("HTTPRoute", "shop", "web"), "shop/web");
  assertEquals(objectName("Service", undefined, "web"), `${DEFAULT_NAMESPACE}/web`);
  assertEquals(objectName("Namespace", "ignored", "shop"), "shop");
});

Deno.test("normalise stores an object at the storage version, in a namespace, without the status a client wrote", () => {
  const grant = {
    ...sampleReferenceGrant(),
    apiVersion: "gateway.networking.k8s.io/v1beta1",
    status: { x: 1 },
  };
  delete (grant.metadata as { namespace?: string }).namespace;
  const stored = RESOURCE_KINDS.ReferenceGrant.normalise(grant as unknown as KubeObject);
  assertEquals(stored.apiVersion, "gateway.networking.k8s.io/v1");
  assertEquals(stored.metadata.namespace, "default");
  assertEquals("status" in stored, false);
  assertEquals(stored.spec, grant.spec);
  const imported = RESOURCE_KINDS.ServiceImport.normalise(sampleServiceImport("web", "shop"));
  assertEquals([imported.apiVersion, imported.metadata.namespace], [
    "multicluster.x-k8s.io/v1alpha1",
    "shop",
  ]);
});

Deno.test("normalise fills an HTTPRoute's CRD defaults on a copy, leaving the written object alone", () => {
  const route = { ...sampleRoute("web", "shop"), apiVersion: "gateway.networking.k8s.io/v1beta1" };
  const written = structuredClone(route);
  const stored = RESOURCE_KINDS.HTTPRoute.normalise(route) as HTTPRoute;
  assertEquals(route, written);
  assertEquals(stored.apiVersion, "gateway.networking.k8s.io/v1");
  assertEquals(stored.spec.parentRefs?.[0].group, "gateway.networking.k8s.io");
  assertEquals(stored.spec.parentRefs?.[0].kind, "Gateway");
});

Deno.test("normalise gives a Namespace Kubernetes' name label, whatever it was written with, and nothing else", () => {
  const ns = {
    ...sampleNamespace("shop", { team: "a", "kubernetes.io/metadata.name": "other" }),
    spec: { x: 1 },
  };
  assertEquals(RESOURCE_KINDS.Namespace.normalise(ns as KubeObject), {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "shop", labels: { team: "a", "kubernetes.io/metadata.name": "shop" } },
  });
  const bare = { apiVersion: "v1", kind: "Namespace", metadata: { name: "bare" } } as KubeObject;
  assertEquals(RESOURCE_KINDS.Namespace.normalise(bare).metadata.labels, {
    "kubernetes.io/metadata.name": "bare",
  });
});

Deno.test("HTTPRoute warnings name a Gateway API group Service parent and the experimental fields not acted on", () => {
  const route = sampleRoute("web", "shop");
  route.spec.parentRefs = [{ name: "gw" }, {
    group: "gateway.networking.k8s.io",
    kind: "Service",
    name: "svc",
  }, {
    group: "",
    kind: "Service",
    name: "svc",
  }];
  (route.spec as Record<string, unknown>).useDefaultGateways = "All";
  route.spec.rules = [{}, { sessionPersistence: { type: "Cookie" } } as never];
  assertEquals(RESOURCE_KINDS.HTTPRoute.warnings(route), [
    'spec.parentRefs[1]: group "gateway.networking.k8s.io" (the default) has no kind Service; a mesh route\'s parent Service needs group: ""',
    "spec.useDefaultGateways: stored, but wasmroute attaches routes only to the parents they name",
    "spec.rules[1].sessionPersistence: stored, but wasmroute does not implement it (the wasmroute.dev/sticky-key annotation keeps a client on one backend)",
  ]);
  assertEquals(RESOURCE_KINDS.HTTPRoute.warnings(sampleRoute()), []);
  assertEquals(RESOURCE_KINDS.Namespace.warnings(sampleNamespace()), []);
});
