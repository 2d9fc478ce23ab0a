/**
 * The kinds the policy server stores, with what admission, the store and the API need to know about
 * each: accepted apiVersions, the stored form, the REST plural and scope.
 *
 * @module
 */
import { applyGatewayDefaults, applyHttpRouteDefaults, GATEWAY_API_GROUP } from "./apply_defaults.ts";
import type { FieldError } from "./resource_error.ts";
import { CORE_V1, GATEWAY_API_V1, MCS_API_V1ALPHA1 } from "./types.ts";
import type {
  Gateway,
  HTTPRoute,
  KubeObject,
  Namespace,
  ObjectOfKind,
  Service,
  StoredKind,
} from "./types.ts";
import { HTTP_ROUTE_API_VERSIONS, validateHttpRoute } from "./validate_http_route.ts";
import { GATEWAY_API_VERSIONS, gatewayWarnings, validateGateway } from "./validate_gateway.ts";
import { NAMESPACE_API_VERSIONS, validateNamespace } from "./validate_namespace.ts";
import { REFERENCE_GRANT_API_VERSIONS, validateReferenceGrant } from "./validate_reference_grant.ts";
import { SERVICE_API_VERSIONS, validateService } from "./validate_service.ts";
import { SERVICE_IMPORT_API_VERSIONS, validateServiceImport } from "./validate_service_import.ts";

/** Namespace of objects that name none, as `kubectl` does with no context namespace. */
export const DEFAULT_NAMESPACE = "default";

export interface ResourceKind<K extends StoredKind = StoredKind> {
  kind: K;
  /** apiVersions accepted in a request. */
  apiVersions: readonly string[];
  /** The apiVersion objects are stored and served as (the API server's storage version). */
  apiVersion: string;
  /** API group; "" for the core group. */
  group: string;
  /** Lower-case plural, as in REST paths (`/v1/gateways`). */
  plural: string;
  namespaced: boolean;
  /** Every field problem of an object that has this kind; none means valid. */
  validate(obj: unknown): FieldError[];
  /** Admission warnings about a valid object, each opening with its field path. */
  warnings(obj: ObjectOfKind<K>): string[];
  /**
   * A valid object as it is stored: apiVersion at the storage version, namespace defaulted,
   * client-written `status` dropped, and for inventory kinds only the fields routing reads.
   */
  normalise(obj: KubeObject): ObjectOfKind<K>;
}

const none = () => [];

/**
 * A parentRef's group defaults to the Gateway API's, where there is no Service: say so, since the
 * route then attaches to nothing (kubectl users meet the same default with no word of it).
 */
function httpRouteWarnings(route: HTTPRoute): string[] {
  const parents = (route.spec.parentRefs ?? []).flatMap((ref, i) =>
    ref.kind === "Service" && ref.group === GATEWAY_API_GROUP
      ? [
        `spec.parentRefs[${i}]: group "${GATEWAY_API_GROUP}" (the default) has no kind Service; ` +
        `a mesh route's parent Service needs group: ""`,
      ]
      : []
  );
  return [...parents, ...ignoredFields(route)];
}

/**
 * Experimental-channel fields the schema knows (so they are stored, never refused) but wasmroute does
 * not act on: said once each, so nobody counts on them.
 */
function ignoredFields(route: HTTPRoute): string[] {
  const spec = route.spec as Record<string, unknown>;
  const out = spec.useDefaultGateways !== undefined
    ? ["spec.useDefaultGateways: stored, but wasmroute attaches routes only to the parents they name"]
    : [];
  (route.spec.rules ?? []).forEach((rule, i) => {
    if ((rule as Record<string, unknown>).sessionPersistence !== undefined) {
      out.push(
        `spec.rules[${i}].sessionPersistence: stored, but wasmroute does not implement it ` +
          `(the wasmroute.dev/sticky-key annotation keeps a client on one backend)`,
      );
    }
  });
  return out;
}

/** {@linkcode asWritten}, then the CRD's defaults, on a copy. */
const defaulted = (apiVersion: string, apply: <T>(obj: T) => T) => (obj: KubeObject) =>
  apply(structuredClone(asWritten(apiVersion)(obj) as KubeObject)) as never;

/** Keeps the object as written (status aside) at the storage version, in a namespace. */
const asWritten = (apiVersion: string) => (obj: KubeObject) => {
  const { status: _status, ...rest } = obj;
  return {
    ...rest,
    apiVersion,
    metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? DEFAULT_NAMESPACE },
  } as never;
};

