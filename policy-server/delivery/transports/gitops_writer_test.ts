import { parse as parseYaml } from "yaml";
import { withStore } from "../../testing.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../../../tests/assert.ts";
import { compile } from "../../compile/mod.ts";
import { sampleRoute } from "../../model/testing.ts";
import { DeliveryConfigError, parseDeliveryConfig } from "./delivery_config.ts";
import { startDelivery } from "./delivery_service.ts";
import type { Flavour } from "../wasmplugin/flavours.ts";
import { FlavourError, flavourFileName, parseFlavour } from "../wasmplugin/flavours.ts";
import { fileInside, GitOpsFileTarget, writeFileAtomic } from "./gitops_writer.ts";
import { Publisher } from "../write/publisher.ts";
import { pluginToYaml, renderTrafficExtension } from "../wasmplugin/render_plugin.ts";
import { renderWasmPlugin, wasmPluginToYaml } from "../wasmplugin/render_wasmplugin.ts";

const PLUGIN = { url: "oci://ghcr.io/wasmroute/filter:0.1.0" };
const never = new AbortController().signal;

const list = async (dir: string) => {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
};

Deno.test("GitOps delivery writes one WasmPlugin file per flavour on each new generation", async () => {
  await withStore(async (store, dir) => {
    const out = `${dir}/gitops/wasmroute`; // created on the first write
    const publisher = new Publisher(store, compile);
    await publisher.ready();
    const config = parseDeliveryConfig(
      { "gitops-dir": out, "plugin-flavour": ["mesh", "gateway:istio-ingress/gateway"] },
      () => undefined,
    );
    const delivery = await startDelivery({
      store,
      config,
      plugin: PLUGIN,
      log: () => {},
      pusher: { initialBackoffMs: 10, jitter: 0 },
    });
    try {
      const idle = () => Promise.all(delivery.pushers.map((p) => p.idle()));
      await idle();
      assertEquals(await list(out), ["wasmplugin.gateway.istio-ingress.gateway.yaml", "wasmplugin.yaml"]);

      await publisher.apply({ put: [sampleRoute()] });
      await idle(); // the commit offered the new generation before apply() returned
      const record = (await store.currentBlob())!;
      assertEquals(record.generation, 2);
      const mesh = await Deno.readTextFile(`${out}/wasmplugin.yaml`);
      assertEquals(
        mesh,
        wasmPluginToYaml(renderWasmPlugin(record, PLUGIN)),
        "the text /v1/wasmplugin answers",
      );
      const gateway = parseYaml(
        await Deno.readTextFile(`${out}/wasmplugin.gateway.istio-ingress.gateway.yaml`),
      );
      assertEquals(
        [gateway.metadata.namespace, gateway.spec.pluginConfig.scope, gateway.spec.pluginConfig.version],
        ["istio-ingress", "gateway:istio-ingress/gateway", "2"],
      );
      assertEquals(
        await list(out),
        ["wasmplugin.gateway.istio-ingress.gateway.yaml", "wasmplugin.yaml"],
        "no temp files",
      );
    } finally {
      await delivery.stop();
    }
  });
});

Deno.test("GitOps delivery of kind TrafficExtension writes trafficextension.yaml with the TrafficExtension", async () => {
  await withStore(async (store, dir) => {
    await new Publisher(store, compile).ready();
    const plugin = { ...PLUGIN, kind: "TrafficExtension" as const };
    const target = new GitOpsFileTarget({ dir: `${dir}/out`, store, flavour: { kind: "mesh" }, plugin });
    assert(target.path.endsWith("/out/trafficextension.yaml"), target.path);
    await target.push({ generation: 1, sha256: "" }, never);
    const record = (await store.currentBlob())!;
    assertEquals(await Deno.readTextFile(target.path), pluginToYaml(renderTrafficExtension(record, PLUGIN)));
  });
});

Deno.test("GitOps files are replaced by rename (a new inode), and not rewritten when unchanged", async () => {
  await withStore(async (store, dir) => {
    const publisher = new Publisher(store, compile);
    const first = await publisher.ready();
    const target = new GitOpsFileTarget({ dir, store, flavour: { kind: "mesh" }, plugin: PLUGIN });
    await target.push(first, never);
    const before = await Deno.stat(target.path);
    await target.push(first, never);
    assertEquals((await Deno.stat(target.path)).mtime, before.mtime, "same text: the file is left alone");

    const { blob } = await publisher.apply({ put: [sampleRoute()] });
    await target.push(blob, never);
    const after = await Deno.stat(target.path);
    assert(after.ino !== before.ino, "a new file was renamed over the old one, not written in place");
    assert((await Deno.readTextFile(target.path)).includes("generation 2"));
  });
});

