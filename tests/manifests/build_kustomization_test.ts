import { join } from "node:path";
import { assertEquals, assertRejects } from "../assert.ts";
import { buildKustomization, findKustomizations, objectId } from "./build_kustomization.ts";

const K = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ns}\n`;

/** Writes `files` (path → text) under a new temporary folder, runs `fn` on it, removes it. */
async function withTree(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(join(dir, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, path), text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("buildKustomization follows file and folder resources in order", () =>
  withTree({
    "base/kustomization.yaml": `${K}resources: [a.yaml]\n`,
    "base/a.yaml": cm("a") + "---\n" + cm("b"),
    "overlay/kustomization.yaml": `${K}resources: [../base, c.yaml]\n`,
    "overlay/c.yaml": cm("c"),
  }, async (dir) => {
    const built = await buildKustomization(join(dir, "overlay"));
    assertEquals(built.map((b) => b.object.metadata.name), ["a", "b", "c"]);
    assertEquals(objectId(built[0].object), "/ConfigMap/ns/a");
    assertEquals(await findKustomizations(dir), [join(dir, "base"), join(dir, "overlay")]);
  }));

Deno.test("buildKustomization refuses what kustomize refuses", () =>
  withTree({
    "shared.yaml": cm("s"),
    "outside/kustomization.yaml": `${K}resources: [../shared.yaml]\n`,
    "dup/kustomization.yaml": `${K}resources: [a.yaml, b.yaml]\n`,
    "dup/a.yaml": cm("x"),
    "dup/b.yaml": cm("x"),
    "parent/kustomization.yaml": `${K}resources: [child]\n`,
    "parent/child/kustomization.yaml": `${K}resources: [..]\n`,
    "missing/kustomization.yaml": `${K}resources: [nope.yaml]\n`,
    "remote/kustomization.yaml": `${K}resources: [https://github.com/x/y]\n`,
  }, async (dir) => {
    await assertRejects(() => buildKustomization(join(dir, "outside")), "outside the kustomization root");
    await assertRejects(() => buildKustomization(join(dir, "dup")), "defined twice");
    await assertRejects(() => buildKustomization(join(dir, "parent")), "cycle");
    await assertRejects(() => buildKustomization(join(dir, "missing")), "does not exist");
    await assertRejects(() => buildKustomization(join(dir, "remote")), "remote resource");
  }));

Deno.test("buildKustomization refuses kustomize features it does not implement", () =>
  withTree({
    "p/kustomization.yaml": `${K}resources: [a.yaml]\nnamespace: other\n`,
    "p/a.yaml": cm("a"),
  }, async (dir) => {
    await assertRejects(() => buildKustomization(join(dir, "p")), "namespace not supported");
  }));
