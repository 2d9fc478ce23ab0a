// The request headers only the filter writes (docs/architecture.md): Envoy's glue strips a
// client-sent copy of either before the filter runs.

/** The request header an Envoy route reads the chosen cluster from (`cluster_header`). */
export const CLUSTER_HEADER = "x-wasmroute-cluster";
/** The request header the route's `host_rewrite_header` takes a URLRewrite hostname from. */
export const AUTHORITY_HEADER = "x-wasmroute-authority";
