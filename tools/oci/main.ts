/**
 * `deno task oci`: packs `filter/build/filter.wasm` as an OCI image layout that Istio's WasmPlugin
 * can pull once it is in a registry:
 *
 * ```sh
 * deno task oci --tag 0.1.0                    # → dist/oci
 * skopeo copy oci:dist/oci:0.1.0 docker://REGISTRY/wasmroute/filter:0.1.0
 * ```
 *
 * Flags: `--module FILE` (default `filter/build/filter.wasm`), `--out DIR` (default `dist/oci`),
 * `--tag TAG` (default `latest`), `--repository REGISTRY/NAME` (only for the printed hints).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { buildWasmImage, readOciLayout, writeOciLayout } from "./oci_layout.ts";

export const USAGE = `deno task oci [--module filter/build/filter.wasm] [--out dist/oci] [--tag latest]
                    [--repository ghcr.io/wasmroute/filter]

Writes the filter module as an OCI image layout (Istio's Wasm "compat" image: one tar+gzip layer
holding plugin.wasm). Push it with: skopeo copy oci:OUT:TAG docker://REPOSITORY:TAG
`;

export interface OciResult {
  out: string;
  tag: string;
  manifestDigest: string;
  moduleSha256: string;
  size: number;
}

/** Builds, writes and reads back the layout (every digest checked); returns what was written. */
export async function packFilter(options: { module: string; out: string; tag: string }): Promise<OciResult> {
  const module = await Deno.readFile(options.module);
  const image = await buildWasmImage(module);
  await writeOciLayout(options.out, image, options.tag);
  const check = await readOciLayout(options.out, options.tag);
  if (check.manifest.digest !== image.manifest.digest || check.module.length !== module.length) {
    throw new Error(`${options.out} does not read back as written`);
  }
  return {
    out: options.out,
    tag: options.tag,
    manifestDigest: image.manifest.digest,
    moduleSha256: image.moduleSha256,
    size: module.length,
  };
}

export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        module: { type: "string", default: "filter/build/filter.wasm" },
        out: { type: "string", default: "dist/oci" },
        tag: { type: "string", default: "latest" },
        repository: { type: "string", default: "ghcr.io/wasmroute/filter" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let result;
  try {
    result = await packFilter({ module: values.module, out: values.out, tag: values.tag });
  } catch (error) {
    const hint = error instanceof Deno.errors.NotFound ? " (deno task build:filter first)" : "";
    console.error(`error: ${(error as Error).message}${hint}`);
    return 1;
  }
  const repo = values.repository;
  console.log(`${result.out}: OCI image layout of ${values.module} (${result.size} bytes), tag ${result.tag}
  image digest   ${result.manifestDigest}
  module sha256  ${result.moduleSha256}

push:       skopeo copy oci:${result.out}:${result.tag} docker://${repo}:${result.tag}
WasmPlugin: url: oci://${repo}@${result.manifestDigest}
            (or url: oci://${repo}:${result.tag}, and sha256: ${result.manifestDigest.slice(7)} to pin it)`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
