/**
 * `?gateway=NAMESPACE/NAME`, the query that asks for a Gateway's flavour of the WasmPlugin.
 *
 * @module
 */
import { HTTPException } from "hono/http-exception";
import { FlavourError, parseGatewayRef } from "../delivery/wasmplugin/flavours.ts";

/** The Gateway a `?gateway=` names, `undefined` without one; a 400 unless it is `NAMESPACE/NAME`. */
export function gatewayQuery(value: string | undefined): { namespace: string; name: string } | undefined {
  if (value === undefined) return undefined;
  try {
    return parseGatewayRef(value);
  } catch (error) {
    if (error instanceof FlavourError) throw new HTTPException(400, { message: error.message });
    throw error;
  }
}
