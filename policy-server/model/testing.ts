/**
 * Test fixtures shared by the policy server's tests.
 *
 * @module
 */
import { stringify } from "yaml";
import type {
  Gateway,
  HTTPRoute,
  KubeObject,
  Namespace,
  ReferenceGrant,
  Service,
  ServiceImport,
} from "./types.ts";

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

/** A valid Gateway: an HTTP listener open to routes from every namespace, and an HTTPS one. */
export function sampleGateway(name = "gateway", namespace = "istio-ingress"): Gateway {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace },
    spec: {
      gatewayClassName: "istio",
      listeners: [
        { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } },
        {
          name: "https",
          hostname: "*.example.com",
          port: 443,
          protocol: "HTTPS",
          tls: { mode: "Terminate", certificateRefs: [{ name: "example-cert" }] },
          allowedRoutes: {
            namespaces: { from: "Selector", selector: { matchLabels: { gateway: "shared" } } },
            kinds: [{ kind: "HTTPRoute" }],
          },
        },
      ],
    },
  };
}

/** A valid ReferenceGrant letting HTTPRoutes in `from` refer to Services in `namespace`. */
export function sampleReferenceGrant(
  name = "routes-to-backends",
  namespace = "backends",
  from = "default",
): ReferenceGrant {
  return {
    apiVersion: "gateway.networking.k8s.io/v1beta1",
    kind: "ReferenceGrant",
    metadata: { name, namespace },
    spec: {
      from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: from }],
      to: [{ group: "", kind: "Service" }],
    },
  };
}

/** A full Service manifest, with fields the store drops (selector, targetPort, status, …). */
export function sampleService(name = "web-v1", namespace = "default"): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels: { app: "web" }, annotations: { note: "dropped" } },
    spec: {
      type: "ClusterIP",
      selector: { app: "web" },
      ports: [{ name: "http", port: 8080, targetPort: 8080, protocol: "TCP", appProtocol: "http" }],
    },
    status: { loadBalancer: {} },
  } as Service;
}

/** A valid ServiceImport. */
export function sampleServiceImport(name = "web-v1", namespace = "default"): ServiceImport {
  return {
    apiVersion: "multicluster.x-k8s.io/v1alpha1",
    kind: "ServiceImport",
    metadata: { name, namespace },
    spec: { type: "ClusterSetIP", ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
  };
}

/** A Namespace manifest with a label `allowedRoutes` selectors can match. */
export function sampleNamespace(
  name = "default",
  labels: Record<string, string> = { gateway: "shared" },
): Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

/** Objects as one multi-document YAML stream. */
export function toYaml(...objects: KubeObject[]): string {
  return objects.map((o) => stringify(o)).join("---\n");
}
