import { applyGatewayDefaults, applyHttpRouteDefaults } from "./apply_defaults.ts";
import { assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import { admitResources } from "./admit_resources.ts";
import { ResourceError } from "./resource_error.ts";
import {
  sampleGateway,
  sampleNamespace,
  sampleReferenceGrant,
  sampleRoute,
  sampleService,
  sampleServiceImport,
} from "./testing.ts";
import type { KubeObject } from "./types.ts";

const refused = (objects: KubeObject[]) =>
  assertThrows(() => admitResources(objects), ResourceError) as ResourceError;

Deno.test("admitResources rejects other kinds with 400", () => {
  const error = refused([sampleRoute(), {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "x" },
  }]);
  assertEquals([error.status, error.reason, error.field, error.document], [400, "BadRequest", "kind", 1]);
  assertEquals(error.message, 'kind "Deployment" in apiVersion "apps/v1" is not supported');
  // Names are case-sensitive, and inherited object members are no kinds.
  assertEquals(refused([{ ...sampleService(), kind: "service" }]).field, "kind");
  assertEquals(refused([{ ...sampleService(), kind: "constructor" }]).field, "kind");
});

Deno.test("admitResources rejects a supported kind in another apiVersion with 400", () => {
  const cases: [KubeObject, string][] = [
    [{ ...sampleRoute(), apiVersion: "gateway.networking.k8s.io/v1alpha2" }, "HTTPRoute"],
    [{ ...sampleGateway(), apiVersion: "gateway.networking.k8s.io/v1alpha2" }, "Gateway"],
    [{ ...sampleReferenceGrant(), apiVersion: "gateway.networking.k8s.io/v1alpha2" }, "ReferenceGrant"],
    [{ ...sampleService(), apiVersion: "gateway.networking.k8s.io/v1" }, "Service"],
    [{ ...sampleServiceImport(), apiVersion: "multicluster.x-k8s.io/v1beta1" }, "ServiceImport"],
    [{ ...sampleNamespace(), apiVersion: "core/v1" }, "Namespace"],
  ];
  for (const [obj, kind] of cases) {
    const error = refused([obj]);
    assertEquals([error.status, error.field], [400, "apiVersion"]);
    assertEquals(error.message, `kind "${kind}" in apiVersion "${obj.apiVersion}" is not supported`);
  }
});

Deno.test("admitResources accepts every stored kind in one request, in request order", () => {
  const admitted = admitResources([
    sampleNamespace("apps"),
    sampleGateway(),
    sampleRoute(),
    sampleReferenceGrant(),
    sampleService(),
    sampleServiceImport(),
  ]);
  assertEquals(admitted.map((o) => `${o.apiVersion} ${o.kind}`), [
    "v1 Namespace",
    "gateway.networking.k8s.io/v1 Gateway",
    "gateway.networking.k8s.io/v1 HTTPRoute",
    "gateway.networking.k8s.io/v1 ReferenceGrant",
    "v1 Service",
    "multicluster.x-k8s.io/v1alpha1 ServiceImport",
  ]);
});

Deno.test("admitResources reports invalid fields of other kinds with 422, naming kind and path", () => {
  const gateway = sampleGateway();
  gateway.spec.listeners[1].port = 0;
  const service = sampleService("web");
  service.spec.ports = [];
  const error = refused([sampleRoute(), gateway, service]);
  assertEquals(error.status, 422);
  assertEquals(error.causes.map((e) => [e.document, e.field]), [[1, "spec.listeners[1].port"], [
    2,
    "spec.ports",
  ]]);
  assertMatch(
    error.message,
    /^Gateway "istio-ingress\/gateway" is invalid: spec\.listeners\[1\]\.port: .*; Service "default\/web"/,
  );
  const badNamespace = refused([{ ...sampleNamespace(), metadata: { name: "A" } }]);
  assertMatch(badNamespace.message, /^Namespace "A" is invalid: metadata\.name:/);
});

Deno.test("admitResources rejects an empty request with 400", () => {
  assertEquals(refused([]).status, 400);
});

