/**
 * Gateway API resources as the policy server accepts them: types, parsing, validation and admission.
 *
 * @module
 */
export * from "./types.ts";
export { parseResources } from "./parse_resources.ts";
export { HTTP_ROUTE_API_VERSIONS, validateHttpRoute } from "./validate_http_route.ts";
export { admitResources, DEFAULT_NAMESPACE } from "./admit_resources.ts";
export { ResourceError } from "./resource_error.ts";
export type { CauseType, FieldError } from "./resource_error.ts";
export { failureStatus, reasonFor } from "./kube_status.ts";
export type { KubeStatus, StatusCause } from "./kube_status.ts";
