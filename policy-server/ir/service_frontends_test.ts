import { assertEquals } from "../../tests/assert.ts";
import type { KubeObject } from "../model/types.ts";
import { buildIr } from "./build_ir.ts";
import { serviceFrontends } from "./service_frontends.ts";

const service = (name: string, spec: Record<string, unknown>, namespace = "shop") =>
  ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec }) as KubeObject;

Deno.test("serviceFrontends() lists each cluster IP with each TCP port, primary first", () => {
  const reviews = service("reviews", {
    clusterIP: "10.96.0.20",
    clusterIPs: ["10.96.0.20", "fd00::14"],
    ports: [{ name: "http", port: 9080 }, { name: "dns", port: 53, protocol: "UDP" }, {
      name: "grpc",
      port: 9090,
      protocol: "TCP",
    }],
  });
  const at = (address: string, port: number) => ({
    address,
    port,
    service: "shop/reviews",
    hostname: "reviews.shop.svc.example.org",
  });
  assertEquals(serviceFrontends([reviews], "example.org"), [
    at("10.96.0.20", 9080),
    at("10.96.0.20", 9090),
    at("fd00::14", 9080),
    at("fd00::14", 9090),
  ]);
});

Deno.test("serviceFrontends() gives no frontend to a Service without an address", () => {
  const ports = [{ port: 80 }];
  assertEquals(
    serviceFrontends([
      service("headless", { clusterIP: "None", clusterIPs: ["None"], ports }),
      service("unallocated", { ports }),
      service("empty", { clusterIP: "", ports }),
      service("garbage", { clusterIP: "not-an-ip", ports }),
      service("mistyped", { clusterIPs: [7], ports }),
    ], "cluster.local"),
    [],
  );
});

Deno.test("serviceFrontends() reads a manifest's clusterIP, canonical, and orders Services by name", () => {
  const frontends = serviceFrontends([
    service("b", { clusterIP: "FD00:0:0::0B", ports: [{ port: 80 }] }),
    service("a", { clusterIP: "010.096.000.010", ports: [{ port: 80 }] }, "other"),
  ], "cluster.local");
  assertEquals(frontends.map((f) => [f.service, f.address]), [["other/a", "10.96.0.10"], [
    "shop/b",
    "fd00::b",
  ]]);
});

Deno.test("serviceFrontends() leaves an address two Services claim to neither", () => {
  const frontends = serviceFrontends([
    service("a", { clusterIP: "10.96.0.10", ports: [{ port: 80 }, { name: "b", port: 81 }] }),
    service("b", { clusterIP: "10.96.0.10", ports: [{ port: 80 }] }),
  ], "cluster.local");
  assertEquals(frontends.map((f) => [f.service, f.port]), [["shop/a", 81]]);
});

Deno.test("buildIr() adds frontends only to a table with mesh routes", () => {
  const reviews = service("reviews", { clusterIP: "10.96.0.20", ports: [{ port: 9080 }] });
  const route = (parentRefs: unknown[]) =>
    ({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "r", namespace: "shop" },
      spec: { parentRefs, rules: [{ backendRefs: [{ name: "reviews", port: 9080 }] }] },
    }) as KubeObject;
  const mesh = buildIr([reviews, route([{ group: "", kind: "Service", name: "reviews" }])], {
    generation: 1,
  });
  assertEquals(mesh.table.frontends?.map((f) => `${f.address}:${f.port}`), ["10.96.0.20:9080"]);
  const gateway = buildIr([reviews, route([{ name: "gw" }])], { generation: 1 });
  assertEquals(gateway.table.frontends, undefined);
});

Deno.test("serviceFrontends() reads Services only, in their namespace or default, ordered by namespace/name", () => {
  const ports = [{ port: 80 }];
  const imported = {
    ...service("x", { clusterIP: "10.96.0.9", ports }),
    kind: "ServiceImport",
  } as KubeObject;
  const bare = { ...service("d", { clusterIP: "10.96.0.4", ports }), metadata: { name: "d" } } as KubeObject;
  const frontends = serviceFrontends([
    service("c", { clusterIP: "10.96.0.3", ports }, "b"),
    imported,
    service("a", { clusterIP: "10.96.0.1", ports }, "b"),
    bare,
    service("b", { clusterIP: "10.96.0.2", ports }, "a"),
  ], "cluster.local");
  assertEquals(frontends.map((f) => [f.service, f.hostname]), [
    ["a/b", "b.a.svc.cluster.local"],
    ["b/a", "a.b.svc.cluster.local"],
    ["b/c", "c.b.svc.cluster.local"],
    ["default/d", "d.default.svc.cluster.local"],
  ]);
});

Deno.test("serviceFrontends() lists an address and port a Service names twice once", () => {
  const twice = service("a", {
    clusterIPs: ["10.96.0.10", "10.96.0.10"],
    ports: [{ port: 80 }, { name: "b", port: 80 }],
  });
  assertEquals(serviceFrontends([twice], "cluster.local").map((f) => `${f.address}:${f.port}`), [
    "10.96.0.10:80",
  ]);
});
