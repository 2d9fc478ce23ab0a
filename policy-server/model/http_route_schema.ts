/**
 * The HTTPRoute and Gateway OpenAPI schema validators that `@kubernetes-models/gateway-api`
 * generates from the Gateway API CRDs (see {@linkcode schemaErrors}).
 *
 * @module
 */
import process from "node:process";
import type { SchemaValidator } from "./schema_errors.ts";

// The validator's dependencies (ajv-formats → uri-js) require Node's deprecated `punycode`, which
// would print a DeprecationWarning on stderr at start-up, amid the JSON log lines: hush that one
// import, and only it.
const node = process as unknown as { noDeprecation?: boolean };
const quiet = node.noDeprecation;
node.noDeprecation = true;
const { validate } = await import(
  "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1HTTPRoute"
);
const { validate: validateGateway } = await import(
  "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1Gateway"
);
node.noDeprecation = quiet;

/** Validates a `gateway.networking.k8s.io/v1` HTTPRoute against the CRD's OpenAPI schema. */
export const validateHttpRouteSchema: SchemaValidator = validate as SchemaValidator;

/** Validates a `gateway.networking.k8s.io/v1` Gateway against the CRD's OpenAPI schema. */
export const validateGatewaySchema: SchemaValidator = validateGateway as SchemaValidator;
