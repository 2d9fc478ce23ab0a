/**
 * The intermediate representation between Gateway API resources and the rule blob: flat,
 * precedence-ordered and shaped like what the filter does per request. Built by `buildIr()`,
 * written by `encodeBlob()`. See docs/blob-format.md for the binary form of each record.
 *
 * @module
 */

/** Where a virtual host's traffic comes from. */
export type AttachMode = "gateway" | "mesh";

/** The whole routing table the filter serves. */
export interface RouteTable {
  /** The policy server's blob version, carried in the blob header. */
  generation: number;
  /**
   * Made by a rollback (header flag `ROLLBACK`): a filter takes it even when its generation is older
   * than the one serving (pull mode refuses an older generation otherwise).
   */
  rollback?: boolean;
  /** Virtual hosts; the filter picks the most specific for a request's authority. */
  vhosts: VirtualHost[];
  /**
   * GAMMA: the Services' cluster IPs and ports. In a sidecar, a request whose original destination is
   * one of them is routed by that Service's mesh virtual hosts, whatever its Host. Absent: none.
   */
  frontends?: ServiceFrontend[];
}

/** A Service's frontend: one of its cluster IPs with one of its ports. */
export interface ServiceFrontend {
  /** The cluster IP, canonical: dotted decimal, or RFC 5952 IPv6 text without brackets. */
  address: string;
  port: number;
  /** `namespace/name` of the Service. */
  service: string;
  /**
   * The Service's cluster-local name (`name.namespace.svc.cluster.local`): the request is routed as
   * if it had named it in Host, so the client's namespace decides between consumer and producer
   * routes as it does for that name.
   */
  hostname: string;
}

/** Hostnames sharing one attachment, port and route list, the routes in precedence order. */
export interface VirtualHost {
  /** Lower-case hostnames: exact, `*.suffix` wildcard, or `*` for any. */
  hostnames: string[];
  mode: AttachMode;
  /** Listener or Service port; 0 for any. */
  port: number;
  /** `namespace/name` of the Gateway or Service the routes attach to. */
  scope?: string;
  /**
   * GAMMA: the namespace whose clients these routes serve (a Service's bare short name means that
   * namespace's Service; a consumer route serves its own namespace's clients). Absent: every client.
   */
  clients?: string;
  /** One entry per HTTPRouteMatch, highest precedence first. */
  routes: RouteEntry[];
}

export type PathMatchType = "Exact" | "PathPrefix" | "RegularExpression";

export interface PathMatch {
  type: PathMatchType;
  value: string;
  /** A RegularExpression's program for the filter's engine (policy-server/regex), compiled once here. */
  program?: Uint8Array;
}

export type ConditionKind = "HeaderExact" | "HeaderRegex" | "QueryExact" | "QueryRegex";

/** A header or query parameter match; all of an entry's conditions are ANDed. */
export interface Condition {
  kind: ConditionKind;
  /** Header names lower-case; query parameter names as written. */
  name: string;
  value: string;
  /** A `*Regex` condition's program for the filter's engine, compiled once here. */
  program?: Uint8Array;
}

/** One flattened HTTPRouteMatch. Entries of the same rule share one `RouteAction` object. */
export interface RouteEntry {
  path?: PathMatch;
  method?: string;
  conditions: Condition[];
  action: RouteAction;
}

export type HeaderFilterKind =
  | "RequestHeaderSet"
  | "RequestHeaderAdd"
  | "RequestHeaderRemove"
  | "ResponseHeaderSet"
  | "ResponseHeaderAdd"
  | "ResponseHeaderRemove";

/** A single header operation, applied in order. */
export interface HeaderFilter {
  kind: HeaderFilterKind;
  name: string;
  /** Absent for removals. */
  value?: string;
}

/** HTTPPathModifier: the whole path, or the part the rule's PathPrefix matched. */
export interface PathModifier {
  type: "ReplaceFullPath" | "ReplacePrefixMatch";
  value: string;
}

/** RequestRedirect: the filter answers with a redirect instead of forwarding. */
export interface RedirectFilter {
  kind: "RequestRedirect";
  scheme?: string;
  hostname?: string;
  /** Absent: derived from the scheme or the request, as the spec says. */
  port?: number;
  path?: PathModifier;
  statusCode: number;
}

/** URLRewrite: the backend sees another host and/or path. */
export interface RewriteFilter {
  kind: "URLRewrite";
  hostname?: string;
  path?: PathModifier;
}

/** RequestMirror: a copy of the request goes to another backend; its answer is ignored. */
export interface MirrorFilter {
  kind: "RequestMirror";
  cluster: string;
  label: string;
  /** The share of requests mirrored: numerator / denominator. */
  numerator: number;
  denominator: number;
}

/**
 * CORS: the filter answers preflight requests from allowed origins itself and adds the CORS response
 * headers to actual requests. Lists are kept as the header values they become.
 */
export interface CorsFilter {
  kind: "CORS";
  /** Space-separated: `*`, `scheme://host[:port]`, or `scheme://*.suffix`. */
  allowOrigins: string;
  /** Access-Control-Allow-Methods, Access-Control-Allow-Headers, Access-Control-Expose-Headers. */
  allowMethods: string;
  allowHeaders: string;
  exposeHeaders: string;
  maxAge: number;
  allowCredentials: boolean;
}

/** Anything a rule or backendRef does besides choosing the backend, in the order written. */
export type RouteFilter = HeaderFilter | RedirectFilter | RewriteFilter | MirrorFilter | CorsFilter;

/** What a matched HTTPRoute rule does. */
export interface RouteAction {
  /** `namespace/name` of the HTTPRoute. */
  route: string;
  /** The rule's index in the HTTPRoute. */
  rule: number;
  backends: Backend[];
  /** Rule-level filters. */
  filters: RouteFilter[];
  /**
   * Sticky canary (a wasmroute extension, annotation `wasmroute.dev/sticky-key`): weighted picks
   * hash this header or cookie instead of the request id, so one client keeps one backend.
   */
  sticky?: { from: "header" | "cookie"; name: string };
}

/** One backendRef, resolved to an Envoy cluster name. */
export interface Backend {
  /** Envoy cluster, e.g. `outbound|80||my-server-v2.devopssong.svc.cluster.local`. */
  cluster: string;
  /** `namespace/name:port`, as logs and the simulator show it. */
  label: string;
  weight: number;
  /** backendRef-level filters. */
  filters: RouteFilter[];
  /** The reference could not be resolved: its share of traffic answers 500. */
  unresolved?: boolean;
}
