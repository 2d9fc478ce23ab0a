/**
 * Applies an Istio `EnvoyFilter`'s `configPatches` to an Envoy bootstrap, the way istiod patches
 * the xDS it generates: only the patch forms the project's manifests use are implemented, and any
 * other form is refused, so a manifest change can never be silently left out of the Envoy the tests
 * run.
 *
 * @module
 */

/** Istio's patch contexts; a listener of the bootstrap says which one it is in. */
export type PatchContext = "SIDECAR_OUTBOUND" | "SIDECAR_INBOUND" | "GATEWAY";

/** The part of an `EnvoyFilter` this module reads. */
export interface EnvoyFilterSpec {
  configPatches: ConfigPatch[];
}

interface ConfigPatch {
  applyTo: string;
  match?: {
    context?: PatchContext | "ANY";
    listener?: { portNumber?: number; filterChain?: { filter?: { name?: string } } };
    routeConfiguration?: { portNumber?: number; name?: string; vhost?: { name?: string } };
  };
  patch: { operation: string; value: Record<string, unknown> };
}

type Json = Record<string, unknown>;

/** A listener of the bootstrap tagged with its context and the port it stands for. */
export interface PatchableListener {
  context: PatchContext;
  port: number;
  listener: Json;
}

const HCM = "envoy.filters.network.http_connection_manager";

/**
 * Applies every patch of `spec` to `listeners` (changed in place), in order.
 *
 * @throws {Error} on a patch form this module does not implement.
 */
export function applyEnvoyFilter(spec: EnvoyFilterSpec, listeners: PatchableListener[]): void {
  spec.configPatches.forEach((patch, i) => {
    const where = `configPatches[${i}]`;
    if (patch.patch.operation !== "INSERT_FIRST") {
      throw new Error(`${where}: operation ${patch.patch.operation} is not implemented`);
    }
    const targets = listeners.filter((l) => contextMatches(patch, l));
    if (patch.applyTo === "HTTP_FILTER") {
      for (const hcm of targets.flatMap((l) => connectionManagers(l, patch, where))) {
        (hcm.http_filters as Json[]).unshift(structuredClone(patch.patch.value));
      }
    } else if (patch.applyTo === "HTTP_ROUTE") {
      for (const vhost of targets.flatMap((l) => virtualHosts(l, patch, where))) {
        (vhost.routes as Json[]).unshift(structuredClone(patch.patch.value));
      }
    } else {
      throw new Error(`${where}: applyTo ${patch.applyTo} is not implemented`);
    }
  });
}

function contextMatches(patch: ConfigPatch, l: PatchableListener): boolean {
  const context = patch.match?.context ?? "ANY";
  const port = patch.match?.listener?.portNumber ?? patch.match?.routeConfiguration?.portNumber;
  return (context === "ANY" || context === l.context) && (port === undefined || port === l.port);
}

/** The HTTP connection managers of a listener's filter chains that the patch's match selects. */
function connectionManagers(l: PatchableListener, patch: ConfigPatch, where: string): Json[] {
  const name = patch.match?.listener?.filterChain?.filter?.name;
  if (name !== undefined && name !== HCM) throw new Error(`${where}: only ${HCM} filters are implemented`);
  return (l.listener.filter_chains as Json[]).flatMap((chain) =>
    (chain.filters as Json[]).filter((f) => f.name === HCM).map((f) => f.typed_config as Json)
  );
}

function virtualHosts(l: PatchableListener, patch: ConfigPatch, where: string): Json[] {
  const rc = patch.match?.routeConfiguration;
  if (rc?.vhost === undefined) throw new Error(`${where}: HTTP_ROUTE needs routeConfiguration.vhost`);
  return connectionManagers(l, { ...patch, match: {} }, where)
    .map((hcm) => hcm.route_config as Json)
    .filter((config) => rc.name === undefined || config.name === rc.name)
    .flatMap((config) => config.virtual_hosts as Json[])
    .filter((vhost) => rc.vhost?.name === undefined || vhost.name === rc.vhost.name);
}
