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

Deno.test("intersectHostname() never takes a precise name's tail as a wildcard, nor a wildcard's bare suffix", () => {
  assertEquals(intersectHostname("a.example.com", "b.example.com"), undefined);
  assertEquals(intersectHostname("*.example.com", ".example.com"), undefined);
  assertEquals(intersectHostname(".example.com", "*.example.com"), undefined);
  assertEquals(intersectHostname("*.example.com", "x.example.com"), "x.example.com");
  assertEquals(intersectHostname("x.example.com", "*.example.com"), "x.example.com");
});

const reasonOf = (result: unknown) => (result as { reason: string; message: string });

Deno.test("attachToGateway() says which Gateway, sectionName and port found no listener, in its message", () => {
  const gw = gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: all }]);
  const attach = (parent: Record<string, unknown>, g: KubeObject = gw) =>
    reasonOf(attachToGateway(route("a"), { name: "gw", ...parent }, g, new Map()));
  assertEquals(reasonOf(attachToGateway(route("a"), { name: "gw" }, undefined, new Map())), {
    reason: "NoMatchingParent",
    message: 'Gateway "a/gw" does not exist',
  });
  assertEquals(attach({ namespace: "infra", port: 443 }), {
    reason: "NoMatchingParent",
    message: 'Gateway "infra/gw" has no listener with port 443',
  });
  assertEquals(
    attach({ namespace: "infra", sectionName: "https" }).message,
    'Gateway "infra/gw" has no listener with sectionName "https"',
  );
  assertEquals(
    attach({ namespace: "infra", sectionName: "http", port: 443 }).message,
    'Gateway "infra/gw" has no listener with sectionName "http" and port 443',
  );
  // A Gateway without listeners, or without a spec, has none to attach to.
  assertEquals(attach({ namespace: "infra" }, gateway([])).reason, "NoMatchingParent");
  assertEquals(
    attach({ namespace: "infra" }, { ...gw, spec: undefined } as unknown as KubeObject).reason,
    "NoMatchingParent",
  );
  assertEquals(
    attach(
      { namespace: "infra" },
      gateway([{ name: "tcp", port: 9000, protocol: "TCP", allowedRoutes: all }]),
    ),
    {
      reason: "NotAllowedByListeners",
      message: 'no listener of Gateway "infra/gw" allows this route',
    },
  );
  const exact = gateway([{
    name: "h",
    hostname: "a.example.com",
    port: 80,
    protocol: "HTTP",
    allowedRoutes: all,
  }]);
  assertEquals(
    reasonOf(
      attachToGateway(route("a", ["b.example.com"]), { name: "gw", namespace: "infra" }, exact, new Map()),
    ),
    {
      reason: "NoMatchingListenerHostname",
      message: 'no hostname of the route matches a listener of Gateway "infra/gw"',
    },
  );
});

Deno.test("attachToGateway() allows HTTPRoute among a listener's kinds only in Gateway API's group", () => {
  const withKinds = (kinds: unknown[]) =>
    attachToGateway(
      route("infra"),
      { name: "gw", namespace: "infra" },
      gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { kinds } }]),
      new Map(),
    );
  const attached = [{ hostname: "*", port: 80, listener: "http" }];
  // allowedRoutes without namespaces: the Gateway's own namespace.
  assertEquals(withKinds([{ kind: "HTTPRoute" }]), attached);
  assertEquals(withKinds([]), attached);
  assertEquals(
    withKinds([{ kind: "GRPCRoute" }, { group: "gateway.networking.k8s.io", kind: "HTTPRoute" }]),
    attached,
  );
  assertEquals(
    reasonOf(withKinds([{ group: "example.com", kind: "HTTPRoute" }])).reason,
    "NotAllowedByListeners",
  );
  assertEquals(reasonOf(withKinds([{ group: "", kind: "HTTPRoute" }])).reason, "NotAllowedByListeners");
});

Deno.test("attachToGateway() selects namespaces by their labels, by name when none are known, and by nothing without a selector", () => {
  const bySelector = (selector: unknown) =>
    gateway([{
      name: "http",
      port: 80,
      protocol: "HTTP",
      allowedRoutes: { namespaces: { from: "Selector", selector } },
    }]);
  const parent = { name: "gw", namespace: "infra" };
  const byName = bySelector({ matchLabels: { "kubernetes.io/metadata.name": "app" } });
  assertEquals(attachToGateway(route("app"), parent, byName, new Map()), [{
    hostname: "*",
    port: 80,
    listener: "http",
  }]);
  assertEquals(
    reasonOf(attachToGateway(route("app"), parent, byName, new Map([["app", { team: "a" }]]))).reason,
    "NotAllowedByListeners",
  );
  assertEquals(
    reasonOf(attachToGateway(route("infra"), parent, bySelector(undefined), new Map())).reason,
    "NotAllowedByListeners",
  );
});

Deno.test("selectorMatches() holds In, NotIn and DoesNotExist to a label's presence and value", () => {
  const labels = { team: "a", tier: "web" };
  const expr = (key: string, operator: "In" | "NotIn" | "Exists" | "DoesNotExist", values?: string[]) =>
    selectorMatches({ matchExpressions: [{ key, operator, values }] }, labels);
  assertEquals(expr("tier", "In", ["api"]), false);
  assertEquals(expr("env", "In", ["web"]), false);
  assertEquals(expr("tier", "NotIn", ["api"]), true);
  assertEquals(expr("env", "NotIn"), true);
  assertEquals(expr("env", "Exists"), false);
  assertEquals(expr("env", "DoesNotExist"), true);
  assertEquals(selectorMatches({ matchLabels: { team: "a" }, matchExpressions: [] }, labels), true);
  assertEquals(
    selectorMatches(
      { matchLabels: { team: "a" }, matchExpressions: [{ key: "env", operator: "Exists" }] },
      labels,
    ),
    false,
  );
});
