/**
 * The filter in a real Envoy, configured as Istio configures it (see istio_bootstrap.ts), in front
 * of recording upstreams. Plugin configurations are pushed as istiod pushes them, by ECDS (here: an
 * atomic rename of the ECDS file), never by restarting Envoy.
 *
 * @module
 */
import { join } from "node:path";
import { parse } from "yaml";
import type { EnvoyFilterSpec } from "./apply_envoy_filter.ts";
import { type EnvoyProcess, startEnvoy } from "./envoy_process.ts";
import { httpExchange, type HttpResponse } from "./http_exchange.ts";
import {
  clientListenerName,
  EXCHANGE_HEADER,
  type FailStrategy,
  istioBootstrap,
  type ProxyFlavour,
  type UpstreamAddress,
  wasmExtensionConfig,
} from "./istio_bootstrap.ts";
import { type ReceivedRequest, startUpstreams, type Upstreams } from "./upstreams.ts";

/** The glue manifest whose patches every Envoy here gets. */
export const ENVOY_FILTER_MANIFEST = new URL(
  "../../manifests/istio/envoyfilter-cluster-header.yaml",
  import.meta.url,
);
/** The cluster Istio sends requests to that match none of its Services. */
export const PASSTHROUGH = "PassthroughCluster";
/** The WasmPlugins' namespace (manifests/istio/mesh): Istio names a plugin's filter `<namespace>.<name>`. */
const PLUGIN_NAMESPACE = "istio-system";
/** The filter name (and ECDS resource name) of the WasmPlugin `wasmroute`. */
export const FILTER_NAME = `${PLUGIN_NAMESPACE}.wasmroute`;

/** One WasmPlugin: its name, the proxy it runs in and its first configuration. */
export interface EnvoyPlugin {
  /** Default `wasmroute`. */
  name?: string;
  /** Default `sidecar`. */
  flavour?: ProxyFlavour;
  /** The first pluginConfig (JSON as Istio passes it); null: an empty configuration. */
  pluginConfig: string | null;
}

/** Options of {@linkcode EnvoyHost.start}. */
export interface EnvoyHostOptions {
  envoy: string;
  wasmPath: string;
  plugins: EnvoyPlugin[];
  /** Service or listener ports requests are sent to. */
  ports: number[];
  /**
   * Service frontends requests are sent to (a cluster IP and port, the port also among `ports`):
   * Envoy's `destination.address` is then that address.
   */
  frontends?: { address: string; port: number }[];
  /** Ports whose listeners stand for TLS-terminating ones (`:scheme` is https behind them). */
  httpsPorts?: number[];
  /** Clusters the filter may choose or mirror to: each gets a recording upstream. */
  clusters: string[];
  /** Clusters served by real servers (e.g. the policy server the filter pulls from). */
  services?: UpstreamAddress[];
  failStrategy?: FailStrategy;
  nodeMetadata?: Record<string, string>;
  /** Access log lines and `wasm:debug`. */
  verbose?: boolean;
  onLog?: (line: string) => void;
}

/** What one request did, read off both ends. */
export interface EnvoyExchange {
  /** Tags the request and its mirrored copies ({@linkcode EnvoyHost.mirroredCopies}). */
  tag: string;
  response: HttpResponse;
  /** The request as the upstream received it; null when nothing was forwarded (a local reply). */
  forwarded: ReceivedRequest | null;
}

/** The outcome of a configuration push. */
export interface PushResult {
  accepted: boolean;
  /** From the rename of the ECDS file to Envoy's counter saying it applied or refused it. */
  millis: number;
}

interface PluginState {
  name: string;
  filterName: string;
  ecdsPath: string;
}

export class EnvoyHost {
  private exchanges = 0;
  private constructor(
    readonly envoy: EnvoyProcess,
    readonly upstreams: Upstreams,
    private readonly plugins: PluginState[],
    private readonly listeners: Map<string, number>,
    private readonly options: EnvoyHostOptions,
  ) {}

  /** Starts the upstreams and Envoy with each plugin's first configuration. */
  static async start(o: EnvoyHostOptions): Promise<EnvoyHost> {
    const upstreams = await startUpstreams([...o.clusters, PASSTHROUGH]);
    const dir = await Deno.makeTempDir({ prefix: "wasmroute-envoy-" });
    const plugins = o.plugins.map((p): PluginState => {
      const name = p.name ?? "wasmroute";
      return { name, filterName: `${PLUGIN_NAMESPACE}.${name}`, ecdsPath: join(dir, `${name}-ecds.json`) };
    });
    try {
      for (const [i, p] of plugins.entries()) {
        await writeAtomically(p.ecdsPath, extensionConfig(o, p, o.plugins[i].pluginConfig));
      }
      const envoyFilter = parse(await Deno.readTextFile(ENVOY_FILTER_MANIFEST)).spec as EnvoyFilterSpec;
      const passthrough = upstreams.addresses.find((a) => a.cluster === PASSTHROUGH)!;
      const bootstrap = istioBootstrap({
        plugins: plugins.map((p, i) => ({ ...p, flavour: o.plugins[i].flavour ?? "sidecar" })),
        ports: o.ports,
        frontends: o.frontends,
        httpsPorts: o.httpsPorts,
        upstreams: [...upstreams.addresses.filter((a) => a !== passthrough), ...o.services ?? []],
        passthrough,
        envoyFilter,
        nodeMetadata: o.nodeMetadata,
        accessLog: o.verbose,
      });
      const envoy = await startEnvoy({
        envoy: o.envoy,
        bootstrap,
        dir,
        componentLogLevel: o.verbose ? "wasm:debug" : "wasm:info",
        onLog: o.onLog,
      });
      const listeners = new Map<string, number>();
      for (const [i, p] of plugins.entries()) {
        for (const port of o.ports) {
          listeners.set(`${p.name}:${port}`, await envoy.listenerPort(clientListenerName(i, port)));
        }
        for (const f of o.frontends ?? []) {
          listeners.set(
            `${p.name}:${f.address}:${f.port}`,
            await envoy.listenerPort(clientListenerName(i, f.port, f.address)),
          );
        }
      }
      return new EnvoyHost(envoy, upstreams, plugins, listeners, o);
    } catch (e) {
      await upstreams.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw e;
    }
  }

