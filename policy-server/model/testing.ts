/**
 * Test fixtures shared by the policy server's tests.
 *
 * @module
 */
import type { HTTPRoute } from "./types.ts";

/** A valid HTTPRoute: a Gateway parent, one PathPrefix rule, one Service backend. */
export function sampleRoute(name = "web", namespace = "default"): HTTPRoute {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ name: "gateway", namespace: "istio-ingress" }],
      hostnames: ["web.example.com"],
      rules: [{
        matches: [{
          path: { type: "PathPrefix", value: `/${name}` },
          headers: [{ name: "x-canary", value: "yes" }],
        }],
        filters: [{
          type: "RequestHeaderModifier",
          requestHeaderModifier: { set: [{ name: "x-route", value: name }] },
        }],
        backendRefs: [{ name: `${name}-v1`, port: 8080, weight: 90 }, {
          name: `${name}-v2`,
          port: 8080,
          weight: 10,
        }],
      }],
    },
  };
}

/** `sampleRoute` as a YAML document. */
export function sampleRouteYaml(name = "web", namespace = "default"): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  parentRefs:
  - name: gateway
    namespace: istio-ingress
  hostnames: [web.example.com]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /${name}}
      headers: [{name: x-canary, value: "yes"}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: x-route, value: ${name}}]
    backendRefs:
    - {name: ${name}-v1, port: 8080, weight: 90}
    - {name: ${name}-v2, port: 8080, weight: 10}
`;
}
