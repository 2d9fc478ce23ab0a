/**
 * The images as they ship: the files of each target of manifests/policy-server/image/Dockerfile,
 * assembled from the Dockerfile itself (its COPY lines are read, not restated), and the policy
 * server started from them as the rendered Deployment starts it: its exact arguments and
 * environment, tokens from the Secret docs/getting-started.md creates, `--cached-only` with no
 * network, as its user, on a read-only root. A crash-looping combination of flags and environment,
 * or a module the image lacks, fails here.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { buildKustomization } from "../manifests/build_kustomization.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { renderWasmPlugin } from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import { admitResources } from "../../policy-server/model/admit_resources.ts";
import { parseResources } from "../../policy-server/model/parse_resources.ts";
import { checkSimRequest, Simulator } from "../../simulator/mod.ts";
import { assembleStage, fileSetSize, type StageFiles } from "./assemble_image.ts";
import { parseDockerfile } from "./parse_dockerfile.ts";
import { containerArgv, podRunnerAvailable, runPod } from "./run_pod.ts";
import { Buffer } from "node:buffer";

const ROOT = new URL("../../", import.meta.url).pathname;
const DOCKERFILE = join(ROOT, "manifests/policy-server/image/Dockerfile");
const ROUTES = join(ROOT, "examples/header-routing/routes.yaml");
const stages = parseDockerfile(await Deno.readTextFile(DOCKERFILE));
const unavailable = await podRunnerAvailable();
if (unavailable) console.log(`image tests: the pod runner cannot run here (${unavailable}); skipped`);

// deno-lint-ignore no-explicit-any
type Json = any;

const workDir = await Deno.makeTempDir({ prefix: "wasmroute-image-" });
let assembled: Promise<Map<string, StageFiles>> | undefined;
/** Both targets, assembled once (the build stage comes from its cache when nothing changed). */
function images(): Promise<Map<string, StageFiles>> {
  assembled ??= (async () => {
    const out = new Map<string, StageFiles>();
    const options = { context: ROOT, dockerfile: DOCKERFILE, workDir, log: console.log };
    for (const target of ["policy-server", "filter"]) {
      out.set(target, await assembleStage(stages, target, options, out));
    }
    return out;
  })();
  return assembled;
}

/**
 * The Secret as docs/getting-started.md creates it: a token from `openssl rand -hex 32` (the same
 * 32 random bytes as hex), put into the `--from-literal` value the doc writes.
 */
async function secretFromDocs(): Promise<{ name: string; data: Record<string, string>; token: string }> {
  const doc = await Deno.readTextFile(join(ROOT, "docs/getting-started.md"));
  assert(
    doc.includes("TOKEN=$(openssl rand -hex 32)"),
    "getting-started.md generates the token with openssl",
  );
  const m = /create secret generic (\S+) \\\n\s*--from-literal=([\w.-]+)="((?:[^"\\]|\\.)*)"/.exec(doc);
  assert(m, "getting-started.md creates the tokens Secret with kubectl create secret generic");
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
  const value = m[3].replace(/\\(.)/g, "$1").replaceAll("$TOKEN", token);
  return { name: m[1], data: { [m[2]]: value }, token };
}

async function deployment(): Promise<{ pod: Json; container: Json; namespace: string }> {
  const objects = (await buildKustomization(join(ROOT, "manifests/policy-server"))).map((b) =>
    b.object as Json
  );
  const d = objects.find((o) => o.kind === "Deployment");
  return {
    pod: d.spec.template.spec,
    container: d.spec.template.spec.containers[0],
    namespace: d.metadata.namespace,
  };
}

const sha256 = async (b: Uint8Array) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", b as Uint8Array<ArrayBuffer>)).toString("hex");

