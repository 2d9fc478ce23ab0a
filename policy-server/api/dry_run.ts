/**
 * Kubernetes' `?dryRun=All`: do everything a write does but store it.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/** Whether the request asks for a dry run; any value but `All` is a 400, as in Kubernetes. */
export function dryRunOf(c: Context): boolean {
  const values = c.req.queries("dryRun");
  if (!values) return false;
  for (const value of values) {
    if (value !== "All") {
      throw new HTTPException(400, {
        message: `invalid dry run value "${value}": the only supported value is "All"`,
      });
    }
  }
  return true;
}
