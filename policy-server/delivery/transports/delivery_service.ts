/**
 * The push deliveries at run time: on every new blob generation each target (the Kubernetes API,
 * the GitOps folder; one per flavour) gets the latest one, in the background, retried until it
 * lands. {@linkcode startDelivery} builds them from the delivery flags; `main.ts` starts it before
 * serving and stops it at shutdown.
 *
 * @module
 */
import type { Counter } from "../../metrics.ts";
import type { Store } from "../../store/store.ts";
import { BlobFeed } from "./blob_feed.ts";
import type { DeliveryConfig } from "./delivery_config.ts";
import { flavourString } from "../wasmplugin/flavours.ts";
import { DEFAULT_FILTER_WASM, FilterModule } from "./filter_module.ts";
import { GitOpsFileTarget } from "./gitops_writer.ts";
import { KubeClient, WasmPluginApplyTarget } from "./kube_apply.ts";
import type { KubeCredentials } from "./kube_credentials.ts";
import { inClusterCredentials, kubeconfigCredentials } from "./kube_credentials.ts";
import { LatestPusher } from "./latest_pusher.ts";
import type { PusherOptions, PusherStatus, PushResult, PushTarget } from "./latest_pusher.ts";
import type { WasmPluginOptions } from "../wasmplugin/render_wasmplugin.ts";

/** The two counters of `metrics.ts`' server metrics that delivery reports to. */
export interface DeliveryMetrics {
  pushes: Counter;
  pushFailures: Counter;
}

export interface DeliveryDeps {
  store: Store;
  config: DeliveryConfig;
  plugin?: WasmPluginOptions;
  log: (entry: Record<string, unknown>) => void;
  metrics?: DeliveryMetrics;
  /** Backoff and timeouts of the pushers (tests shorten them). */
  pusher?: Omit<PusherOptions, "onResult">;
  /** Where Kubernetes credentials come from; default: `config.kubeconfig`, else the pod's. */
  kubeCredentials?: () => Promise<KubeCredentials>;
  /** How often the store is read for blobs written by other processes (default 2000 ms). */
  pollMs?: number;
}

export interface DeliveryStatus {
  flavours: string[];
  /** Long-polling `GET /v1/blob` clients now waiting. */
  waiting: number;
  targets: PusherStatus[];
}

/** What `deliveryRoutes` (`api/delivery_routes.ts`) takes from a running delivery. */
export interface DeliveryRouteOptions {
  feed?: BlobFeed;
  filterModule?: FilterModule;
  status?: () => DeliveryStatus;
}

export interface Delivery {
  /** The plugin options with `moduleSha256` resolved: render every WasmPlugin with these. */
  plugin: WasmPluginOptions;
  routes: DeliveryRouteOptions;
  pushers: LatestPusher[];
  status(): DeliveryStatus;
  /** Answers waiting long-polls at once (`304`), so a shutdown need not wait for them. */
  releaseWaiting(): void;
  /** Stops pushing: pending pushes are dropped, one in flight is aborted. */
  stop(): Promise<void>;
}

/**
 * Builds the delivery targets of `deps.config` and starts pushing: the current generation at once
 * (a target may have missed it while the server was down), then every new one.
 *
 * @throws when `--plugin-sha256 auto` finds no module, or Kubernetes credentials cannot be read.
 */
export async function startDelivery(deps: DeliveryDeps): Promise<Delivery> {
  const { store, config, log } = deps;
  const filterModule = new FilterModule(config.filterWasm ?? DEFAULT_FILTER_WASM);
  const plugin: WasmPluginOptions = { ...deps.plugin };
  if (config.pluginSha256 === "auto") {
    const module = await filterModule.read();
    if (!module) throw new Error(`--plugin-sha256 auto: there is no filter module at ${filterModule.path}`);
    plugin.moduleSha256 = module.sha256;
  } else if (config.pluginSha256) {
    plugin.moduleSha256 = config.pluginSha256;
  }

  const targets: PushTarget[] = [];
  let client: KubeClient | undefined;
  if (config.kubeApply) {
    const credentials = await (deps.kubeCredentials?.() ??
      (config.kubeconfig
        ? kubeconfigCredentials(config.kubeconfig, config.kubeContext)
        : inClusterCredentials()));
    client = new KubeClient(credentials);
    log({
      level: "info",
      msg: "kubernetes delivery",
      server: credentials.server,
      credentials: credentials.source,
    });
    for (const flavour of config.flavours) {
      targets.push(new WasmPluginApplyTarget({ client, store, flavour, plugin, create: config.kubeCreate }));
    }
  }
  if (config.gitopsDir) {
    for (const flavour of config.flavours) {
      targets.push(new GitOpsFileTarget({ dir: config.gitopsDir, store, flavour, plugin }));
    }
  }

  const onResult = (result: PushResult) => {
    const labels = { target: result.target.kind };
    if (result.ok) {
      deps.metrics?.pushes.inc(labels);
      log({
        level: "info",
        msg: "blob delivered",
        target: result.target.name,
        generation: result.generation,
        ms: Math.round(result.ms),
      });
    } else {
      deps.metrics?.pushFailures.inc(labels);
      log({
        level: "warn",
        msg: "blob delivery failed",
        target: result.target.name,
        generation: result.generation,
        error: result.error instanceof Error ? result.error.message : String(result.error),
        retryInMs: result.retryInMs,
      });
    }
  };
  const pushers = targets.map((t) => new LatestPusher(t, { ...deps.pusher, onResult }));
  const feed = new BlobFeed(store);
  const unsubscribe = feed.subscribe((meta) => {
    for (const pusher of pushers) pusher.offer(meta);
  });
  // The current generation goes out at once; later ones as they are committed (or, written by
  // another process, as the next poll finds them).
  await feed.refresh();
  const poll = pushers.length > 0
    ? setInterval(() => feed.refresh().catch(() => {}), deps.pollMs ?? 2000)
    : undefined;

  const status = (): DeliveryStatus => ({
    flavours: config.flavours.map(flavourString),
    waiting: feed.waiting,
    targets: pushers.map((p) => p.status()),
  });
  return {
    plugin,
    routes: { feed, filterModule, status },
    pushers,
    status,
    releaseWaiting: () => feed.close(),
    async stop() {
      clearInterval(poll);
      unsubscribe();
      feed.close();
      await Promise.all(pushers.map((p) => p.stop()));
      client?.close();
    },
  };
}
