/**
 * What the policy server accepts — Gateway API HTTPRoutes, Gateways and ReferenceGrants, and the
 * Services, ServiceImports and Namespaces they refer to: types, parsing, validation and admission.
 *
 * @module
 */
export * from "./types.ts";
export { parseResources } from "./parse_resources.ts";
export { HTTP_ROUTE_API_VERSIONS, validateHttpRoute } from "./validate_http_route.ts";
export { GATEWAY_API_VERSIONS, gatewayWarnings, validateGateway } from "./validate_gateway.ts";
export { REFERENCE_GRANT_API_VERSIONS, validateReferenceGrant } from "./validate_reference_grant.ts";
export { SERVICE_API_VERSIONS, validateService } from "./validate_service.ts";
export { SERVICE_IMPORT_API_VERSIONS, validateServiceImport } from "./validate_service_import.ts";
export { NAMESPACE_API_VERSIONS, validateNamespace } from "./validate_namespace.ts";
export { DEFAULT_NAMESPACE, objectName, RESOURCE_KINDS, resourceKind } from "./resource_kinds.ts";
export type { ResourceKind } from "./resource_kinds.ts";
export { admitResources } from "./admit_resources.ts";
export type { AdmitOptions } from "./admit_resources.ts";
export { ResourceError } from "./resource_error.ts";
export type { CauseType, FieldError } from "./resource_error.ts";
export { failureStatus, reasonFor } from "./kube_status.ts";
export type { KubeStatus, StatusCause } from "./kube_status.ts";
