import { assertEquals } from "../../tests/assert.ts";
import type { KubeObject } from "../model/types.ts";
import { resolveBackend } from "./resolve_backend.ts";

const noGrants = { referenceGrants: [] };

Deno.test("resolveBackend refuses a Service in another namespace without a ReferenceGrant", () => {
  const b = resolveBackend(
    { name: "reviews", namespace: "bookinfo", port: 9080 },
    "shop",
    noGrants,
    "cluster.local",
  );
  assertEquals(b.problem?.reason, "RefNotPermitted");
});

Deno.test("resolveBackend lets a consumer route send to its parent Service without a ReferenceGrant", () => {
  const parents = new Set(["bookinfo/reviews"]);
  const ref = { name: "reviews", namespace: "bookinfo", port: 9080 };
  const b = resolveBackend(ref, "shop", noGrants, "cluster.local", parents);
  assertEquals([b.cluster, b.problem], ["outbound|9080||reviews.bookinfo.svc.cluster.local", undefined]);
  // Only the parent itself: another Service of that namespace still needs a grant.
  const other = resolveBackend({ ...ref, name: "ratings" }, "shop", noGrants, "cluster.local", parents);
  assertEquals(other.problem?.reason, "RefNotPermitted");
});

const MCS = "multicluster.x-k8s.io";

/** A ReferenceGrant in `namespace`: HTTPRoutes of `from` (or the given from entries) may refer to `to`. */
function grant(namespace: string | undefined, from: unknown[], to: unknown[]): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1beta1",
    kind: "ReferenceGrant",
    metadata: { name: "g", namespace },
    spec: { from, to },
  } as unknown as KubeObject;
}
const fromRoutes = (namespace: string) => ({
  group: "gateway.networking.k8s.io",
  kind: "HTTPRoute",
  namespace,
});

function service(kind: string, namespace: string, name: string, ports?: number[]): [string, KubeObject] {
  const spec = ports === undefined ? undefined : { ports: ports.map((port) => ({ port })) };
  return [
    `${namespace}/${name}`,
    { apiVersion: "v1", kind, metadata: { name, namespace }, spec } as unknown as KubeObject,
  ];
}

Deno.test("resolveBackend names a Service's Istio cluster in the mesh's domain, and a ServiceImport's in clusterset.local", () => {
  assertEquals(resolveBackend({ name: "web", port: 80 }, "shop", noGrants, "corp.local"), {
    cluster: "outbound|80||web.shop.svc.corp.local",
    label: "shop/web:80",
  });
  assertEquals(
    resolveBackend({ group: "core", kind: "Service", name: "web", port: 80 }, "shop", noGrants, "d"),
    {
      cluster: "outbound|80||web.shop.svc.d",
      label: "shop/web:80",
    },
  );
  assertEquals(
    resolveBackend({ group: MCS, kind: "ServiceImport", name: "web", port: 8080 }, "shop", noGrants, "d"),
    {
      cluster: "outbound|8080||web.shop.svc.clusterset.local",
      label: "shop/web:8080",
    },
  );
});

Deno.test("resolveBackend refuses kinds other than a core Service or an MCS ServiceImport, in Gateway API's words", () => {
  const problem = (ref: Record<string, unknown>) =>
    resolveBackend({ name: "web", port: 80, ...ref }, "shop", noGrants, "d").problem;
  const invalid = (kind: string, group: string) => ({
    reason: "InvalidKind",
    message: `backendRef kind "${kind}" of group "${group}" is not supported`,
  });
  assertEquals(problem({ kind: "ServiceImport" }), invalid("ServiceImport", ""));
  assertEquals(problem({ group: MCS, kind: "Service" }), invalid("Service", MCS));
  assertEquals(problem({ group: "example.com", kind: "Service" }), invalid("Service", "example.com"));
  assertEquals(problem({ kind: "Pod" }), invalid("Pod", ""));
  // The cluster and label are still given, for the route's status and the simulator.
  assertEquals(
    resolveBackend({ kind: "Pod", name: "web", port: 80 }, "shop", noGrants, "d").label,
    "shop/web:80",
  );
});

Deno.test("resolveBackend says which port is missing or unknown, and which object does not exist", () => {
  const services = new Map([
    service("Service", "shop", "web", [80, 443]),
    service("Service", "shop", "bare"),
  ]);
  const inventory = { services, referenceGrants: [] };
  const resolve = (ref: Record<string, unknown>) =>
    resolveBackend({ name: "web", ...ref } as never, "shop", inventory, "d");
  assertEquals(resolve({}), {
    cluster: "outbound|0||web.shop.svc.d",
    label: "shop/web:",
    problem: { reason: "UnsupportedValue", message: 'backendRef "web" needs a port' },
  });
  assertEquals(resolve({ port: 443 }).problem, undefined);
  assertEquals(resolve({ port: 81 }).problem, {
    reason: "BackendNotFound",
    message: 'Service "shop/web" has no port 81',
  });
  assertEquals(resolve({ name: "gone", port: 80 }).problem, {
    reason: "BackendNotFound",
    message: 'Service "shop/gone" does not exist',
  });
  // A stored Service without a spec has no ports.
  assertEquals(resolve({ name: "bare", port: 80 }).problem?.message, 'Service "shop/bare" has no port 80');
});

