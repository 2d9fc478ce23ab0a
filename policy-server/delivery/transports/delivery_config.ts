/**
 * The delivery flags of the policy server, parsed beside the others in `config.ts`: that file
 * spreads {@linkcode DELIVERY_FLAGS} into its options, appends {@linkcode DELIVERY_USAGE} to its
 * usage and keeps {@linkcode parseDeliveryConfig}'s result as `config.delivery`.
 *
 * @module
 */
import type { Flavour } from "../wasmplugin/flavours.ts";
import { checkFlavours, FlavourError, parseFlavour } from "../wasmplugin/flavours.ts";
import { DEFAULT_PLUGIN_URL } from "../wasmplugin/render_wasmplugin.ts";

export interface DeliveryConfig {
  /** The WasmPlugins to push and write (default `[mesh]`). */
  flavours: Flavour[];
  /** Server-side apply each new generation to the Kubernetes API. */
  kubeApply: boolean;
  /** Credentials from this kubeconfig instead of the pod's service account. */
  kubeconfig?: string;
  /** The kubeconfig context (default its current-context). */
  kubeContext?: string;
  /** Create a missing WasmPlugin instead of waiting for its manifest to be applied. */
  kubeCreate: boolean;
  /** Write the WasmPlugin YAML here on each new generation. */
  gitopsDir?: string;
  /** The module `GET /v1/filter.wasm` serves (default `filter/build/filter.wasm` of the checkout). */
  filterWasm?: string;
  /** The WasmPlugin's `sha256`: hex, or `auto` for the SHA-256 of the served module. */
  pluginSha256?: string;
}

/** `parseArgs` options, spread into `config.ts`'s. */
export const DELIVERY_FLAGS = {
  "plugin-flavour": { type: "string", multiple: true },
  "plugin-sha256": { type: "string" },
  "kube-apply": { type: "boolean" },
  kubeconfig: { type: "string" },
  "kube-context": { type: "string" },
  "kube-create": { type: "boolean" },
  "gitops-dir": { type: "string" },
  "filter-wasm": { type: "string" },
} as const;

export const DELIVERY_USAGE =
  `  --plugin-flavour <f>       WasmPlugin to deliver, repeatable: mesh or gateway:NS/NAME
                             (WASMROUTE_PLUGIN_FLAVOURS, comma-separated; default mesh)
  --plugin-sha256 <hex|auto> the WasmPlugin's sha256; auto: the served filter.wasm's, for an
                             http(s) --plugin-url (WASMROUTE_PLUGIN_SHA256)
  --kube-apply               server-side apply each new blob to the WasmPlugin through the
                             Kubernetes API, as the pod's service account (WASMROUTE_KUBE_APPLY=true)
  --kubeconfig <file>        ... or with this kubeconfig's credentials; implies --kube-apply
                             (WASMROUTE_KUBECONFIG)
  --kube-context <name>      kubeconfig context (WASMROUTE_KUBE_CONTEXT, default its current-context)
  --kube-create              create a missing WasmPlugin instead of waiting for its manifest
                             (WASMROUTE_KUBE_CREATE=true)
  --gitops-dir <dir>         write each new blob's WasmPlugin YAML here, a file per flavour
                             (WASMROUTE_GITOPS_DIR)
  --filter-wasm <file>       the module GET /v1/filter.wasm serves
                             (WASMROUTE_FILTER_WASM, default filter/build/filter.wasm)
`;

export class DeliveryConfigError extends Error {
  override name = "DeliveryConfigError";
}

/**
 * Flags (as `parseArgs` returned them) over the environment. Bad input throws what `error` makes
 * of the message (`config.ts` passes its `ConfigError`), by default a {@linkcode DeliveryConfigError}.
 */
export function parseDeliveryConfig(
  values: Record<string, unknown>,
  env: (name: string) => string | undefined,
  plugin: { namespace?: string; name?: string; url?: string } = {},
  error: (message: string) => Error = (message) => new DeliveryConfigError(message),
): DeliveryConfig {
  const text = (flag: string, name: string) =>
    (values[flag] as string | undefined) ?? (env(name) || undefined);
  const bool = (flag: string, name: string) => {
    if (values[flag] !== undefined) return values[flag] as boolean;
    const value = env(name)?.toLowerCase();
    if (!value) return false;
    if (["true", "1", "yes"].includes(value)) return true;
    if (["false", "0", "no"].includes(value)) return false;
    throw error(`${name}="${env(name)}" is not true or false`);
  };

  const given = (values["plugin-flavour"] as string[] | undefined) ??
    env("WASMROUTE_PLUGIN_FLAVOURS")?.split(",").map((s) => s.trim()).filter(Boolean);
  let flavours: Flavour[];
  try {
    flavours = (given?.length ? given : ["mesh"]).map(parseFlavour);
    checkFlavours(flavours, plugin);
  } catch (e) {
    if (e instanceof FlavourError) throw error(e.message);
    throw e;
  }

  const pluginSha256 = text("plugin-sha256", "WASMROUTE_PLUGIN_SHA256")?.toLowerCase();
  if (pluginSha256 !== undefined && pluginSha256 !== "auto" && !/^[0-9a-f]{64}$/.test(pluginSha256)) {
    throw error(`plugin sha256 "${pluginSha256}" is neither 64 hex digits nor auto`);
  }
  const url = plugin.url ?? DEFAULT_PLUGIN_URL;
  if (pluginSha256 === "auto" && !/^https?:\/\//.test(url)) {
    // For oci:// Istio compares sha256 with the image manifest's digest, not the module's.
    throw error(
      `--plugin-sha256 auto is the module's SHA-256, which only an http(s) url is checked against; ` +
        `for ${url} pin the image digest in the url instead`,
    );
  }

  const kubeconfig = text("kubeconfig", "WASMROUTE_KUBECONFIG");
  const gitopsDir = text("gitops-dir", "WASMROUTE_GITOPS_DIR");
  const kubeContext = text("kube-context", "WASMROUTE_KUBE_CONTEXT");
  const filterWasm = text("filter-wasm", "WASMROUTE_FILTER_WASM");
  const kubeApply = bool("kube-apply", "WASMROUTE_KUBE_APPLY") || kubeconfig !== undefined;
  if (kubeContext !== undefined && kubeconfig === undefined) {
    throw error("--kube-context needs --kubeconfig");
  }
  return {
    flavours,
    kubeApply,
    ...(kubeconfig !== undefined && { kubeconfig }),
    ...(kubeContext !== undefined && { kubeContext }),
    kubeCreate: bool("kube-create", "WASMROUTE_KUBE_CREATE"),
    ...(gitopsDir !== undefined && { gitopsDir }),
    ...(filterWasm !== undefined && { filterWasm }),
    ...(pluginSha256 !== undefined && { pluginSha256 }),
  };
}