Deno.test("writeFileAtomic: a reader sees the old text or the new one, never a mix or a part", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-atomic-" });
  try {
    const path = `${dir}/wasmplugin.yaml`;
    const versions = ["a", "b"].map((c) => c.repeat(1 << 20));
    await writeFileAtomic(path, versions[0]);
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 20; i++) await writeFileAtomic(path, versions[i % 2]);
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const text = await Deno.readTextFile(path);
      assert(versions.includes(text), `read ${text.length} bytes of a half-written file`);
      reads++;
    }
    await writer;
    assert(reads > 0);
    assertEquals(await list(dir), ["wasmplugin.yaml"], "no temp file left behind");

    // A failed rename (a folder in the way) removes its temp file.
    await Deno.mkdir(`${dir}/taken/x`, { recursive: true });
    await assertRejects(() => writeFileAtomic(`${dir}/taken`, "new\n"));
    assertEquals(await list(dir), ["taken", "wasmplugin.yaml"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GitOps delivery retries a failed write until the folder can be written", async () => {
  await withStore(async (store, dir) => {
    await new Publisher(store, compile).ready();
    const out = `${dir}/out`;
    await Deno.writeTextFile(out, "a file where the folder should be");
    const logs: Record<string, unknown>[] = [];
    const delivery = await startDelivery({
      store,
      config: parseDeliveryConfig({ "gitops-dir": out }, () => undefined),
      log: (e) => logs.push(e),
      pusher: { initialBackoffMs: 20, maxBackoffMs: 20, jitter: 0 },
    });
    try {
      while (!logs.some((e) => e.msg === "blob delivery failed")) await new Promise((r) => setTimeout(r, 5));
      await Deno.remove(out);
      await delivery.pushers[0].idle();
      assertEquals(await list(out), ["wasmplugin.yaml"]);
      assertEquals(delivery.status().targets[0].lastSuccess?.generation, 1);
    } finally {
      await delivery.stop();
    }
  });
});

Deno.test("hostile flavour names never become paths: refused by the parser, the file namer and the writer", async () => {
  const hostile = [
    "gateway:../../etc/passwd",
    "gateway:../x",
    "gateway:ns/../../x",
    "gateway:ns/..",
    "gateway:ns/.",
    "gateway:ns/.hidden",
    "gateway:ns/a/b",
    "gateway:/etc/passwd",
    "gateway:ns/a\\..\\..\\b",
    "gateway:ns/%2e%2e%2fx",
    "gateway:ns/x\0y",
    "gateway:NS/Gateway",
    "gateway:ns/",
    "gateway:/x",
    "gateway:ns.with.dots/x",
    `gateway:ns/${"a".repeat(254)}`,
    `gateway:${"a".repeat(64)}/x`,
    "gateway:ns/x/",
    "../mesh",
    "mesh/../x",
  ];
  for (const text of hostile) {
    assertThrows(() => parseFlavour(text), FlavourError);
    assertThrows(
      () => parseDeliveryConfig({ "plugin-flavour": [text] }, () => undefined),
      DeliveryConfigError,
    );
  }
  // Flavours built by hand, past the parser: the namer checks again.
  const forged: Flavour[] = [
    { kind: "gateway", namespace: "..", name: "x" },
    { kind: "gateway", namespace: "ns", name: "../../x" },
    { kind: "gateway", namespace: "ns/..", name: "x" },
  ];
  for (const f of forged) assertThrows(() => flavourFileName(f), FlavourError);
  // And the writer refuses anything but a plain file name directly inside its folder.
  for (const file of ["../x.yaml", "/etc/passwd", "a/b.yaml", ".hidden", "..", ".", "x\0.yaml", "a\\..\\b"]) {
    if (file === "a\\..\\b") {
      // On POSIX a backslash is an ordinary character: one plain file, inside the folder.
      assertEquals(fileInside("/srv/gitops", file), "/srv/gitops/a\\..\\b");
      continue;
    }
    assertThrows(() => fileInside("/srv/gitops", file), Error, "refusing");
  }

  // End to end: hostile input through the environment never writes outside the folder.
  const root = await Deno.makeTempDir({ prefix: "wasmroute-hostile-" });
  try {
    const out = `${root}/out`;
    for (const text of hostile) {
      const env = { WASMROUTE_GITOPS_DIR: out, WASMROUTE_PLUGIN_FLAVOURS: `mesh,${text}` } as Record<
        string,
        string
      >;
      assertThrows(() => parseDeliveryConfig({}, (n) => env[n]), DeliveryConfigError);
    }
    assertEquals(await list(root), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("flavour file names are derived from valid names only", () => {
  assertEquals(flavourFileName({ kind: "mesh" }), "wasmplugin.yaml");
  assertEquals(
    flavourFileName(parseFlavour("gateway:istio-ingress/public.gateway-1")),
    "wasmplugin.gateway.istio-ingress.public.gateway-1.yaml",
  );
});
