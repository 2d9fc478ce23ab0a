/**
 * The filter module as an OCI image that Istio's WasmPlugin pulls (`url: oci://…`), written as an
 * OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/…`) that
 * `skopeo copy oci:DIR:TAG docker://REGISTRY/…:TAG` pushes unchanged.
 *
 * The image is the *compat* variant of the Wasm image spec, the one every Istio version's image
 * fetcher (`pkg/wasm/imagefetcher.go`) accepts: exactly one layer of media type
 * `application/vnd.oci.image.layer.v1.tar+gzip` holding `plugin.wasm`, an ordinary image config
 * (`application/vnd.oci.image.config.v1+json`), and the manifest annotation
 * `module.wasm.image/variant: compat` the spec asks for. (Istio's other, "oci" variant needs two
 * layers, one of type `application/vnd.module.wasm.content.layer.v1+wasm`; standard tools cannot
 * build it and it gains nothing here.) The bytes are reproducible: fixed tar metadata and no
 * timestamps, so the same module always gives the same manifest digest.
 *
 * @module
 */
import { join } from "node:path";
import { tar, untar } from "./tar.ts";
import { Buffer } from "node:buffer";

export const MEDIA_TYPES = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

/** The file Istio looks for in the layer. */
export const PLUGIN_FILE = "plugin.wasm";
export const VARIANT_ANNOTATION = "module.wasm.image/variant";
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface WasmImage {
  /** Every blob by digest: config, layer, manifest. */
  blobs: Map<string, Uint8Array>;
  /** The manifest's descriptor: its digest is the image digest (`…/filter@sha256:…`). */
  manifest: Descriptor;
  config: Descriptor;
  layer: Descriptor;
  /** SHA-256 of the module itself (what an http(s) WasmPlugin url's `sha256` is). */
  moduleSha256: string;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)).toString("hex");
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}
export const gzip = (bytes: Uint8Array): Promise<Uint8Array> => pipe(bytes, new CompressionStream("gzip"));
export const gunzip = (bytes: Uint8Array): Promise<Uint8Array> =>
  pipe(bytes, new DecompressionStream("gzip"));

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Builds the image of `module` in memory. */
export async function buildWasmImage(
  module: Uint8Array,
  options: { title?: string } = {},
): Promise<WasmImage> {
  if (module.length < 8 || WASM_MAGIC.some((b, i) => module[i] !== b)) {
    throw new Error("the module is not WebAssembly (no \\0asm header)");
  }
  const blobs = new Map<string, Uint8Array>();
  const add = async (mediaType: string, bytes: Uint8Array, annotations?: Record<string, string>) => {
    const digest = `sha256:${await sha256(bytes)}`;
    blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length, ...(annotations && { annotations }) } as Descriptor;
  };

  const archive = tar([{ name: PLUGIN_FILE, bytes: module }]);
  const layer = await add(MEDIA_TYPES.layer, await gzip(archive));
  const config = await add(
    MEDIA_TYPES.config,
    json({
      // Docker's platform for Wasm images; Istio does not read the config.
      architecture: "wasm",
      os: "wasi",
      config: {},
      rootfs: { type: "layers", diff_ids: [`sha256:${await sha256(archive)}`] },
    }),
  );
  const manifest = await add(
    MEDIA_TYPES.manifest,
    json({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config,
      layers: [layer],
      annotations: {
        [VARIANT_ANNOTATION]: "compat",
        "org.opencontainers.image.title": options.title ?? "wasmroute filter",
      },
    }),
  );
  return { blobs, manifest, config, layer, moduleSha256: await sha256(module) };
}

/**
 * Writes `image` as an OCI image layout in `dir`, tagged `tag` (`index.json`'s ref name). `dir`
 * must be missing, empty, or an earlier layout, which is replaced.
 */
export async function writeOciLayout(dir: string, image: WasmImage, tag: string): Promise<void> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) throw new Error(`"${tag}" is not a valid image tag`);
  const entries: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) entries.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (entries.length > 0) {
    if (!entries.includes("oci-layout")) {
      throw new Error(`${dir} is not empty and not an OCI image layout: refusing to replace it`);
    }
    await Deno.remove(dir, { recursive: true });
  }
  await Deno.mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  for (const [digest, bytes] of image.blobs) {
    await Deno.writeFile(join(dir, "blobs", "sha256", digest.slice("sha256:".length)), bytes);
  }
  await Deno.writeTextFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await Deno.writeTextFile(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [{ ...image.manifest, annotations: { [REF_NAME_ANNOTATION]: tag } }],
    }),
  );
}

export interface ReadLayout {
  tag: string;
  manifest: Descriptor & {
    content: { layers: Descriptor[]; config: Descriptor; annotations?: Record<string, string> };
  };
  config: Record<string, unknown>;
  layers: Descriptor[];
  /** `plugin.wasm` as Istio would extract it from the single layer. */
  module: Uint8Array;
}

/**
 * Reads a layout back as a registry client would, checking every digest and size on the way and
 * extracting the module the way Istio does (the single `tar+gzip` layer's `plugin.wasm`).
 */
export async function readOciLayout(dir: string, tag?: string): Promise<ReadLayout> {
  const layout = JSON.parse(await Deno.readTextFile(join(dir, "oci-layout")));
  if (layout.imageLayoutVersion !== "1.0.0") {
    throw new Error(`unknown imageLayoutVersion ${layout.imageLayoutVersion}`);
  }
  const blob = async (d: Descriptor) => {
    const m = /^sha256:([0-9a-f]{64})$/.exec(d.digest);
    if (!m) throw new Error(`bad digest ${d.digest}`);
    const bytes = await Deno.readFile(join(dir, "blobs", "sha256", m[1]));
    if (bytes.length !== d.size) {
      throw new Error(`${d.digest}: ${bytes.length} bytes, descriptor says ${d.size}`);
    }
    if (await sha256(bytes) !== m[1]) throw new Error(`${d.digest}: content does not match its digest`);
    return bytes;
  };
  const index = JSON.parse(await Deno.readTextFile(join(dir, "index.json")));
  const manifests = (index.manifests ?? []) as Descriptor[];
  const entry = tag === undefined && manifests.length === 1
    ? manifests[0]
    : manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === tag);
  if (!entry) throw new Error(`no manifest tagged ${tag} in ${dir}`);
  if (entry.mediaType !== MEDIA_TYPES.manifest) throw new Error(`manifest media type ${entry.mediaType}`);
  const content = JSON.parse(new TextDecoder().decode(await blob(entry)));
  const config = JSON.parse(new TextDecoder().decode(await blob(content.config)));
  const layers = content.layers as Descriptor[];
  if (layers.length !== 1 || layers[0].mediaType !== MEDIA_TYPES.layer) {
    throw new Error(`Istio's compat variant needs exactly one ${MEDIA_TYPES.layer} layer`);
  }
  const archive = await gunzip(await blob(layers[0]));
  const diffId = `sha256:${await sha256(archive)}`;
  if (config.rootfs?.diff_ids?.[0] !== diffId) throw new Error(`config diff_id is not the layer's ${diffId}`);
  const file = untar(archive).find((e) => e.name.split("/").pop() === PLUGIN_FILE);
  if (!file) throw new Error(`the layer holds no ${PLUGIN_FILE}`);
  return {
    tag: entry.annotations?.[REF_NAME_ANNOTATION] ?? "",
    manifest: { ...entry, content },
    config,
    layers,
    module: file.bytes,
  };
}
