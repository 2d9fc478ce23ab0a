/**
 * `kustomize build` for the subset of kustomize wasmroute's manifests use, so the overlays can be
 * checked where no kustomize binary exists (CI machines have Node and npm; kubectl is not
 * guaranteed, and no kustomize implementation is published on npm).
 *
 * The subset: a `kustomization.yaml` with `apiVersion`, `kind` and `resources`, each resource a YAML
 * file inside the kustomization's folder or a folder holding another kustomization. Anything else
 * (patches, generators, transformers, remote bases) is refused, so an overlay that starts to need
 * them fails here loudly instead of being half-checked. Kustomize's own rules that matter for
 * these files are enforced as it enforces them: files may not lie outside the kustomization's
 * root, a kustomization may not include its own ancestor, and an object id may appear once.
 * Where `kubectl` exists, manifests_test.ts compares this result with `kubectl kustomize`.
 *
 * @module
 */
import { join, relative, resolve, sep } from "node:path";
import { parseAllDocuments } from "yaml";

export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
};

/** Where each built object came from. */
export interface BuiltObject {
  object: KubeObject;
  /** The YAML file's absolute path. */
  file: string;
}

const SUPPORTED_KEYS = ["apiVersion", "kind", "resources"];
const NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** Kustomize's resource id: group, kind, namespace and name. */
export function objectId(object: KubeObject): string {
  const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0] : "";
  return `${group}/${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

/** The kustomization file of `dir`, or undefined. */
export async function kustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of NAMES) {
    const file = join(dir, name);
    if (await Deno.stat(file).then((s) => s.isFile, () => false)) return file;
  }
  return undefined;
}

/** Parses every document of a YAML file; empty documents are skipped, errors thrown. */
export async function readYamlDocuments(file: string): Promise<unknown[]> {
  const docs = parseAllDocuments(await Deno.readTextFile(file), { uniqueKeys: true, prettyErrors: true });
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/**
 * Builds the kustomization in `dir` into its objects, in resource order.
 *
 * @throws {Error} naming the kustomization for anything kustomize would refuse or this subset
 * does not implement.
 */
export async function buildKustomization(dir: string): Promise<BuiltObject[]> {
  const out: BuiltObject[] = [];
  await build(resolve(dir), [], out);
  const seen = new Map<string, string>();
  for (const { object, file } of out) {
    const id = objectId(object);
    const first = seen.get(id);
    if (first) throw new Error(`${dir}: ${id} is defined twice (${first}, ${file})`);
    seen.set(id, file);
  }
  return out;
}

async function build(root: string, visiting: string[], out: BuiltObject[]): Promise<void> {
  for (const ancestor of visiting) {
    if (ancestor === root || ancestor.startsWith(root + sep)) {
      throw new Error(`cycle: ${root} contains ${ancestor}, which includes it`);
    }
  }
  const file = await kustomizationFile(root);
  if (!file) throw new Error(`${root}: no kustomization.yaml`);
  const [k, ...rest] = await readYamlDocuments(file);
  if (rest.length || !k || typeof k !== "object") throw new Error(`${file}: must hold one object`);
  const kustomization = k as Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED_KEYS.includes(key));
  if (unsupported.length) {
    throw new Error(
      `${file}: ${unsupported.join(", ")} not supported by this check (only ${SUPPORTED_KEYS.join(", ")})`,
    );
  }
  if (
    kustomization.apiVersion !== "kustomize.config.k8s.io/v1beta1" || kustomization.kind !== "Kustomization"
  ) {
    throw new Error(`${file}: apiVersion/kind must be kustomize.config.k8s.io/v1beta1 Kustomization`);
  }
  const resources = kustomization.resources ?? [];
  if (!Array.isArray(resources) || resources.some((r) => typeof r !== "string")) {
    throw new Error(`${file}: resources must be a list of paths`);
  }
  for (const entry of resources as string[]) {
    if (/^[a-z]+:\/\/|^github\.com\//.test(entry)) {
      throw new Error(`${file}: remote resource ${entry} is not allowed`);
    }
    const path = resolve(root, entry);
    const stat = await Deno.stat(path).catch(() => undefined);
    if (!stat) throw new Error(`${file}: resource ${entry} does not exist`);
    if (stat.isDirectory) {
      await build(path, [...visiting, root], out);
      continue;
    }
    // Kustomize's default load restrictor: files come from the kustomization's own tree.
    if (relative(root, path).startsWith("..")) {
      throw new Error(
        `${file}: ${entry} is outside the kustomization root (use a folder with its own kustomization)`,
      );
    }
    for (const [i, value] of (await readYamlDocuments(path)).entries()) {
      const object = value as KubeObject;
      if (
        typeof object?.apiVersion !== "string" || typeof object?.kind !== "string" || !object.metadata?.name
      ) {
        throw new Error(`${path}: document ${i} has no apiVersion, kind or metadata.name`);
      }
      out.push({ object, file: path });
    }
  }
}

/** Every folder under `dir` that holds a kustomization, sorted. */
export async function findKustomizations(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string) => {
    if (await kustomizationFile(d)) found.push(d);
    for await (const entry of Deno.readDir(d)) {
      if (entry.isDirectory) await walk(join(d, entry.name));
    }
  };
  await walk(dir);
  return found.sort();
}