  private plugin(name = "wasmroute"): PluginState {
    const p = this.plugins.find((p) => p.name === name);
    if (!p) throw new Error(`this Envoy runs no plugin "${name}"`);
    return p;
  }

  /**
   * Pushes a plugin configuration by ECDS and waits until Envoy applied it or refused it (its
   * `update_success` or `update_rejected` counter moved). A refusal keeps the serving configuration.
   */
  async push(
    pluginConfig: string | null,
    pluginName?: string,
    o: { wasmPath?: string } = {},
  ): Promise<PushResult> {
    const p = this.plugin(pluginName);
    const before = await this.ecdsCounters(p);
    const started = performance.now();
    await writeAtomically(p.ecdsPath, extensionConfig({ ...this.options, ...o }, p, pluginConfig));
    for (let i = 0; i < 2000; i++) {
      const now = await this.ecdsCounters(p);
      if (now.applied > before.applied) return { accepted: true, millis: performance.now() - started };
      if (now.refused > before.refused) return { accepted: false, millis: performance.now() - started };
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error("Envoy neither applied nor refused the ECDS update within 10 s");
  }

  private async ecdsCounters(p: PluginState): Promise<{ applied: number; refused: number }> {
    const prefix = `extension_config_discovery.http_filter.${p.filterName}.`;
    const stats = await this.envoy.stats(prefix);
    const get = (name: string) => stats.get(prefix + name) ?? 0;
    return { applied: get("update_success"), refused: get("update_rejected") + get("update_failure") };
  }

  /**
   * Sends one request to the listener of `port` (default: the port in `:authority`, else 80) of a
   * plugin's proxy — that of a Service frontend's `address` on it, when given — and reads what the
   * client got and what the upstream received. Upstreams answer with `responseHeaders`.
   */
  async request(
    headers: [string, string][],
    o: {
      body?: string;
      responseHeaders?: [string, string][];
      port?: number;
      address?: string;
      plugin?: string;
    } = {},
  ): Promise<EnvoyExchange> {
    const tag = String(++this.exchanges);
    const port = o.port ?? authorityPort(headers);
    const key = `${this.plugin(o.plugin).name}:${o.address === undefined ? "" : `${o.address}:`}${port}`;
    const listener = this.listeners.get(key);
    if (listener === undefined) {
      throw new Error(
        `this Envoy has no listener for ${o.address === undefined ? "" : `${o.address} `}port ${port}`,
      );
    }
    this.upstreams.respondWith(o.responseHeaders ?? []);
    const response = await httpExchange(listener, [...headers, [EXCHANGE_HEADER, tag]], o.body);
    return { tag, response, forwarded: this.received(tag).find((r) => !isShadow(r)) ?? null };
  }

  /**
   * The mirrored copies (hosts with `-shadow`) of exchange `tag` received so far. A mirror is an HTTP
   * call the filter does not wait for: call {@linkcode settle} before reading them.
   */
  mirroredCopies(tag: string): ReceivedRequest[] {
    return this.received(tag).filter(isShadow);
  }

  /** Waits until no upstream has received anything for `quietMs`. */
  async settle(quietMs = 150): Promise<void> {
    for (let seen = -1; seen !== this.upstreams.received.length;) {
      seen = this.upstreams.received.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  private received(tag: string): ReceivedRequest[] {
    return this.upstreams.received.filter((r) =>
      r.headers.some(([k, v]) => k === EXCHANGE_HEADER && v === tag)
    );
  }

  async close(): Promise<void> {
    await this.envoy.close();
    await this.upstreams.close();
  }
}

const isShadow = (r: ReceivedRequest) =>
  /-shadow(:\d+)?$/.test(r.headers.find(([k]) => k === "host")?.[1] ?? "");

/** The port a request's `:authority` names, else its scheme's default. */
export function authorityPort(headers: [string, string][]): number {
  const authority = headers.find(([k]) => k === ":authority" || k === "host")?.[1] ?? "";
  const m = /:(\d+)$/.exec(authority);
  if (m) return Number(m[1]);
  return headers.find(([k]) => k === ":scheme")?.[1] === "https" ? 443 : 80;
}

function extensionConfig(
  o: EnvoyHostOptions,
  p: PluginState,
  pluginConfig: string | null,
): Record<string, unknown> {
  return wasmExtensionConfig({
    filterName: p.filterName,
    wasmPath: o.wasmPath,
    pluginConfig: pluginConfig ?? "",
    failStrategy: o.failStrategy ?? "FAIL_CLOSE",
  });
}

/** Envoy watches the ECDS path for moves: write a sibling, then rename it over. */
async function writeAtomically(path: string, content: Record<string, unknown>): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(content));
  await Deno.rename(tmp, path);
}
