/**
 * Derives, from the type declarations `@kubernetes-models/*` generate out of the Gateway API CRDs and
 * Kubernetes' OpenAPI document, which fields each stored kind has: what the API server's strict
 * decoding knows. Writes `policy-server/model/known_fields.json` (the server reads that file, never
 * `node_modules`); a test derives it again and compares, so a package upgrade cannot leave it stale.
 *
 * ```sh
 * deno run --allow-read --allow-write tools/derive_known_fields.ts
 * ```
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FieldTree } from "../policy-server/model/strict_fields.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const KNOWN_FIELDS_FILE = join(ROOT, "policy-server/model/known_fields.json");

/** Each stored kind's root declaration, relative to `node_modules/`. */
const ROOTS: Record<string, string> = {
  HTTPRoute: "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute.d.ts",
  Gateway: "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway.d.ts",
  ReferenceGrant: "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1/ReferenceGrant.d.ts",
  Service: "kubernetes-models/v1/Service.d.ts",
  Namespace: "kubernetes-models/v1/Namespace.d.ts",
};

/**
 * ServiceImport (multicluster.x-k8s.io/v1alpha1, KEP-1645) has no package of generated models: its
 * CRD's fields are written out here, and metadata comes from ObjectMeta like every other kind's.
 */
const SERVICE_IMPORT_SPEC: FieldTree = {
  ports: [{ name: "*", protocol: "*", appProtocol: "*", port: "*" }],
  ips: ["*"],
  type: "*",
  sessionAffinity: "*",
  sessionAffinityConfig: { clientIP: { timeoutSeconds: "*" } },
};
const SERVICE_IMPORT_STATUS: FieldTree = { clusters: [{ cluster: "*" }] };

/** One declaration file, read once. */
class Declarations {
  readonly #texts = new Map<string, string>();
  readonly #trees = new Map<string, FieldTree>();

  read(file: string): string {
    let text = this.#texts.get(file);
    if (text === undefined) {
      text = Deno.readTextFileSync(file);
      this.#texts.set(file, text);
    }
    return text;
  }

  /** The field tree of the type a file declares first (its interface, or the alias it names). */
  treeOf(file: string): FieldTree {
    const cached = this.#trees.get(file);
    if (cached !== undefined) return cached;
    this.#trees.set(file, "*"); // a cycle (none today) ends at an opaque node
    const tree = this.#derive(file);
    this.#trees.set(file, tree);
    return tree;
  }

  #derive(file: string): FieldTree {
    const text = this.read(file);
    const body = /^export interface \w+(?: extends ([\w, ]+))? \{\n([\s\S]*?)^\}/m.exec(text);
    if (!body) {
      const alias = /^export type I\w+ = (.+);$/m.exec(text);
      return alias ? this.#typeTree(alias[1], file) : "*";
    }
    const fields: Record<string, FieldTree> = {};
    // Members of a generated base (CommonRouteSpec); TypeMeta's come with their own declarations.
    for (const base of body[1]?.split(/,\s*/) ?? []) {
      const source = importOf(text, base);
      const tree = source ? this.treeOf(resolveImport(file, source)) : "*";
      if (typeof tree === "object" && !Array.isArray(tree)) Object.assign(fields, tree);
    }
    const members = stripComments(body[2]).matchAll(/^ {4}"([^"]+)"\??: ([\s\S]+?);\n(?= {4}"|$)/gm);
    for (const [, name, type] of members) fields[name] = this.#typeTree(type.trim(), file);
    // An interface with no members is the generators' rendering of "any JSON" (e.g. FieldsV1).
    return Object.keys(fields).length ? fields : "*";
  }

  #typeTree(type: string, file: string): FieldTree {
    const array = /^Array<(.+)>$/s.exec(type);
    if (array) return [this.#typeTree(array[1], file)];
    const map = /^\{\s*\[key: string\]: (.+?);\s*\}$/s.exec(type);
    if (map) return { "*": this.#typeTree(map[1], file) };
    const named = /^(I\w+)(?:\["\w+"\])?$/.exec(type);
    if (named) {
      const source = importOf(this.read(file), named[1]);
      return source ? this.treeOf(resolveImport(file, source)) : "*";
    }
    return "*"; // string, number, boolean, literal unions
  }
}

function stripComments(text: string): string {
  return text.replace(/^[ \t]*\/\*\*[\s\S]*?\*\/\n/gm, "");
}

function importOf(text: string, name: string): string | undefined {
  const found = new RegExp(`^import \\{ ${name} \\} from "([^"]+)";$`, "m").exec(text);
  return found?.[1];
}

/** Node's resolution, as far as these packages need it: relative paths and bare package paths. */
function resolveImport(from: string, specifier: string): string {
  const withTypes = specifier.replace(/\.js$/, "") + ".d.ts";
  if (specifier.startsWith(".")) return join(dirname(from), withTypes);
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", withTypes);
    try {
      Deno.statSync(candidate);
      return candidate;
    } catch {
      // not in this node_modules: look further up
    }
  }
  throw new Error(`cannot resolve ${specifier} from ${from}`);
}

/** Every stored kind's fields, derived from the packages installed under `node_modules/`. */
export function deriveKnownFields(nodeModules = join(ROOT, "node_modules")): Record<string, FieldTree> {
  const declarations = new Declarations();
  const out: Record<string, FieldTree> = {};
  for (const [kind, path] of Object.entries(ROOTS)) {
    out[kind] = declarations.treeOf(Deno.realPathSync(join(nodeModules, path)));
  }
  const routeFile = Deno.realPathSync(join(nodeModules, ROOTS.HTTPRoute));
  const metadata = (out.HTTPRoute as Record<string, FieldTree>).metadata;
  if (!routeFile || metadata === undefined) throw new Error("HTTPRoute has no metadata field");
  out.ServiceImport = {
    apiVersion: "*",
    kind: "*",
    metadata,
    spec: SERVICE_IMPORT_SPEC,
    status: SERVICE_IMPORT_STATUS,
  };
  return out;
}

/** The JSON text of {@linkcode KNOWN_FIELDS_FILE}: one kind per line, keys as derived. */
export function knownFieldsJson(fields: Record<string, FieldTree>): string {
  const lines = Object.keys(fields).sort().map((kind) =>
    `  ${JSON.stringify(kind)}: ${JSON.stringify(fields[kind])}`
  );
  return `{\n${lines.join(",\n")}\n}\n`;
}

if (import.meta.main) {
  Deno.writeTextFileSync(KNOWN_FIELDS_FILE, knownFieldsJson(deriveKnownFields()));
  console.log(`wrote ${KNOWN_FIELDS_FILE}`);
}