/** Kubernetes' own label on every Namespace, which `allowedRoutes` selectors commonly match on. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

function serviceOf(obj: KubeObject): Service {
  const { name, namespace, labels } = obj.metadata;
  const spec = obj.spec as Service["spec"] & { type?: string };
  const ports = spec.ports.map(({ name, port, protocol }) => ({
    ...(name ? { name } : {}),
    port,
    ...(protocol && { protocol }),
  }));
  // As the API server stores them: `clusterIPs` filled from `clusterIP` (validated already).
  const ip = spec.type === "ExternalName" ? "" : spec.clusterIP ?? "";
  const ips = ip ? (spec.clusterIPs?.length ? [...spec.clusterIPs] : [ip]) : [];
  return {
    apiVersion: CORE_V1,
    kind: "Service",
    metadata: { name, namespace: namespace ?? DEFAULT_NAMESPACE, ...(labels && { labels }) },
    spec: { ports, ...(ip && { clusterIP: ip, clusterIPs: ips }) },
  };
}

function namespaceOf(obj: KubeObject): Namespace {
  const { name, labels } = obj.metadata;
  // The API server sets this label on every Namespace and keeps it equal to the name.
  return {
    apiVersion: CORE_V1,
    kind: "Namespace",
    metadata: { name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name } },
  };
}

/** Every stored kind, by kind name. */
export const RESOURCE_KINDS: { readonly [K in StoredKind]: ResourceKind<K> } = {
  HTTPRoute: {
    kind: "HTTPRoute",
    apiVersions: HTTP_ROUTE_API_VERSIONS,
    apiVersion: GATEWAY_API_V1,
    group: "gateway.networking.k8s.io",
    plural: "httproutes",
    namespaced: true,
    validate: validateHttpRoute,
    warnings: httpRouteWarnings,
    normalise: defaulted(GATEWAY_API_V1, applyHttpRouteDefaults),
  },
  Gateway: {
    kind: "Gateway",
    apiVersions: GATEWAY_API_VERSIONS,
    apiVersion: GATEWAY_API_V1,
    group: "gateway.networking.k8s.io",
    plural: "gateways",
    namespaced: true,
    validate: validateGateway,
    warnings: (gateway: Gateway) => gatewayWarnings(gateway),
    normalise: defaulted(GATEWAY_API_V1, applyGatewayDefaults),
  },
  ReferenceGrant: {
    kind: "ReferenceGrant",
    apiVersions: REFERENCE_GRANT_API_VERSIONS,
    apiVersion: GATEWAY_API_V1,
    group: "gateway.networking.k8s.io",
    plural: "referencegrants",
    namespaced: true,
    validate: validateReferenceGrant,
    warnings: none,
    normalise: asWritten(GATEWAY_API_V1),
  },
  Service: {
    kind: "Service",
    apiVersions: SERVICE_API_VERSIONS,
    apiVersion: CORE_V1,
    group: "",
    plural: "services",
    namespaced: true,
    validate: validateService,
    warnings: none,
    normalise: serviceOf,
  },
  ServiceImport: {
    kind: "ServiceImport",
    apiVersions: SERVICE_IMPORT_API_VERSIONS,
    apiVersion: MCS_API_V1ALPHA1,
    group: "multicluster.x-k8s.io",
    plural: "serviceimports",
    namespaced: true,
    validate: validateServiceImport,
    warnings: none,
    normalise: asWritten(MCS_API_V1ALPHA1),
  },
  Namespace: {
    kind: "Namespace",
    apiVersions: NAMESPACE_API_VERSIONS,
    apiVersion: CORE_V1,
    group: "",
    plural: "namespaces",
    namespaced: false,
    validate: validateNamespace,
    warnings: none,
    normalise: namespaceOf,
  },
};

/** The stored kind named `kind`, or `undefined` for any other kind. */
export function resourceKind(kind: string): ResourceKind | undefined {
  return Object.hasOwn(RESOURCE_KINDS, kind) ? RESOURCE_KINDS[kind as StoredKind] as ResourceKind : undefined;
}

/** `namespace/name`, or just `name` for cluster-scoped kinds: how messages name an object. */
export function objectName(kind: StoredKind, namespace: string | undefined, name: string): string {
  return RESOURCE_KINDS[kind].namespaced ? `${namespace ?? DEFAULT_NAMESPACE}/${name}` : name;
}
