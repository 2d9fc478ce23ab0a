/**
 * What a user applies or POSTs is valid: every YAML file under manifests/ and examples/ parses,
 * every object passes its API's schema (and has no field the API does not define), every example
 * route is accepted by the policy server and compiles, every kustomization builds (with this
 * repository's kustomize subset, and with `kubectl kustomize` where kubectl exists), each example's
 * overlay deploys what its routes refer to, and the WasmPlugin manifests agree with what the policy
 * server renders.
 */
import { join, relative } from "node:path";
import { parse } from "yaml";
import { assert, assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { parseConfig } from "../../policy-server/config.ts";
import { renderTrafficExtension } from "../../policy-server/delivery/wasmplugin/render_plugin.ts";
import { renderWasmPlugin } from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import { admitResources } from "../../policy-server/model/admit_resources.ts";
import { parseResources } from "../../policy-server/model/parse_resources.ts";
import type { HTTPRoute } from "../../policy-server/model/types.ts";
import {
  buildKustomization,
  type BuiltObject,
  findKustomizations,
  type KubeObject,
  kustomizationFile,
  objectId,
  readYamlDocuments,
} from "./build_kustomization.ts";
import { typeCheckObjects, validateObject } from "./validate_object.ts";

const root = new URL("../../", import.meta.url).pathname;
const rel = (path: string) => relative(root, path);
// deno-lint-ignore no-explicit-any
type Json = any;

/**
 * Route files that use what the compiler may not serve yet, and the problem it then reports; their
 * README says so. Once the compiler serves them, they must compile cleanly.
 */
const KNOWN_GAPS: Record<string, { type: string; reason: string }> = {
  "examples/mirroring/routes.yaml": { type: "Accepted", reason: "UnsupportedValue" },
  "examples/multi-cluster/routes.yaml": { type: "ResolvedRefs", reason: "InvalidKind" },
};

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await yamlFiles(path));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

const allYaml = [...await yamlFiles(join(root, "manifests")), ...await yamlFiles(join(root, "examples"))];
const isKustomization = (file: string) => /(^|\/)kustomization\.ya?ml$/.test(file);
// Kubernetes objects: everything under manifests/, and the route files of examples/ (their other
// YAML files, such as the route tests tools/check_routes.ts reads, only have to parse).
const isKubeYaml = (file: string) =>
  !isKustomization(file) &&
  (rel(file).startsWith("manifests/") || /^examples\/[^/]+\/routes[^/]*\.yaml$/.test(rel(file)));
const exampleNames = [...Deno.readDirSync(join(root, "examples"))].filter((e) => e.isDirectory).map((e) =>
  e.name
).sort();
const routeFiles = allYaml.filter((f) =>
  /\/examples\/[^/]+\/routes[^/]*\.yaml$/.test(f) && !f.includes("/manifests/")
);

/** Every object of every non-kustomization YAML file, with its source. */
async function allObjects(): Promise<{ object: KubeObject; source: string }[]> {
  const out = [];
  for (const file of allYaml.filter(isKubeYaml)) {
    for (const [i, object] of (await readYamlDocuments(file)).entries()) {
      out.push({ object: object as KubeObject, source: `${rel(file)}#${i}` });
    }
  }
  return out;
}

