/**
 * WasmPlugin flavours: which WasmPlugin objects the server delivers, and the only place names from
 * outside become Kubernetes paths or file names — after they pass Kubernetes' own name rules.
 *
 * - `mesh`: the WasmPlugin as `--plugin-namespace` and the other plugin options say (every route);
 * - `gateway:NAMESPACE/NAME`: beside that Gateway, `pluginConfig.scope: gateway:NAMESPACE/NAME`.
 *
 * @module
 */
import type { WasmPluginOptions } from "./render_wasmplugin.ts";

export type Flavour = { kind: "mesh" } | { kind: "gateway"; namespace: string; name: string };

/** A Kubernetes namespace (and Service) name: an RFC 1123 label. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Most object names (Gateways, WasmPlugins): an RFC 1123 subdomain. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const isNamespaceName = (s: string): boolean => s.length <= 63 && DNS_LABEL.test(s);
export const isObjectName = (s: string): boolean => s.length <= 253 && DNS_SUBDOMAIN.test(s);

export class FlavourError extends Error {
  override name = "FlavourError";
}

/** `NAMESPACE/NAME` of a Gateway; throws {@linkcode FlavourError} unless both are valid names. */
export function parseGatewayRef(ref: string): { namespace: string; name: string } {
  const parts = ref.split("/");
  if (parts.length !== 2 || !isNamespaceName(parts[0]) || !isObjectName(parts[1])) {
    throw new FlavourError(`gateway "${ref}" must be NAMESPACE/NAME (lowercase Kubernetes names)`);
  }
  return { namespace: parts[0], name: parts[1] };
}

/** `mesh` or `gateway:NAMESPACE/NAME`; throws {@linkcode FlavourError} otherwise. */
export function parseFlavour(text: string): Flavour {
  if (text === "mesh") return { kind: "mesh" };
  if (text.startsWith("gateway:")) {
    return { kind: "gateway", ...parseGatewayRef(text.slice("gateway:".length)) };
  }
  throw new FlavourError(`flavour "${text}" must be "mesh" or "gateway:NAMESPACE/NAME"`);
}

export const flavourString = (f: Flavour): string =>
  f.kind === "mesh" ? "mesh" : `gateway:${f.namespace}/${f.name}`;

/** The render options of a flavour, as `GET /v1/wasmplugin[?gateway=NS/NAME]` renders it. */
export function flavourOptions(flavour: Flavour, plugin: WasmPluginOptions = {}): WasmPluginOptions {
  return flavour.kind === "mesh"
    ? plugin
    : { ...plugin, namespace: flavour.namespace, scope: `gateway:${flavour.namespace}/${flavour.name}` };
}

/** The WasmPlugin object a flavour renders, `namespace/name`: two flavours must not share one. */
export function flavourObject(
  flavour: Flavour,
  plugin: WasmPluginOptions = {},
): { namespace: string; name: string } {
  const options = flavourOptions(flavour, plugin);
  return { namespace: options.namespace ?? "istio-system", name: options.name ?? "wasmroute" };
}

/**
 * The GitOps file of a flavour: `wasmplugin.yaml` for `mesh`,
 * `wasmplugin.gateway.NAMESPACE.NAME.yaml` for a Gateway (a namespace has no dots, so the name is
 * unambiguous). Built from validated names only, and checked again here: the result is one plain
 * file name, never a path.
 */
export function flavourFileName(flavour: Flavour): string {
  if (flavour.kind === "mesh") return "wasmplugin.yaml";
  if (!isNamespaceName(flavour.namespace) || !isObjectName(flavour.name)) {
    throw new FlavourError(`gateway "${flavour.namespace}/${flavour.name}" is not a valid NAMESPACE/NAME`);
  }
  const file = `wasmplugin.gateway.${flavour.namespace}.${flavour.name}.yaml`;
  // Belt and braces: the name rules already exclude every character below.
  if (file.includes("/") || file.includes("\\") || file.includes("\0") || file.includes("..")) {
    throw new FlavourError(`refusing file name "${file}"`);
  }
  return file;
}

/**
 * Checks a list of flavours: valid names, no duplicates, and no two rendering the same
 * WasmPlugin object (they would overwrite each other's `pluginConfig` on every push).
 */
export function checkFlavours(flavours: Flavour[], plugin: WasmPluginOptions = {}): void {
  const seen = new Map<string, string>();
  for (const f of flavours) {
    if (f.kind === "gateway") parseGatewayRef(`${f.namespace}/${f.name}`);
    const { namespace, name } = flavourObject(f, plugin);
    const key = `${namespace}/${name}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new FlavourError(
        other === flavourString(f)
          ? `flavour "${other}" is given twice`
          : `flavours "${other}" and "${flavourString(f)}" both render the WasmPlugin ${key}`,
      );
    }
    seen.set(key, flavourString(f));
  }
}
