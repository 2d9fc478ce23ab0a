/**
 * GitOps delivery: each new blob generation is written as WasmPlugin YAML into a folder that a
 * GitOps tool (Argo CD, Flux, a git-sync sidecar, CI) commits or applies. One file per flavour
 * (`wasmplugin.yaml`; `wasmplugin.gateway.NAMESPACE.NAME.yaml`), the same text
 * `GET /v1/wasmplugin` answers.
 *
 * Each file is replaced atomically: written and synced under a temporary name in the same folder,
 * then renamed over the old one, so a reader sees the old file or the new one, never half of one.
 * File names come from {@linkcode flavourFileName}, which builds them from validated Kubernetes
 * names only; the resolved path is checked to be directly inside the folder all the same.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import type { BlobRecord, Store } from "../../store/store.ts";
import type { Flavour } from "../wasmplugin/flavours.ts";
import { flavourFileName, flavourOptions } from "../wasmplugin/flavours.ts";
import type { Offer, PushTarget } from "./latest_pusher.ts";
import { pluginToYaml, renderPlugin } from "../wasmplugin/render_plugin.ts";
import type { WasmPluginOptions } from "../wasmplugin/render_wasmplugin.ts";

/** `dir/file`, refusing anything that is not a plain file name directly inside `dir`. */
export function fileInside(dir: string, file: string): string {
  const folder = resolve(dir);
  const path = resolve(folder, file);
  if (file !== basename(file) || dirname(path) !== folder || file.startsWith(".") || file.includes("\0")) {
    throw new Error(`refusing to write "${file}" outside ${folder}`);
  }
  return path;
}

/** Replaces `path` with `text` atomically (temp file in the same folder, fsync, rename). */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  try {
    using file = await Deno.open(temp, { write: true, createNew: true, mode: 0o644 });
    const bytes = new TextEncoder().encode(text);
    for (let written = 0; written < bytes.length;) written += await file.write(bytes.subarray(written));
    await file.sync();
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  try {
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

export interface GitOpsTargetOptions {
  dir: string;
  store: Pick<Store, "blobAt" | "currentBlob">;
  flavour: Flavour;
  plugin?: WasmPluginOptions;
}

/** A {@linkcode PushTarget} writing one flavour's WasmPlugin YAML. */
export class GitOpsFileTarget implements PushTarget {
  readonly kind = "gitops";
  readonly name: string;
  readonly path: string;
  readonly #options: GitOpsTargetOptions;

  constructor(options: GitOpsTargetOptions) {
    this.#options = options;
    // A TrafficExtension's file says so: trafficextension.yaml, trafficextension.gateway.NS.NAME.yaml.
    const file = flavourFileName(options.flavour);
    this.path = fileInside(
      options.dir,
      options.plugin?.kind === "TrafficExtension" ? file.replace(/^wasmplugin\./, "trafficextension.") : file,
    );
    this.name = `gitops ${this.path}`;
  }

  async push(offer: Offer, _signal: AbortSignal): Promise<number> {
    const { store, flavour, plugin, dir } = this.#options;
    const record: BlobRecord | null = await store.blobAt(offer.generation) ?? await store.currentBlob();
    if (!record) throw new Error(`blob generation ${offer.generation} is gone and there is no current blob`);
    const text = pluginToYaml(renderPlugin(record, flavourOptions(flavour, plugin)));
    await Deno.mkdir(dir, { recursive: true });
    // Unchanged text (a restart) is not rewritten: no new mtime, nothing for a watcher to do.
    const old = await Deno.readTextFile(this.path).catch(() => undefined);
    if (old !== text) await writeFileAtomic(this.path, text);
    return record.generation;
  }
}