Deno.test("admitResources reports the invalid fields of every document with 422", () => {
  const a = sampleRoute("a");
  const b = sampleRoute("b");
  b.spec.rules![0].backendRefs![1].port = 70000;
  const c = sampleRoute("c");
  c.spec.parentRefs = [];
  const error = refused([a, b, c]);
  assertEquals([error.status, error.reason], [422, "Invalid"]);
  assertEquals(error.causes.map((e) => [e.document, e.field]), [
    [1, "spec.rules[0].backendRefs[1].port"],
    [2, "spec.parentRefs"],
  ]);
  assertMatch(error.causes[0].message, /^document 1: Invalid value: 70000/);
  assertMatch(
    error.message,
    /^HTTPRoute "default\/b" is invalid: spec\.rules\[0\]\.backendRefs\[1\]\.port: .*; HTTPRoute "default\/c"/,
  );
});

Deno.test("admitResources rejects the same object twice in one request with 422, per kind", () => {
  const error = refused([sampleNamespace("apps"), sampleGateway(), sampleNamespace("apps")]);
  assertEquals([error.status, error.field, error.document], [422, "metadata.name", 2]);
  assertEquals(
    error.message,
    'Namespace "apps" is invalid: metadata.name: Duplicate value: "apps": the request names this Namespace more than once',
  );
  // The same name in another kind is another object.
  assertEquals(
    admitResources([sampleService("web"), sampleServiceImport("web"), sampleRoute("web")]).length,
    3,
  );
});

Deno.test("admitResources rejects the same route twice in one request with 422", () => {
  const error = refused([sampleRoute("a"), sampleRoute("b"), sampleRoute("a")]);
  assertEquals([error.status, error.field, error.document, error.causes[0].reason], [
    422,
    "metadata.name",
    2,
    "FieldValueDuplicate",
  ]);
});

Deno.test("admitResources normalises v1beta1, defaults the namespace and drops status", () => {
  const route = sampleRoute();
  delete (route.metadata as { namespace?: string }).namespace;
  const [admitted] = admitResources([{
    ...route,
    apiVersion: "gateway.networking.k8s.io/v1beta1",
    status: { parents: [] },
  }]);
  assertEquals(admitted.apiVersion, "gateway.networking.k8s.io/v1");
  assertEquals(admitted.metadata.namespace, "default");
  assertEquals("status" in admitted, false);
  assertEquals(admitted.spec, applyHttpRouteDefaults(structuredClone(route)).spec);
});

Deno.test("admitResources stores Gateways (defaulted), ReferenceGrants and ServiceImports as written, at the storage version", () => {
  const [gateway, grant, serviceImport] = admitResources([
    { ...sampleGateway(), status: { addresses: [] } },
    sampleReferenceGrant(),
    sampleServiceImport(),
  ]);
  assertEquals(gateway, applyGatewayDefaults(sampleGateway()));
  assertEquals(grant, { ...sampleReferenceGrant(), apiVersion: "gateway.networking.k8s.io/v1" });
  assertEquals(serviceImport, sampleServiceImport());
  const noNamespace = sampleGateway();
  delete (noNamespace.metadata as { namespace?: string }).namespace;
  assertEquals(admitResources([noNamespace])[0].metadata.namespace, "default");
});

Deno.test("admitResources keeps of a Service only name, namespace, labels and ports", () => {
  const [service] = admitResources([sampleService()]);
  assertEquals(service, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web-v1", namespace: "default", labels: { app: "web" } },
    spec: { ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
  });
  const [bare] = admitResources([{
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "bare" },
    spec: { ports: [{ name: "", port: 80 }] },
  }]);
  assertEquals(bare, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "bare", namespace: "default" },
    spec: { ports: [{ port: 80 }] },
  });
});

Deno.test("admitResources keeps of a Namespace its name and labels, with the label Kubernetes sets", () => {
  const manifest = {
    ...sampleNamespace("apps", { gateway: "shared", "kubernetes.io/metadata.name": "forged" }),
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
  manifest.metadata = { ...manifest.metadata, namespace: "ignored", annotations: { a: "b" } } as never;
  assertEquals(admitResources([manifest]), [{
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "apps", labels: { gateway: "shared", "kubernetes.io/metadata.name": "apps" } },
  }]);
});

Deno.test("admitResources passes admission warnings to warn, naming the object", () => {
  const gateway = sampleGateway();
  gateway.spec.listeners.push({ name: "tcp", port: 9000, protocol: "TCP" });
  const warnings: string[] = [];
  admitResources([sampleRoute(), gateway], { warn: (w) => warnings.push(w) });
  assertEquals(warnings, [
    'Gateway "istio-ingress/gateway": spec.listeners[2].protocol: TCP listeners are stored, but wasmroute routes only HTTP and HTTPS',
  ]);
  // Without warn, warnings are simply not reported.
  assertEquals(admitResources([gateway]).length, 1);
});

