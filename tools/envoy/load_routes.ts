import { join } from "node:path";
import { admitResources } from "../../policy-server/model/admit_resources.ts";
import { parseResources } from "../../policy-server/model/parse_resources.ts";

/** Resources read from disk as the server admits them (HTTPRoutes, and whatever else it accepts). */
export type AdmittedResources = ReturnType<typeof admitResources>;

/** Routes read from disk, and the file they came from. */
export interface LoadedRoutes {
  file: string;
  routes: AdmittedResources;
}

/**
 * Reads HTTPRoutes the way the policy server reads a POST body: parsed as YAML, then admitted
 * (validated, namespace defaulted), all or nothing. `path` is a route file, or an example folder
 * whose `routes.yaml` is read.
 *
 * @throws {ResourceError} as the server would refuse the same file (400 or 422).
 */
export async function loadRoutes(path: string): Promise<LoadedRoutes> {
  const file = (await Deno.stat(path)).isDirectory ? join(path, "routes.yaml") : path;
  const text = await Deno.readTextFile(file);
  return { file, routes: admitResources(parseResources(text, "application/yaml")) };
}
