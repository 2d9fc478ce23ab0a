/**
 * Objects as the policy server stores them: Gateway API HTTPRoutes, Gateways and ReferenceGrants,
 * and the inventory the compiler resolves them against (Services, ServiceImports, Namespaces). Only
 * the fields wasmroute reads are typed; everything else is kept as written.
 *
 * @module
 */

export const GATEWAY_API_V1 = "gateway.networking.k8s.io/v1";
export const GATEWAY_API_V1BETA1 = "gateway.networking.k8s.io/v1beta1";
/** Multi-Cluster Services API (ServiceImport). */
export const MCS_API_V1ALPHA1 = "multicluster.x-k8s.io/v1alpha1";
/** The core group (Service, Namespace). */
export const CORE_V1 = "v1";

export interface ObjectMeta {
  name: string;
  namespace?: string;
  /** Set by the policy server when the object is first stored. */
  uid?: string;
  creationTimestamp?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Any Kubernetes object, before its kind is known. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
}

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface HTTPPathMatch {
  type?: "Exact" | "PathPrefix" | "RegularExpression";
  value?: string;
}

export interface HTTPHeaderMatch {
  type?: "Exact" | "RegularExpression";
  name: string;
  value: string;
}

export interface HTTPQueryParamMatch {
  type?: "Exact" | "RegularExpression";
  name: string;
  value: string;
}

export interface HTTPRouteMatch {
  path?: HTTPPathMatch;
  headers?: HTTPHeaderMatch[];
  queryParams?: HTTPQueryParamMatch[];
  method?: string;
}

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPHeaderFilter {
  set?: HTTPHeader[];
  add?: HTTPHeader[];
  remove?: string[];
}

export interface HTTPPathModifierSpec {
  type: "ReplaceFullPath" | "ReplacePrefixMatch";
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface HTTPRequestRedirectFilter {
  scheme?: string;
  hostname?: string;
  path?: HTTPPathModifierSpec;
  port?: number;
  statusCode?: number;
}

export interface HTTPURLRewriteFilter {
  hostname?: string;
  path?: HTTPPathModifierSpec;
}

export interface HTTPRequestMirrorFilter {
  backendRef: HTTPBackendRef;
  percent?: number;
  fraction?: { numerator: number; denominator?: number };
}

export interface HTTPCORSFilter {
  allowOrigins?: string[];
  allowCredentials?: boolean;
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface HTTPRouteFilter {
  type: string;
  cors?: HTTPCORSFilter;
  requestHeaderModifier?: HTTPHeaderFilter;
  responseHeaderModifier?: HTTPHeaderFilter;
  requestRedirect?: HTTPRequestRedirectFilter;
  urlRewrite?: HTTPURLRewriteFilter;
  requestMirror?: HTTPRequestMirrorFilter;
  [other: string]: unknown;
}

export interface HTTPBackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  filters?: HTTPRouteFilter[];
}

export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  [other: string]: unknown;
}

export interface HTTPRouteSpec {
  parentRefs?: ParentReference[];
  hostnames?: string[];
  rules?: HTTPRouteRule[];
}

export interface HTTPRoute extends KubeObject {
  kind: "HTTPRoute";
  metadata: ObjectMeta & { namespace: string };
  spec: HTTPRouteSpec;
}

/** A label selector (`matchLabels` and `matchExpressions` are ANDed). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  key: string;
  /** The CRD takes any string; one of these four is the only kind that selects anything. */
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | (string & Record<never, never>);
  values?: string[];
}

export interface RouteGroupKind {
  group?: string;
  kind: string;
}

export interface RouteNamespaces {
  /** Default `Same`. */
  from?: "All" | "Same" | "Selector";
  selector?: LabelSelector;
}

export interface AllowedRoutes {
  namespaces?: RouteNamespaces;
  kinds?: RouteGroupKind[];
}

/** Listener protocols wasmroute accepts; only HTTP and HTTPS listeners carry HTTPRoutes. */
export type ListenerProtocol = "HTTP" | "HTTPS" | "TLS" | "TCP" | "UDP";

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: ListenerProtocol;
  allowedRoutes?: AllowedRoutes;
  [other: string]: unknown;
}

export interface GatewaySpec {
  gatewayClassName: string;
  listeners: Listener[];
  [other: string]: unknown;
}

export interface Gateway extends KubeObject {
  kind: "Gateway";
  metadata: ObjectMeta & { namespace: string };
  spec: GatewaySpec;
}

/** Who may refer: `group` "" is the core group. */
export interface ReferenceGrantFrom {
  group: string;
  kind: string;
  namespace: string;
}

/** What may be referred to; without `name`, every object of the kind in the grant's namespace. */
export interface ReferenceGrantTo {
  group: string;
  kind: string;
  name?: string;
}

export interface ReferenceGrant extends KubeObject {
  kind: "ReferenceGrant";
  metadata: ObjectMeta & { namespace: string };
  spec: { from: ReferenceGrantFrom[]; to: ReferenceGrantTo[] };
}

export interface ServicePort {
  name?: string;
  port: number;
  /** Kubernetes' default is TCP. */
  protocol?: "TCP" | "UDP" | "SCTP";
  [other: string]: unknown;
}

/** A core Service, reduced to what routing needs: name, namespace, labels, ports and cluster IPs. */
export interface Service extends KubeObject {
  kind: "Service";
  metadata: ObjectMeta & { namespace: string };
  spec: {
    ports: ServicePort[];
    /**
     * The Service's virtual IP (`None`: headless). GAMMA routes apply to traffic addressed to it,
     * whatever Host the client sends.
     */
    clusterIP?: string;
    /** Primary first, one per IP family; filled from `clusterIP` when only that is given. */
    clusterIPs?: string[];
  };
}

/** A Multi-Cluster Services ServiceImport: a Service exported from other clusters. */
export interface ServiceImport extends KubeObject {
  kind: "ServiceImport";
  metadata: ObjectMeta & { namespace: string };
  spec: { ports: ServicePort[]; type: "ClusterSetIP" | "Headless"; [other: string]: unknown };
}

/**
 * A Namespace, reduced to its name and labels (what `allowedRoutes` selectors read). Cluster-scoped:
 * `metadata.namespace` is never set.
 */
export interface Namespace extends KubeObject {
  kind: "Namespace";
  metadata: ObjectMeta;
}

/** Every object the policy server stores. */
export type StoredObject = HTTPRoute | Gateway | ReferenceGrant | Service | ServiceImport | Namespace;
export type StoredKind = StoredObject["kind"];
/** The stored object type of one kind, e.g. `ObjectOfKind<"Gateway">` is `Gateway`. */
export type ObjectOfKind<K extends StoredKind> = Extract<StoredObject, { kind: K }>;

/** A Gateway API status condition. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

/** Status of one HTTPRoute toward one of its parentRefs. */
export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

/** What compiling said about one HTTPRoute. */
export interface RouteStatus {
  /** `namespace/name`. */
  route: string;
  parents: RouteParentStatus[];
}

/** The controller name wasmroute writes into route status. */
export const CONTROLLER_NAME = "wasmroute.dev/policy-server";