Deno.test("resolveBackend checks a ServiceImport against the stored ServiceImports, never the Services", () => {
  const services = new Map([service("Service", "shop", "web", [80])]);
  const imports = new Map([service("ServiceImport", "shop", "web", [8080])]);
  const ref = { group: MCS, kind: "ServiceImport", name: "web", port: 80 };
  assertEquals(resolveBackend(ref, "shop", { services, referenceGrants: [] }, "d").problem, undefined);
  assertEquals(
    resolveBackend(ref, "shop", { services, serviceImports: imports, referenceGrants: [] }, "d").problem,
    {
      reason: "BackendNotFound",
      message: 'ServiceImport "shop/web" has no port 80',
    },
  );
  assertEquals(
    resolveBackend({ name: "web", port: 8080 }, "shop", { serviceImports: imports, referenceGrants: [] }, "d")
      .problem,
    undefined,
  );
});

Deno.test("resolveBackend takes a ReferenceGrant only in the target's namespace, from HTTPRoutes of the route's namespace", () => {
  const ref = { name: "reviews", namespace: "bookinfo", port: 9080 };
  const ok = (...grants: KubeObject[]) =>
    resolveBackend(ref, "shop", { referenceGrants: grants }, "d").problem?.message ?? "permitted";
  const toReviews = [{ group: "", kind: "Service", name: "reviews" }];
  assertEquals(ok(grant("bookinfo", [fromRoutes("shop")], toReviews)), "permitted");
  assertEquals(
    ok(grant("shop", [fromRoutes("shop")], toReviews)),
    'backendRef to Service "bookinfo/reviews" is not permitted by any ReferenceGrant in namespace "bookinfo"',
  );
  assertEquals(ok(grant("bookinfo", [fromRoutes("web")], toReviews)) === "permitted", false);
  assertEquals(
    ok(grant("bookinfo", [{ ...fromRoutes("shop"), kind: "GRPCRoute" }], toReviews)) === "permitted",
    false,
  );
  assertEquals(
    ok(grant("bookinfo", [{ ...fromRoutes("shop"), group: "" }], toReviews)) === "permitted",
    false,
  );
  // Any one of several from and to entries will do.
  assertEquals(
    ok(
      grant("bookinfo", [fromRoutes("web"), fromRoutes("shop")], [
        { group: "", kind: "Secret" },
        ...toReviews,
      ]),
    ),
    "permitted",
  );
  // A grant with neither list permits nothing.
  assertEquals(ok(grant("bookinfo", undefined as never, undefined as never)) === "permitted", false);
  // A grant without a namespace is in "default".
  const toDefault = resolveBackend({ ...ref, namespace: "default" }, "shop", {
    referenceGrants: [grant(undefined, [fromRoutes("shop")], toReviews)],
  }, "d");
  assertEquals(toDefault.problem, undefined);
});

Deno.test("resolveBackend matches a grant's to entries by group (absent is core), kind and name (absent is any)", () => {
  const ok = (to: unknown[], ref: Record<string, unknown> = {}) =>
    resolveBackend({ name: "reviews", namespace: "bookinfo", port: 9080, ...ref } as never, "shop", {
      referenceGrants: [grant("bookinfo", [fromRoutes("shop")], to)],
    }, "d").problem?.reason ?? "permitted";
  assertEquals(ok([{ kind: "Service" }]), "permitted");
  assertEquals(ok([{ group: "", kind: "Service" }], { group: "core" }), "permitted");
  assertEquals(ok([{ group: "core", kind: "Service" }]), "RefNotPermitted");
  assertEquals(ok([{ group: "", kind: "Service", name: "ratings" }]), "RefNotPermitted");
  assertEquals(ok([{ group: "", kind: "ServiceImport" }]), "RefNotPermitted");
  assertEquals(
    ok([{ group: MCS, kind: "ServiceImport" }], { group: MCS, kind: "ServiceImport" }),
    "permitted",
  );
  assertEquals(
    ok([{ group: MCS, kind: "Service" }], { group: MCS, kind: "ServiceImport" }),
    "RefNotPermitted",
  );
  assertEquals(
    ok([{ group: "", kind: "ServiceImport" }], { group: MCS, kind: "ServiceImport" }),
    "RefNotPermitted",
  );
});

Deno.test("resolveBackend needs a grant for a ServiceImport even when a Service of that name is the route's parent", () => {
  const parents = new Set(["bookinfo/reviews"]);
  const ref = { group: MCS, kind: "ServiceImport", name: "reviews", namespace: "bookinfo", port: 9080 };
  assertEquals(
    resolveBackend(ref, "shop", noGrants, "d", parents).problem?.message,
    'backendRef to ServiceImport "bookinfo/reviews" is not permitted by any ReferenceGrant in namespace "bookinfo"',
  );
});
