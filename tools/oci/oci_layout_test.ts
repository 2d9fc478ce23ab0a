import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { main, packFilter } from "./main.ts";
import {
  buildWasmImage,
  gunzip,
  MEDIA_TYPES,
  readOciLayout,
  VARIANT_ANNOTATION,
  writeOciLayout,
} from "./oci_layout.ts";
import { tar, untar } from "./tar.ts";
import { Buffer } from "node:buffer";

/** A valid module of any size: header, then one custom section of `size` bytes of payload. */
function module(size: number, fill = 7): Uint8Array {
  const name = new TextEncoder().encode("x");
  const payload = new Uint8Array(size).fill(fill);
  const body = [name.length, ...name, ...payload];
  const leb: number[] = [];
  for (let n = body.length;; n >>>= 7) {
    leb.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    if (n <= 0x7f) break;
  }
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, ...leb, ...body]);
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)).toString("hex");
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-oci-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("tar writes ustar that it (and the digests) read back byte for byte", () => {
  const files = [{ name: "plugin.wasm", bytes: module(1000) }, { name: "empty", bytes: new Uint8Array() }];
  const archive = tar(files);
  assertEquals(archive.length % 512, 0);
  assertEquals(untar(archive), files);
  assertEquals(tar(files), archive, "reproducible");
});

Deno.test("the OCI layout reads back: index → manifest → config and the one layer, digests and sizes all match", async () => {
  await withDir(async (dir) => {
    const wasm = module(70_000);
    const image = await buildWasmImage(wasm);
    const out = join(dir, "oci");
    await writeOciLayout(out, image, "0.1.0");

    assertEquals(JSON.parse(await Deno.readTextFile(join(out, "oci-layout"))), {
      imageLayoutVersion: "1.0.0",
    });
    const index = JSON.parse(await Deno.readTextFile(join(out, "index.json")));
    assertEquals(index.mediaType, MEDIA_TYPES.index);
    assertEquals(index.manifests.length, 1);
    assertEquals(index.manifests[0].annotations, { "org.opencontainers.image.ref.name": "0.1.0" });

    // Every file under blobs/sha256 is named by its own digest.
    const blobs: string[] = [];
    for await (const e of Deno.readDir(join(out, "blobs", "sha256"))) blobs.push(e.name);
    assertEquals(blobs.length, 3);
    for (const name of blobs) {
      assertEquals(await sha256(await Deno.readFile(join(out, "blobs", "sha256", name))), name);
    }

    const read = await readOciLayout(out, "0.1.0");
    assertEquals(read.manifest.digest, image.manifest.digest);
    const manifest = read.manifest.content;
    assertEquals(manifest.config.mediaType, MEDIA_TYPES.config);
    assertEquals(manifest.annotations?.[VARIANT_ANNOTATION], "compat");
    assertEquals(
      read.layers.map((l) => l.mediaType),
      [MEDIA_TYPES.layer],
      "Istio's compat variant: one tar+gzip layer",
    );
    assertEquals(read.module, wasm, "the layer un-tars to the module");
    assertEquals(image.moduleSha256, await sha256(wasm));
    assertEquals([read.config.architecture, read.config.os], ["wasm", "wasi"]);

    // The layer as Istio reads it: gunzip, then the entry whose base name is plugin.wasm.
    const layer = await Deno.readFile(join(out, "blobs", "sha256", manifest.layers[0].digest.slice(7)));
    const entries = untar(await gunzip(layer));
    assertEquals(entries.map((e) => e.name), ["plugin.wasm"]);

    // The same module makes the same image: a pinned digest stays valid across rebuilds.
    assertEquals((await buildWasmImage(wasm)).manifest.digest, image.manifest.digest);
    assert((await buildWasmImage(module(70_000, 8))).manifest.digest !== image.manifest.digest);
  });
});

Deno.test("the layer is a tar.gz the system tar extracts to plugin.wasm", async () => {
  await withDir(async (dir) => {
    const wasm = module(5000);
    const image = await buildWasmImage(wasm);
    const layer = image.blobs.get(image.layer.digest)!;
    await Deno.writeFile(join(dir, "layer.tar.gz"), layer);
    await Deno.mkdir(join(dir, "x"));
    const { success, stderr } = await new Deno.Command("tar", {
      args: ["-xzf", join(dir, "layer.tar.gz"), "-C", join(dir, "x")],
      stderr: "piped",
    }).output();
    assert(success, new TextDecoder().decode(stderr));
    assertEquals(await Deno.readFile(join(dir, "x", "plugin.wasm")), wasm);
  });
});

Deno.test("readOciLayout notices a blob whose content does not match its digest", async () => {
  await withDir(async (dir) => {
    const image = await buildWasmImage(module(100));
    await writeOciLayout(dir, image, "v1");
    const layerPath = join(dir, "blobs", "sha256", image.layer.digest.slice(7));
    const layer = await Deno.readFile(layerPath);
    layer[layer.length - 1] ^= 1;
    await Deno.writeFile(layerPath, layer);
    await assertRejects(() => readOciLayout(dir, "v1"), "does not match its digest");
  });
});

Deno.test("writeOciLayout replaces an earlier layout but never another folder's files", async () => {
  await withDir(async (dir) => {
    const out = join(dir, "oci");
    await writeOciLayout(out, await buildWasmImage(module(10)), "a");
    await writeOciLayout(out, await buildWasmImage(module(20)), "b");
    assertEquals((await readOciLayout(out)).tag, "b");
    await Deno.writeTextFile(join(dir, "notes.txt"), "mine");
    const small = await buildWasmImage(module(10));
    await assertRejects(() => writeOciLayout(dir, small, "c"), "not an OCI image layout");
    assertEquals(await Deno.readTextFile(join(dir, "notes.txt")), "mine");
    await assertRejects(() => writeOciLayout(join(dir, "new"), small, "bad/tag"), "tag");
    await assertRejects(() => buildWasmImage(new TextEncoder().encode("not wasm")), "not WebAssembly");
  });
});

Deno.test("deno task oci: packs a module file and prints the digest and the skopeo line", async () => {
  await withDir(async (dir) => {
    const wasm = module(3000);
    await Deno.writeFile(join(dir, "filter.wasm"), wasm);
    const result = await packFilter({
      module: join(dir, "filter.wasm"),
      out: join(dir, "oci"),
      tag: "0.1.0",
    });
    assertEquals((await readOciLayout(join(dir, "oci"), "0.1.0")).module, wasm);
    assertEquals(result.moduleSha256, await sha256(wasm));

    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    try {
      const code = await main([
        "--module",
        join(dir, "filter.wasm"),
        "--out",
        join(dir, "oci2"),
        "--tag",
        "0.1.0",
        "--repository",
        "registry.example/wasmroute/filter",
      ]);
      assertEquals(code, 0);
    } finally {
      console.log = log;
    }
    const text = lines.join("\n");
    assert(
      text.includes(
        `skopeo copy oci:${join(dir, "oci2")}:0.1.0 docker://registry.example/wasmroute/filter:0.1.0`,
      ),
    );
    assert(text.includes(`url: oci://registry.example/wasmroute/filter@${result.manifestDigest}`));

    const error = console.error;
    console.error = () => {};
    try {
      assertEquals(await main(["--module", join(dir, "absent.wasm"), "--out", join(dir, "oci3")]), 1);
      assertEquals(await main(["--bogus"]), 2);
    } finally {
      console.error = error;
    }
  });
});