Deno.test("admitResources applies the CRD's defaults: a parentRef without group is a Gateway API one", () => {
  const warnings: string[] = [];
  const route = sampleRoute();
  route.spec.parentRefs = [{ name: "gateway", namespace: "istio-ingress" }, {
    kind: "Service",
    name: "web",
    port: 80,
  }];
  route.spec.rules![0].matches![0] = { headers: [{ name: "a", value: "b" }] };
  const [admitted] = admitResources([route], { warn: (w) => warnings.push(w) }) as typeof route[];
  assertEquals(admitted.spec.parentRefs, [
    { name: "gateway", namespace: "istio-ingress", group: "gateway.networking.k8s.io", kind: "Gateway" },
    { kind: "Service", name: "web", port: 80, group: "gateway.networking.k8s.io" },
  ]);
  assertEquals(admitted.spec.rules![0].matches![0], {
    headers: [{ name: "a", value: "b", type: "Exact" }],
    path: { type: "PathPrefix", value: "/" },
  });
  assertEquals(admitted.spec.rules![0].backendRefs![0], {
    name: "web-v1",
    port: 8080,
    weight: 90,
    group: "",
    kind: "Service",
  });
  assertEquals(warnings.length, 1);
  assertMatch(warnings[0], /spec\.parentRefs\[1\]: .*needs group: ""/);
  assertEquals(
    route.spec.parentRefs[0],
    { name: "gateway", namespace: "istio-ingress" },
    "the input is left as it was",
  );
});

Deno.test("admitResources stores experimental fields wasmroute ignores, with a warning for each", () => {
  const warnings: string[] = [];
  const route = sampleRoute() as unknown as { spec: { rules: Record<string, unknown>[] } };
  route.spec.rules[0].sessionPersistence = { type: "Cookie", sessionName: "s" };
  const [admitted] = admitResources([route as never], { warn: (w) => warnings.push(w) });
  assertEquals((admitted.spec as { rules: Record<string, unknown>[] }).rules[0].sessionPersistence, {
    type: "Cookie",
    sessionName: "s",
  });
  assertEquals(warnings.length, 1);
  assertMatch(
    warnings[0],
    /spec\.rules\[0\]\.sessionPersistence: stored, but wasmroute does not implement it/,
  );
});

Deno.test("admitResources refuses an empty request in so many words", () => {
  const error = assertThrows(() => admitResources([]), ResourceError) as ResourceError;
  assertEquals([error.status, error.message], [400, "the request body holds no resources"]);
});

Deno.test("admitResources names each invalid object, and each cause's document when there are several", () => {
  const ns = (name: unknown, namespace?: unknown) =>
    ({ apiVersion: "v1", kind: "Namespace", metadata: { name, namespace } }) as unknown as KubeObject;
  const svc = (metadata: unknown) =>
    ({
      apiVersion: "v1",
      kind: "Service",
      metadata,
      spec: { ports: [{ port: 80 }] },
    }) as unknown as KubeObject;
  const one = assertThrows(() => admitResources([ns("Bad_Name")]), ResourceError) as ResourceError;
  assertEquals(
    one.message,
    'Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": must be a lowercase RFC 1123 label',
  );
  assertEquals(one.causes.map((c) => c.message), [
    'Invalid value: "Bad_Name": must be a lowercase RFC 1123 label',
  ]);
  const several = assertThrows(
    () =>
      admitResources([
        ns("ok"),
        svc({ name: "Bad_Svc", namespace: "shop", labels: { a: 1 } }),
        svc({ namespace: "shop" }),
        svc(undefined),
      ]),
    ResourceError,
  ) as ResourceError;
  assertEquals(several.message.split("; "), [
    'Service "shop/Bad_Svc" is invalid: metadata.name: Invalid value: "Bad_Svc": must be a lowercase RFC 1035 label (starting with a letter), metadata.labels.a: Invalid value: "number": must be of type string',
    "Service in document 2 is invalid: metadata.name: Required value",
    "Service in document 3 is invalid: metadata: Required value",
  ]);
  assertEquals(several.causes.map((c) => [c.document, c.message]), [
    [1, 'document 1: Invalid value: "Bad_Svc": must be a lowercase RFC 1035 label (starting with a letter)'],
    [1, 'document 1: Invalid value: "number": must be of type string'],
    [2, "document 2: Required value"],
    [3, "document 3: Required value"],
  ]);
});