Deno.test({
  name:
    "the policy-server image starts as the Deployment runs it and serves health, the console's try, the filter",
  ignore: unavailable !== null,
  sanitizeResources: false,
  fn: async () => {
    const image = (await images()).get("policy-server")!;
    const size = await fileSetSize(image.root);
    console.log(`policy-server image file set: ${size.files} files, ${(size.bytes / 1e6).toFixed(1)} MB`);
    const { pod, container, namespace } = await deployment();
    const secret = await secretFromDocs();
    const port = container.ports.find((p: Json) => p.name === "http").containerPort;
    // Offline by construction: no module may be fetched at start (and the namespace has no network).
    assert(containerArgv(image, container).includes("--cached-only"), "the image runs with --cached-only");
    const run = await runPod({
      image,
      pod,
      container,
      namespace,
      secrets: { [secret.name]: secret.data },
      serviceAccountCa: await Deno.readTextFile(
        join(ROOT, "policy-server/delivery/transports/testdata/tls/ca.crt"),
      ),
      probe: [
        Deno.execPath(),
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        join(ROOT, "tests/image/probe_server.ts"),
        `http://127.0.0.1:${port}`,
        ROUTES,
      ],
      probeEnv: { PROBE_TOKEN: secret.token, NO_COLOR: "1" },
      workDir: join(workDir, "pod"),
    });
    const why = `container output:\n${run.logs}\nprobe:\n${run.probe}`;
    assertEquals(run.probeStatus, 0, why);
    const probe = JSON.parse(run.probe);
    assert(probe.healthyAfterMs !== null, `/healthz never answered 200\n${why}`);
    console.log(`first /healthz 200 after ${probe.healthyAfterMs} ms (from the container's start)`);
    assertEquals(probe.readyz, 200, why);
    // Tokens came from the Secret: the API is closed without one, open with it.
    assertEquals([probe.postWithoutToken, probe.postWithToken], [401, 201], why);
    assertEquals(probe.tryStatus, 200, why);
    assertMatch(
      probe.tryPage,
      /devopssong\/my-server-v2:80/,
      "the console's try names the backend the filter chose",
    );
    assertEquals([probe.wasmStatus, probe.wasmType], [200, "application/wasm"]);
    assertEquals(
      probe.wasmSha256,
      await sha256(await Deno.readFile(join(image.root, "app/filter/build/filter.wasm"))),
    );
    assertEquals([probe.rootStatus, probe.rootLocation], [302, "/console"], "/ leads to the console");
    // SIGTERM, as the kubelet stops it: a clean shutdown.
    assertEquals(run.status, 0, why);
    assertMatch(run.logs, /"msg":"listening"/);
  },
});

Deno.test({
  name: "the filter image is one file, plugin.wasm, a module that loads in a proxy-wasm host and routes",
  ignore: unavailable !== null,
  fn: async () => {
    const image = (await images()).get("filter")!;
    const files = [...Deno.readDirSync(image.root)].map((e) => e.name);
    assertEquals(files, ["plugin.wasm"]);
    const routes = admitResources(parseResources(await Deno.readTextFile(ROUTES), "application/yaml"));
    const compiled = await compile(routes, { generation: 1 });
    const sim = Simulator.start(
      renderWasmPlugin({ generation: 1, ...compiled }).spec.pluginConfig,
      await Deno.readFile(join(image.root, "plugin.wasm")),
    );
    const decide = (headers: Record<string, string>) =>
      sim.decide(checkSimRequest({ host: "my-server", path: "/", headers })).backend;
    assertEquals([decide({ version: "new" }), decide({})], [
      "devopssong/my-server-v2:80",
      "devopssong/my-server-v1:80",
    ]);
  },
});

Deno.test({
  name: "what .gitignore keeps out of the repository stays out of the image's build context",
  fn: async () => {
    const ignore = await Deno.readTextFile(`${DOCKERFILE}.dockerignore`);
    const git = (await Deno.readTextFile(join(ROOT, ".gitignore"))).split("\n").map((l) =>
      l.trim().replace(/\/$/, "")
    )
      .filter((l) => l && !l.startsWith("#"));
    const docker = ignore.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    for (const entry of git) {
      assert(
        docker.includes(entry) || docker.includes(`**/${entry}`),
        `${entry} (.gitignore) is sent to docker build`,
      );
    }
  },
});