const kubectl = await (async () => {
  try {
    const { success } = await new Deno.Command("kubectl", {
      args: ["version", "--client"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return success;
  } catch {
    return false;
  }
})();

async function kubectlKustomize(dir: string): Promise<KubeObject[]> {
  const { success, stdout, stderr } = await new Deno.Command("kubectl", { args: ["kustomize", dir] })
    .output();
  if (!success) throw new Error(`kubectl kustomize ${rel(dir)}: ${new TextDecoder().decode(stderr)}`);
  const docs: KubeObject[] = [];
  for (const text of new TextDecoder().decode(stdout).split(/^---$/m)) {
    const value = parse(text);
    if (value) docs.push(value);
  }
  return docs;
}

/** The objects an example's overlay deploys (every kustomization under it, for multi-cluster). */
async function overlayObjects(example: string): Promise<KubeObject[]> {
  const dir = join(root, "manifests/examples", example);
  const dirs = (await kustomizationFile(dir)) ? [dir] : await findKustomizations(dir);
  const out: KubeObject[] = [];
  for (const d of dirs) out.push(...(await buildKustomization(d)).map((b: BuiltObject) => b.object));
  return out;
}

Deno.test("every YAML file under manifests/ and examples/ parses, and manifests and route files hold Kubernetes objects", async () => {
  assert(allYaml.length > 20, `only ${allYaml.length} YAML files found`);
  for (const file of allYaml) {
    const docs = await readYamlDocuments(file);
    assert(docs.length > 0, `${rel(file)} is empty`);
    if (!isKubeYaml(file)) continue;
    for (const [i, doc] of docs.entries()) {
      const o = doc as Json;
      assert(
        typeof o?.apiVersion === "string" && typeof o?.kind === "string",
        `${rel(file)}#${i}: no apiVersion/kind`,
      );
    }
  }
});

Deno.test("every object passes its API's schema", async () => {
  const problems: string[] = [];
  for (const { object, source } of await allObjects()) {
    try {
      validateObject(object);
    } catch (error) {
      problems.push(`${source} (${object.kind} ${object.metadata?.name}): ${(error as Error).message}`);
    }
  }
  assertEquals(problems, []);
});

Deno.test("no object has a field its API does not define", async () => {
  const located = (await allObjects()).map(({ object, source }) => ({ object, source }));
  assertEquals(await typeCheckObjects(located, join(root, "deno.json")), []);
});

Deno.test("every example has routes.yaml, a README and a manifests/examples overlay", async () => {
  assertEquals(exampleNames, [
    "blue-green",
    "canary",
    "gateway-header-modifier",
    "header-routing",
    "mirroring",
    "multi-cluster",
  ]);
  for (const name of exampleNames) {
    for (const f of ["routes.yaml", "README.md"]) {
      assert(
        await Deno.stat(join(root, "examples", name, f)).then(() => true, () => false),
        `examples/${name}/${f}`,
      );
    }
    assert((await overlayObjects(name)).length > 0, `manifests/examples/${name} deploys nothing`);
  }
});

Deno.test("every example route file is accepted as a POST body and compiles", async () => {
  assert(routeFiles.length >= exampleNames.length);
  for (const file of routeFiles) {
    const name = rel(file);
    // What the server does with a POST: parse, then admit all or nothing (only HTTPRoutes).
    const routes = admitResources(parseResources(await Deno.readTextFile(file), "application/yaml"));
    const { blob, statuses, table } = await compile(routes, { generation: 1 });
    assert(blob.length > 32 && table.vhosts.length > 0, `${name} compiled to an empty table`);
    const problems = statuses.flatMap((s) =>
      s.parents.flatMap((p) =>
        p.conditions.filter((c) => c.status !== "True").map((c) => ({ type: c.type, reason: c.reason }))
      )
    );
    const gap = KNOWN_GAPS[name];
    if (!gap || problems.length === 0) {
      // A known gap may close (the compiler learns the feature): then the file must compile cleanly.
      assertEquals(problems, [], `${name} should compile cleanly`);
      continue;
    }
    assert(
      problems.some((p) => p.type === gap.type && p.reason === gap.reason),
      `${name}: expected ${gap.type} ${gap.reason}`,
    );
    // The example's README tells users what the compiler says; keep it true when the compiler improves.
    const readme = await Deno.readTextFile(join(file, "..", "README.md"));
    assert(readme.includes(gap.reason), `${rel(join(file, "..", "README.md"))} should mention ${gap.reason}`);
  }
});

Deno.test("every kustomization under manifests/ builds, and its objects pass their schemas", async () => {
  const dirs = await findKustomizations(join(root, "manifests"));
  assert(dirs.length >= 10, `only ${dirs.length} kustomizations`);
  for (const dir of dirs) {
    const built = await buildKustomization(dir);
    assert(built.length > 0, `${rel(dir)} builds to nothing`);
    for (const { object, file } of built) {
      try {
        validateObject(object);
      } catch (error) {
        throw new Error(`${rel(dir)}: ${rel(file)}: ${(error as Error).message}`);
      }
    }
  }
});

Deno.test({
  name: "kubectl kustomize builds every kustomization to the same objects",
  ignore: !kubectl,
  fn: async () => {
    for (const dir of await findKustomizations(join(root, "manifests"))) {
      const ours = (await buildKustomization(dir)).map((b) => b.object);
      const theirs = await kubectlKustomize(dir);
      const byId = (list: KubeObject[]) => Object.fromEntries(list.map((o) => [objectId(o), o]));
      assertEquals(byId(theirs), byId(ours), rel(dir));
    }
  },
});

Deno.test("each example's overlay deploys the Services and Gateways its routes refer to", async () => {
  for (const file of routeFiles) {
    const example = rel(file).split("/")[1];
    const objects = await overlayObjects(example);
    const find = (kind: string, ns: string, name: string) =>
      objects.find((o) =>
        o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? "default") === ns
      ) as Json;
    const servicePort = (ns: string, name: string, port: number | undefined, what: string) => {
      const svc = find("Service", ns, name);
      assert(
        svc,
        `${rel(file)}: ${what} Service ${ns}/${name} is not deployed by manifests/examples/${example}`,
      );
      if (port !== undefined) {
        assert(
          svc.spec.ports.some((p: Json) => p.port === port),
          `${rel(file)}: Service ${ns}/${name} has no port ${port}`,
        );
      }
    };
    const admitted = admitResources(parseResources(await Deno.readTextFile(file), "application/yaml"));
    for (const route of admitted.filter((o) => o.kind === "HTTPRoute") as HTTPRoute[]) {
      const ns = route.metadata.namespace;
      for (const parent of route.spec.parentRefs ?? []) {
        const pns = parent.namespace ?? ns;
        if (parent.kind === "Service") {
          servicePort(pns, parent.name, parent.port, "parent");
          continue;
        }
        const gateway = find("Gateway", pns, parent.name);
        assert(
          gateway,
          `${rel(file)}: Gateway ${pns}/${parent.name} is not deployed by manifests/examples/${example}`,
        );
        const listeners = gateway.spec.listeners.filter((l: Json) => {
          const from = l.allowedRoutes?.namespaces?.from ?? "Same";
          const hostOk = !l.hostname ||
            (route.spec.hostnames ?? ["*"]).some((h) => hostnameMatches(l.hostname, h));
          return hostOk && (from === "All" || (from === "Same" && pns === ns));
        });
        assert(
          listeners.length > 0,
          `${rel(file)}: no listener of Gateway ${pns}/${parent.name} admits the route`,
        );
      }
      for (const rule of route.spec.rules ?? []) {
        const mirrors = (rule.filters ?? []).filter((f) => f.type === "RequestMirror")
          .map((f) => (f.requestMirror as Json).backendRef);
        for (const ref of [...(rule.backendRefs ?? []), ...mirrors]) {
          const rns = ref.namespace ?? ns;
          if ((ref.kind ?? "Service") === "Service") servicePort(rns, ref.name, ref.port, "backend");
          else {
            assertEquals(ref.kind, "ServiceImport");
            assert(find("ServiceExport", rns, ref.name), `${rel(file)}: nothing exports ${rns}/${ref.name}`);
            servicePort(rns, ref.name, ref.port, "exported");
          }
        }
      }
    }
  }
});

/** Gateway API: a listener hostname (maybe `*.x`) admits a route hostname (maybe a wildcard too). */
function hostnameMatches(listener: string, route: string): boolean {
  if (route === "*" || listener === route) return true;
  if (listener.startsWith("*.")) return route.endsWith(listener.slice(1)) && !route.startsWith("*.");
  if (route.startsWith("*.")) return listener.endsWith(route.slice(1));
  return false;
}

/** The objects of one kustomization, by kind/name. */
async function objectsOf(dir: string) {
  const built = (await buildKustomization(join(root, dir))).map((b) => b.object) as Json[];
  return (kind: string, name?: string) =>
    built.find((o) => o.kind === kind && (!name || o.metadata.name === name));
}

Deno.test("the WasmPlugin flavours agree with what the policy server renders from its Deployment", async () => {
  const server = await objectsOf("manifests/policy-server");
  const container = server("Deployment").spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e.value]));
  const config = parseConfig(container.args, (name) => env[name]);
  assert(config !== "help");
  const blob = { generation: 1, sha256: "0".repeat(64), blob: new Uint8Array([0x57, 0x52, 0x54, 0x42]) };

  const flavours = [
    { dir: "manifests/istio/mesh", namespace: config.plugin.namespace },
    // The gateway flavour runs the server with WASMROUTE_PLUGIN_NAMESPACE=istio-ingress.
    { dir: "manifests/istio/gateway", namespace: "istio-ingress" },
  ];
  for (const { dir, namespace } of flavours) {
    const plugin = (await objectsOf(dir))("WasmPlugin");
    const rendered = renderWasmPlugin(blob, { ...config.plugin, namespace });
    // Same object, so the server's apply updates it; the fields both set agree, so server-side
    // apply shares them instead of reporting a conflict; pluginConfig is the server's alone.
    assertEquals([plugin.metadata.name, plugin.metadata.namespace], [
      rendered.metadata.name,
      rendered.metadata.namespace,
    ], dir);
    for (const [key, value] of Object.entries(rendered.spec)) {
      if (key !== "pluginConfig") assertEquals(plugin.spec[key], value, `${dir}: spec.${key}`);
    }
    assertEquals(plugin.spec.pluginConfig, undefined, `${dir}: pluginConfig belongs to the policy server`);
  }

  // The TrafficExtension flavour: what the server renders with WASMROUTE_PLUGIN_KIND=TrafficExtension,
  // and the mesh WasmPlugin converted as Istio converts it (the same match and priority).
  const extension = (await objectsOf("manifests/istio/mesh-trafficextension"))("TrafficExtension");
  const rendered = renderTrafficExtension(blob, { ...config.plugin, kind: "TrafficExtension" });
  assertEquals([extension.metadata.name, extension.metadata.namespace], [
    rendered.metadata.name,
    rendered.metadata.namespace,
  ]);
  assertEquals(extension.spec.phase, rendered.spec.phase);
  for (const [key, value] of Object.entries(rendered.spec.wasm)) {
    if (key !== "pluginConfig") {
      assertEquals(extension.spec.wasm[key], value, `TrafficExtension spec.wasm.${key}`);
    }
  }
  assertEquals(extension.spec.wasm.pluginConfig, undefined, "pluginConfig belongs to the policy server");
  const meshPlugin = (await objectsOf("manifests/istio/mesh"))("WasmPlugin");
  assertEquals([extension.spec.match, extension.spec.priority], [
    meshPlugin.spec.match,
    meshPlugin.spec.priority,
  ]);

  const mesh = (await objectsOf("manifests/istio/mesh"))("WasmPlugin");
  assertEquals(mesh.spec.match, [{ mode: "CLIENT" }]);
  assertEquals(mesh.spec.selector, undefined, "the mesh flavour applies to every proxy");
  const gateway = (await objectsOf("manifests/istio/gateway"))("WasmPlugin");
  assertEquals(gateway.spec.targetRefs, [{
    group: "gateway.networking.k8s.io",
    kind: "Gateway",
    name: "gateway",
  }]);
  const target = (await objectsOf("manifests/examples/gateway-header-modifier"))("Gateway", "gateway");
  assertEquals(
    target.metadata.namespace,
    gateway.metadata.namespace,
    "targetRefs name a Gateway of the plugin's namespace",
  );

  // The server's identity may manage exactly its WasmPlugin, where each flavour puts it.
  for (
    const [dir, ns] of [["manifests/policy-server", "istio-system"], [
      "manifests/istio/gateway",
      "istio-ingress",
    ]]
  ) {
    const objects = await objectsOf(dir);
    const role = objects("Role");
    assertEquals(role.metadata.namespace, ns, dir);
    for (const rule of role.rules) {
      assertEquals([rule.apiGroups, rule.resources], [["extensions.istio.io"], [
        "wasmplugins",
        "trafficextensions",
      ]], dir);
      assert(
        rule.resourceNames?.includes("wasmroute") || rule.verbs.join() === "create",
        `${dir}: rule not limited`,
      );
    }
    assertEquals(objects("RoleBinding").subjects, [{
      kind: "ServiceAccount",
      name: server("ServiceAccount").metadata.name,
      namespace: server("ServiceAccount").metadata.namespace,
    }]);
  }
});

