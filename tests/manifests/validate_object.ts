/**
 * Schema validation of the Kubernetes objects wasmroute ships, offline: each object is checked
 * against its API's OpenAPI schema as compiled by the `kubernetes-models` packages (core, apps,
 * RBAC; Gateway API; Istio). Those validators skip unknown fields, which the API server refuses
 * (kubectl's strict field validation), so {@linkcode typeCheckObjects} adds that check with the
 * packages' TypeScript types: an object literal with a field its type does not declare fails
 * `deno check`.
 *
 * @module
 */
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { Gateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1/WasmPlugin";
import { EnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter";

type Json = Record<string, unknown>;

interface Kind {
  /** Validates with the compiled schema; throws listing every violation. */
  validate(object: Json): void;
  /** Module and interface for the strict-field type check; absent when no types exist. */
  types?: { module: string; name: string };
}

// deno-lint-ignore no-explicit-any
const model = (M: new (data: any) => { validate(): void }, module: string, name: string): Kind => ({
  validate: (object) => new M(object).validate(),
  types: { module, name },
});

/**
 * The Multi-Cluster Services API has no model package: its two objects are small enough to check
 * by hand against mcs-api's v1alpha1 CRDs.
 */
const serviceExport: Kind = {
  validate(object) {
    strictKeys(object, ["apiVersion", "kind", "metadata", "spec", "status"], "");
    if (object.spec !== undefined) strictKeys(object.spec as Json, [], "spec");
    objectMeta(object);
  },
};
const serviceImport: Kind = {
  validate(object) {
    strictKeys(object, ["apiVersion", "kind", "metadata", "spec", "status"], "");
    objectMeta(object);
    const spec = object.spec as Json | undefined;
    if (!spec || typeof spec !== "object") throw new Error("spec: Required value");
    strictKeys(spec, ["ports", "type", "ips", "sessionAffinity", "sessionAffinityConfig"], "spec");
    if (!["ClusterSetIP", "Headless"].includes(spec.type as string)) {
      throw new Error(
        `spec.type: Unsupported value: ${JSON.stringify(spec.type)}: "ClusterSetIP", "Headless"`,
      );
    }
    if (!Array.isArray(spec.ports)) throw new Error("spec.ports: Required value");
    spec.ports.forEach((p: Json, i: number) => {
      strictKeys(p, ["name", "protocol", "appProtocol", "port"], `spec.ports[${i}]`);
      if (!Number.isInteger(p.port) || (p.port as number) < 1 || (p.port as number) > 65535) {
        throw new Error(`spec.ports[${i}].port: must be 1-65535`);
      }
    });
  },
};

/**
 * TrafficExtension (Istio 1.30+) has no model package yet. Istio converts each WasmPlugin into one,
 * field for field: its targeting and ordering fields are WasmPlugin's, and its `wasm` holds
 * WasmPlugin's Wasm fields (istio/api extensions/v1alpha1/traffic_extension.proto). So the object is
 * checked by the WasmPlugin schema as that conversion reads it, plus its own CRD's rules: the fields
 * each level may have, one of `selector`/`targetRefs`, exactly one of `wasm`/`lua`.
 */
const trafficExtension: Kind = {
  validate(object) {
    strictKeys(object, ["apiVersion", "kind", "metadata", "spec", "status"], "");
    const spec = object.spec as Json | undefined;
    if (!spec || typeof spec !== "object") throw new Error("spec: Required value");
    strictKeys(spec, ["selector", "targetRefs", "phase", "priority", "match", "wasm", "lua"], "spec");
    if ("selector" in spec && "targetRefs" in spec) {
      throw new Error("spec: Invalid value: only one of targetRefs or selector can be set");
    }
    if (("wasm" in spec) === ("lua" in spec)) {
      throw new Error("spec: Invalid value: exactly one of wasm or lua must be set");
    }
    if ("lua" in spec) {
      strictKeys(spec.lua as Json, ["inlineCode"], "spec.lua");
      return;
    }
    const wasm = spec.wasm as Json;
    strictKeys(
      wasm,
      [
        "url",
        "sha256",
        "imagePullPolicy",
        "imagePullSecret",
        "pluginName",
        "pluginConfig",
        "failStrategy",
        "vmConfig",
        "type",
      ],
      "spec.wasm",
    );
    const { wasm: _, lua: __, ...targeting } = spec;
    // The model's types say what a valid WasmPlugin is; this object is checked, not assumed, to be one.
    // deno-lint-ignore no-explicit-any
    const converted: any = {
      apiVersion: "extensions.istio.io/v1alpha1",
      kind: "WasmPlugin",
      metadata: object.metadata,
      spec: { ...targeting, ...wasm },
    };
    new WasmPlugin(converted).validate();
  },
};

const KINDS: Record<string, Kind> = {
  "v1/Namespace": model(Namespace, "kubernetes-models/v1/Namespace", "INamespace"),
  "v1/Service": model(Service, "kubernetes-models/v1/Service", "IService"),
  "v1/ServiceAccount": model(ServiceAccount, "kubernetes-models/v1/ServiceAccount", "IServiceAccount"),
  "v1/PersistentVolumeClaim": model(
    PersistentVolumeClaim,
    "kubernetes-models/v1/PersistentVolumeClaim",
    "IPersistentVolumeClaim",
  ),
  "apps/v1/Deployment": model(Deployment, "kubernetes-models/apps/v1/Deployment", "IDeployment"),
  "rbac.authorization.k8s.io/v1/Role": model(
    Role,
    "kubernetes-models/rbac.authorization.k8s.io/v1/Role",
    "IRole",
  ),
  "rbac.authorization.k8s.io/v1/RoleBinding": model(
    RoleBinding,
    "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding",
    "IRoleBinding",
  ),
  "gateway.networking.k8s.io/v1/Gateway": model(
    Gateway,
    "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway",
    "IGateway",
  ),
  "gateway.networking.k8s.io/v1/HTTPRoute": model(
    HTTPRoute,
    "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute",
    "IHTTPRoute",
  ),
  "extensions.istio.io/v1alpha1/WasmPlugin": model(
    WasmPlugin,
    "@kubernetes-models/istio/extensions.istio.io/v1alpha1/WasmPlugin",
    "IWasmPlugin",
  ),
  "networking.istio.io/v1alpha3/EnvoyFilter": model(
    EnvoyFilter,
    "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter",
    "IEnvoyFilter",
  ),
  "extensions.istio.io/v1alpha1/TrafficExtension": trafficExtension,
  "multicluster.x-k8s.io/v1alpha1/ServiceExport": serviceExport,
  "multicluster.x-k8s.io/v1alpha1/ServiceImport": serviceImport,
};

/** `apiVersion/kind` of every kind these checks know. */
export const KNOWN_KINDS: readonly string[] = Object.keys(KINDS);

/**
 * Validates one object against its kind's schema.
 *
 * @throws {Error} for a kind with no schema here, or with the schema's violations.
 */
export function validateObject(object: Json): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const kind = KINDS[key];
  if (!kind) throw new Error(`no schema for ${key}: add its model to tests/manifests/validate_object.ts`);
  kind.validate(object);
  const metadata = object.metadata as Json | undefined;
  if (typeof metadata?.name !== "string" || metadata.name === "") {
    throw new Error("metadata.name: Required value");
  }
}

/** An object to type-check, and where it came from (for the error message). */
export interface Located {
  object: Json;
  source: string;
}

/**
 * Type-checks each object as an object literal of its kind's TypeScript interface, in one
 * `deno check` run against the repository's deno.json. Returns `deno check`'s diagnostics, each
 * followed by the source of the offending object; empty when all objects type-check.
 */
export async function typeCheckObjects(objects: Located[], configPath: string): Promise<string[]> {
  const typed = objects.filter((o) => KINDS[`${o.object.apiVersion}/${o.object.kind}`]?.types);
  const modules = new Map<string, string>();
  const lines: string[] = [];
  const sources: string[] = [];
  for (const { object, source } of typed) {
    const { module, name } = KINDS[`${object.apiVersion}/${object.kind}`].types!;
    modules.set(module, name);
    sources.push(source);
    // One object per line, so a diagnostic's line number names the object.
    lines.push(`export const o${sources.length - 1}: ${name} = ${JSON.stringify(object)};`);
  }
  const imports = [...modules].map(([module, name]) => `import type { ${name} } from "${module}";`);
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-typecheck-" });
  const file = `${dir}/objects.ts`;
  await Deno.writeTextFile(file, [...imports, ...lines].join("\n") + "\n");
  try {
    const { success, stderr, stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", configPath, file],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (success) return [];
    const text = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
    const found = [...text.matchAll(/(TS\d+ \[ERROR\]: [^\n]*)\n\s*at [^\n]*objects\.ts:(\d+):\d+/g)];
    if (found.length === 0) return [text.trim()];
    return found.map(([, message, line]) => `${sources[Number(line) - 1 - imports.length]}: ${message}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function strictKeys(object: Json, allowed: string[], at: string): void {
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    throw new Error(`${at || "object"}: must be an object`);
  }
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new Error(`${at ? `${at}.` : ""}${key}: unknown field`);
  }
}

function objectMeta(object: Json): void {
  const metadata = object.metadata as Json | undefined;
  if (!metadata || typeof metadata.name !== "string") throw new Error("metadata.name: Required value");
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(metadata.name) || metadata.name.length > 63) {
    throw new Error(
      `metadata.name: Invalid value: ${JSON.stringify(metadata.name)}: must be a DNS-1035 label`,
    );
  }
}
