/**
 * The Envoy glue around the filter, as `manifests/istio/envoyfilter-cluster-header.yaml` inserts it:
 * the headers the filter writes its decision into, the `cluster_header` route that honours them, and
 * the header_mutation filter that strips client-sent copies first. The simulator plays this glue;
 * `tools/envoy/` renders it into a real Envoy's bootstrap; a test there checks the manifest against it.
 *
 * @module
 */

/** The header the filter writes its decision into (docs/architecture.md). */
export const CLUSTER_HEADER = "x-wasmroute-cluster";
/** The header the filter writes a URLRewrite hostname into; the route rewrites Host from it. */
export const AUTHORITY_HEADER = "x-wasmroute-authority";
/** The cluster a `cluster_header` route sends a request with these headers to (the header's value). */
export function decidedCluster(headers: readonly (readonly [string, string])[]): string | undefined {
  return headers.find(([k]) => k === CLUSTER_HEADER)?.[1];
}

/** The filter's internal request headers: only the filter may set them, never the client. */
export const INTERNAL_HEADERS = [CLUSTER_HEADER, AUTHORITY_HEADER] as const;

/** The route that honours the filter's decision, as the EnvoyFilter in manifests/istio inserts it. */
export const CLUSTER_HEADER_ROUTE = {
  name: "wasmroute-cluster-header",
  match: { prefix: "/", headers: [{ name: CLUSTER_HEADER, present_match: true }] },
  route: { cluster_header: CLUSTER_HEADER, host_rewrite_header: AUTHORITY_HEADER, timeout: "0s" },
  request_headers_to_remove: [CLUSTER_HEADER],
} as const;

/**
 * The HTTP filter that strips client-sent copies of {@linkcode INTERNAL_HEADERS}, first in the HTTP
 * connection manager's chain (before the wasm filter), as the EnvoyFilter in manifests/istio inserts
 * it. Envoy's native header_mutation filter does it, so the filter spends no host call per request on
 * sanitising client input, and requests the filter passes (or proxies it does not run in) are covered
 * too. The route's `request_headers_to_remove` cannot do it: Envoy applies that before
 * `host_rewrite_header` reads the header.
 */
export const STRIP_INTERNAL_HEADERS = {
  name: "wasmroute.strip-internal-headers",
  typed_config: {
    "@type": "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
    mutations: { request_mutations: INTERNAL_HEADERS.map((remove) => ({ remove })) },
  },
} as const;