Deno.test("the policy server runs non-root on a read-only root filesystem, probed on /healthz, data on a volume", async () => {
  const server = await objectsOf("manifests/policy-server");
  const deployment = server("Deployment");
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  assertEquals([deployment.spec.replicas, deployment.spec.strategy.type], [1, "Recreate"]);
  assertEquals(pod.serviceAccountName, server("ServiceAccount").metadata.name);
  assertEquals(pod.securityContext.runAsNonRoot, true);
  assertEquals(container.securityContext.readOnlyRootFilesystem, true);
  assertEquals(container.securityContext.allowPrivilegeEscalation, false);
  assertEquals(container.securityContext.capabilities.drop, ["ALL"]);
  for (const probe of [container.readinessProbe, container.livenessProbe]) {
    assertEquals(probe.httpGet.path, "/healthz");
    assert(container.ports.some((p: Json) => p.name === probe.httpGet.port));
  }
  for (const key of ["requests", "limits"]) {
    assert(container.resources[key].cpu && container.resources[key].memory);
  }

  const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e.value]));
  const config = parseConfig(container.args, (name) => env[name]);
  assert(config !== "help");
  assertEquals(config.hostname, "0.0.0.0");
  const mount = container.volumeMounts.find((m: Json) => m.mountPath === config.dataDir);
  assert(mount, `nothing is mounted at the data dir ${config.dataDir}`);
  const volume = pod.volumes.find((v: Json) => v.name === mount.name);
  assertEquals(volume.persistentVolumeClaim.claimName, server("PersistentVolumeClaim").metadata.name);

  const service = server("Service");
  assertEquals(service.spec.selector, deployment.spec.selector.matchLabels);
  assertEquals(service.spec.ports[0].port, config.port);
  assert(
    container.ports.some((p: Json) =>
      p.name === service.spec.ports[0].targetPort && p.containerPort === config.port
    ),
  );

  // The image: the Deno version CI uses, and write access where the Deployment writes.
  const dockerfile = await Deno.readTextFile(join(root, "manifests/policy-server/image/Dockerfile"));
  const ci = await Deno.readTextFile(join(root, ".ci/run"));
  const version = dockerfile.match(/ARG DENO_VERSION=(\S+)/)?.[1];
  assert(version && ci.includes(`deno@${version}`), `Dockerfile Deno ${version} differs from .ci/run`);
  assert(dockerfile.includes(`"--allow-write=${config.dataDir},/tmp"`));
  assert(dockerfile.includes(`"policy-server/main.ts"`));
  assert(
    pod.volumes.some((v: Json) => v.emptyDir) &&
      container.volumeMounts.some((m: Json) => m.mountPath === "/tmp"),
  );
});
