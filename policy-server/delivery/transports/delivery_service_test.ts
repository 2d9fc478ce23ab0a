import { parse as parseYaml } from "yaml";
import { withStore as withTempStore } from "../../testing.ts";
import { assertEquals, assertRejects } from "../../../tests/assert.ts";
import { compile, sha256Hex } from "../../compile/mod.ts";
import { Store } from "../../store/store.ts";
import { parseDeliveryConfig } from "./delivery_config.ts";
import { startDelivery } from "./delivery_service.ts";
import { inClusterCredentials } from "./kube_credentials.ts";
import { Publisher } from "../write/publisher.ts";

const HTTP_URL = "http://wasmroute-policy-server.wasmroute-system.svc:8080/v1/filter.wasm";
const MODULE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

/** A store with its first blob published, as the server has it before delivery starts. */
function withStore(fn: (store: Store, dir: string) => Promise<void>): Promise<void> {
  return withTempStore(async (store, dir) => {
    await new Publisher(store, compile).ready();
    await fn(store, dir);
  });
}

Deno.test("startDelivery: --plugin-sha256 auto pins the served module's SHA-256 in every WasmPlugin", async () => {
  await withStore(async (store, dir) => {
    await Deno.writeFile(`${dir}/filter.wasm`, MODULE);
    const config = parseDeliveryConfig(
      { "plugin-sha256": "auto", "filter-wasm": `${dir}/filter.wasm`, "gitops-dir": `${dir}/out` },
      () => undefined,
      { url: HTTP_URL },
    );
    const delivery = await startDelivery({ store, config, plugin: { url: HTTP_URL }, log: () => {} });
    try {
      const sha = await sha256Hex(MODULE);
      assertEquals(delivery.plugin, { url: HTTP_URL, moduleSha256: sha });
      await Promise.all(delivery.pushers.map((p) => p.idle()));
      const written = parseYaml(await Deno.readTextFile(`${dir}/out/wasmplugin.yaml`));
      assertEquals([written.spec.url, written.spec.sha256], [HTTP_URL, sha]);
      assertEquals(
        (await delivery.routes.filterModule!.read())?.sha256,
        sha,
        "the module /v1/filter.wasm serves",
      );
    } finally {
      await delivery.stop();
    }
  });
});

Deno.test("startDelivery refuses to start without what it was told to use", async () => {
  await withStore(async (store, dir) => {
    const auto = parseDeliveryConfig(
      { "plugin-sha256": "auto", "filter-wasm": `${dir}/absent.wasm` },
      () => undefined,
      { url: HTTP_URL },
    );
    await assertRejects(() => startDelivery({ store, config: auto, log: () => {} }), "no filter module");
    const kube = parseDeliveryConfig({ "kube-apply": true }, () => undefined);
    await assertRejects(
      () =>
        startDelivery({
          store,
          config: kube,
          log: () => {},
          kubeCredentials: () => inClusterCredentials({ env: () => undefined, dir }),
        }),
      "not running in a pod? Pass --kubeconfig",
    );
  });
});

Deno.test("startDelivery: releaseWaiting answers the waiting long-polls at once, for shutdown", async () => {
  await withStore(async (store) => {
    const delivery = await startDelivery({
      store,
      config: parseDeliveryConfig({}, () => undefined),
      log: () => {},
    });
    try {
      const current = (await store.blobMeta())!;
      const waiting = delivery.routes.feed!.waitForChange(current.sha256, 60_000);
      await new Promise((r) => setTimeout(r, 10));
      assertEquals(delivery.status().waiting, 1);
      delivery.releaseWaiting();
      assertEquals(await waiting, null);
      assertEquals(delivery.status(), { flavours: ["mesh"], waiting: 0, targets: [] });
    } finally {
      await delivery.stop();
    }
  });
});
