/**
 * The one-route app the delivery tests push, pull and fetch: Istio's helloworld sample, whose Service
 * `helloworld` (port 5000, namespace `sample`) a GAMMA route sends to one version's Service.
 *
 * @module
 */
import { parse } from "yaml";
import type { KubeObject } from "../../policy-server/model/types.ts";
import type { TokenSpec } from "../../policy-server/security/parse_tokens.ts";
import type { HostEmulator } from "../../simulator/host/mod.ts";
import { decidedCluster } from "../../tools/envoy/render_envoy_config.ts";

/** The HTTPRoute sending all of helloworld's traffic to Service `backend`, as a user would POST it. */
export const helloworldYaml = (backend: string): string =>
  `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: helloworld, namespace: sample}
spec:
  parentRefs: [{name: helloworld, kind: Service, group: "", port: 5000}]
  rules: [{backendRefs: [{name: ${backend}, port: 5000}]}]
`;

/** The same HTTPRoute as an object, for compiling without a server. */
export const helloworldRoute = (backend: string): KubeObject => parse(helloworldYaml(backend)) as KubeObject;

/** Istio's cluster for Service `backend` of the sample: what the filter steers a request to. */
export const helloworldCluster = (backend: string): string =>
  `outbound|5000||${backend}.sample.svc.cluster.local`;

/** A request for helloworld, as a client in the mesh sends it. */
export const HELLO_REQUEST: [string, string][] = [[":method", "GET"], [":path", "/hello"], [
  ":authority",
  "helloworld:5000",
]];

/** The cluster the filter in `host` picks for one request to helloworld; undefined when it passes. */
export function clusterFor(host: HostEmulator): string | undefined {
  const id = host.initializeHttpContext();
  host.callOnRequestHeaders(id, HELLO_REQUEST, true);
  const cluster = decidedCluster(host.getCurrentRequestHeaders(id));
  host.completeHttpContext(id);
  return cluster;
}

/** The tokens of a policy server as deployed: an operator who POSTs routes, the proxies who read blobs. */
export const PROXY_TOKENS: TokenSpec[] = [
  { name: "ops", token: "ops-secret", namespaces: ["*"], role: "operator" },
  { name: "proxies", token: "proxy-secret", namespaces: ["*"], role: "reader" },
];
