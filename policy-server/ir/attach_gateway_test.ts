import { assertEquals } from "../../tests/assert.ts";
import type { HTTPRoute, KubeObject } from "../model/types.ts";
import { attachToGateway, intersectHostname, selectorMatches } from "./attach_gateway.ts";

Deno.test("intersectHostname() follows the spec's listener × route hostname rules", async (t) => {
  const cases: [string | undefined, string | undefined, string | undefined][] = [
    [undefined, undefined, "*"],
    [undefined, "foo.example.com", "foo.example.com"],
    ["foo.example.com", undefined, "foo.example.com"],
    ["foo.example.com", "foo.example.com", "foo.example.com"],
    ["foo.example.com", "bar.example.com", undefined],
    ["*.example.com", "foo.example.com", "foo.example.com"],
    ["*.example.com", "a.b.example.com", "a.b.example.com"],
    ["*.example.com", "example.com", undefined],
    ["foo.example.com", "*.example.com", "foo.example.com"],
    ["*.example.com", "*.foo.example.com", "*.foo.example.com"],
    ["*.foo.example.com", "*.example.com", "*.foo.example.com"],
    ["*.example.com", "*.example.org", undefined],
    ["FOO.example.com", "foo.EXAMPLE.com", "foo.example.com"],
  ];
  for (const [l, r, want] of cases) {
    await t.step(`${l} × ${r} → ${want}`, () => assertEquals(intersectHostname(l, r), want));
  }
});

const gateway = (listeners: unknown[]): KubeObject => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "gw", namespace: "infra" },
  spec: { gatewayClassName: "istio", listeners },
});
const route = (ns: string, hostnames?: string[]): HTTPRoute => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: "r", namespace: ns },
  spec: { ...(hostnames && { hostnames }) },
});
const all = { namespaces: { from: "All" } };

Deno.test("attachToGateway() reports NoMatchingParent for a missing Gateway, sectionName or port", () => {
  const gw = gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: all }]);
  assertEquals(
    (attachToGateway(route("a"), { name: "gw", namespace: "infra" }, undefined, new Map()) as {
      reason: string;
    }).reason,
    "NoMatchingParent",
  );
  assertEquals(
    (attachToGateway(route("a"), { name: "gw", namespace: "infra", sectionName: "https" }, gw, new Map()) as {
      reason: string;
    }).reason,
    "NoMatchingParent",
  );
  assertEquals(
    (attachToGateway(route("a"), { name: "gw", namespace: "infra", port: 443 }, gw, new Map()) as {
      reason: string;
    }).reason,
    "NoMatchingParent",
  );
  assertEquals(attachToGateway(route("a"), { name: "gw", namespace: "infra", port: 80 }, gw, new Map()), [{
    hostname: "*",
    port: 80,
    listener: "http",
  }]);
});

Deno.test("attachToGateway() honours allowedRoutes namespaces and kinds", () => {
  const same = gateway([{ name: "http", port: 80, protocol: "HTTP" }]);
  const parent = { name: "gw", namespace: "infra" };
  assertEquals(
    (attachToGateway(route("app"), parent, same, new Map()) as { reason: string }).reason,
    "NotAllowedByListeners",
  );
  assertEquals(attachToGateway(route("infra"), parent, same, new Map()), [{
    hostname: "*",
    port: 80,
    listener: "http",
  }]);
  const selector = gateway([{
    name: "http",
    port: 80,
    protocol: "HTTP",
    allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { shared: "yes" } } } },
  }]);
  assertEquals(
    (attachToGateway(route("app"), parent, selector, new Map()) as { reason: string }).reason,
    "NotAllowedByListeners",
  );
  assertEquals(attachToGateway(route("app"), parent, selector, new Map([["app", { shared: "yes" }]])), [{
    hostname: "*",
    port: 80,
    listener: "http",
  }]);
  const grpcOnly = gateway([{
    name: "http",
    port: 80,
    protocol: "HTTP",
    allowedRoutes: { ...all, kinds: [{ kind: "GRPCRoute" }] },
  }]);
  assertEquals(
    (attachToGateway(route("app"), parent, grpcOnly, new Map()) as { reason: string }).reason,
    "NotAllowedByListeners",
  );
  const tcp = gateway([{ name: "tcp", port: 9000, protocol: "TCP", allowedRoutes: all }]);
  assertEquals(
    (attachToGateway(route("app"), parent, tcp, new Map()) as { reason: string }).reason,
    "NotAllowedByListeners",
  );
});

Deno.test("attachToGateway() intersects hostnames per listener and reports NoMatchingListenerHostname", () => {
  const gw = gateway([
    { name: "wild", hostname: "*.example.com", port: 80, protocol: "HTTP", allowedRoutes: all },
    { name: "exact", hostname: "api.example.com", port: 443, protocol: "HTTPS", allowedRoutes: all },
  ]);
  const parent = { name: "gw", namespace: "infra" };
  assertEquals(attachToGateway(route("a", ["api.example.com"]), parent, gw, new Map()), [
    { hostname: "api.example.com", port: 80, listener: "wild" },
    { hostname: "api.example.com", port: 443, listener: "exact" },
  ]);
  assertEquals(attachToGateway(route("a", ["*.example.com"]), parent, gw, new Map()), [
    { hostname: "*.example.com", port: 80, listener: "wild" },
    { hostname: "api.example.com", port: 443, listener: "exact" },
  ]);
  assertEquals(
    (attachToGateway(route("a", ["other.org"]), parent, gw, new Map()) as { reason: string }).reason,
    "NoMatchingListenerHostname",
  );
});

Deno.test("selectorMatches() applies matchLabels and every matchExpressions operator", () => {
  const labels = { team: "a", tier: "web" };
  assertEquals(selectorMatches({ matchLabels: { team: "a" } }, labels), true);
  assertEquals(selectorMatches({ matchLabels: { team: "b" } }, labels), false);
  assertEquals(
    selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }] }, labels),
    true,
  );
  assertEquals(
    selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, labels),
    false,
  );
  assertEquals(
    selectorMatches({ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, labels),
    true,
  );
  assertEquals(selectorMatches({ matchExpressions: [{ key: "team", operator: "Exists" }] }, labels), true);
  assertEquals(
    selectorMatches({ matchExpressions: [{ key: "team", operator: "DoesNotExist" }] }, labels),
    false,
  );
  assertEquals(selectorMatches({}, labels), true);
});
