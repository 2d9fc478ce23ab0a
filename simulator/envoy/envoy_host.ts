/**
 * The filter in a real Envoy, configured as Istio configures it (see istio_bootstrap.ts), in front
 * of recording upstreams. Plugin configurations are pushed as istiod pushes them, by ECDS (here: an
 * atomic rename of the ECDS file), never by restarting Envoy.
 *
 * @module
 */
import { join } from "node:path";
import { parse } from "yaml";
import { type EnvoyProcess, startEnvoy } from "./envoy_process.ts";
import { httpExchange, type HttpResponse } from "./http_exchange.ts";
import {
  clientListenerName,
  type FailStrategy,
  istioBootstrap,
  type ProxyFlavour,
  wasmExtensionConfig,
} from "./istio_bootstrap.ts";
import type { EnvoyFilterSpec } from "./apply_envoy_filter.ts";
import { type ReceivedRequest, startUpstreams, type Upstreams } from "./upstreams.ts";

/** The glue manifest whose patches every Envoy here gets. */
export const ENVOY_FILTER_MANIFEST = new URL(
  "../../manifests/istio/envoyfilter-cluster-header.yaml",
  import.meta.url,
);
/** The request header that tags a request with its exchange, so mirrored copies can be told apart. */
export const EXCHANGE_HEADER = "x-wasmroute-test-exchange";
/** Istio's name of the WasmPlugin's filter (`<namespace>.<name>`, manifests/istio/mesh). */
export const FILTER_NAME = "istio-system.wasmroute";
/** The cluster Istio sends requests to that match none of its Services. */
export const PASSTHROUGH = "PassthroughCluster";

/** Options of {@linkcode EnvoyHost.start}. */
export interface EnvoyHostOptions {
  envoy: string;
  wasmPath: string;
  flavour?: ProxyFlavour;
  /** Service or listener ports requests are sent to. */
  ports: number[];
  /** Clusters the filter may choose or mirror to. */
  clusters: string[];
  /** The first pluginConfig (JSON as Istio passes it); null: an empty configuration. */
  pluginConfig: string | null;
  failStrategy?: FailStrategy;
  nodeMetadata?: Record<string, string>;
  /** Access log lines and `wasm:debug`. */
  verbose?: boolean;
  onLog?: (line: string) => void;
}

/** What one request did, read off both ends. */
export interface EnvoyExchange {
  response: HttpResponse;
  /** The request as the upstream received it; null when nothing was forwarded (a local reply). */
  forwarded: ReceivedRequest | null;
  /** Copies received with `-shadow` hosts (RequestMirror), in arrival order. */
  mirrored: ReceivedRequest[];
}

/** The outcome of a configuration push. */
export interface PushResult {
  accepted: boolean;
  /** From the rename of the ECDS file to Envoy's counter saying it applied or refused it. */
  millis: number;
}

export class EnvoyHost {
  private exchanges = 0;
  private constructor(
    readonly envoy: EnvoyProcess,
    readonly upstreams: Upstreams,
    private readonly ecdsPath: string,
    private readonly ports: Map<number, number>,
    private readonly options: EnvoyHostOptions,
  ) {}

  /** Starts the upstreams and Envoy with the first configuration. */
  static async start(o: EnvoyHostOptions): Promise<EnvoyHost> {
    const upstreams = await startUpstreams([...o.clusters, PASSTHROUGH]);
    const dir = await Deno.makeTempDir({ prefix: "wasmroute-envoy-" });
    const ecdsPath = join(dir, "wasmroute-ecds.yaml");
    try {
      await writeAtomically(ecdsPath, extensionConfig(o, o.pluginConfig));
      const envoyFilter = parse(await Deno.readTextFile(ENVOY_FILTER_MANIFEST)).spec as EnvoyFilterSpec;
      const passthrough = upstreams.addresses.find((a) => a.cluster === PASSTHROUGH)!;
      const bootstrap = istioBootstrap({
        flavour: o.flavour ?? "sidecar",
        ports: o.ports,
        upstreams: upstreams.addresses.filter((a) => a !== passthrough),
        passthrough,
        ecdsPath,
        filterName: FILTER_NAME,
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
      const ports = new Map<number, number>();
      for (const p of o.ports) ports.set(p, await envoy.listenerPort(clientListenerName(p)));
      return new EnvoyHost(envoy, upstreams, ecdsPath, ports, o);
    } catch (e) {
      await upstreams.close();
      throw e;
    }
  }

  /**
   * Pushes a plugin configuration by ECDS and waits until Envoy applied or refused it (its
   * `config_reload` or `config_fail` counter moved).
   */
  async push(pluginConfig: string | null): Promise<PushResult> {
    const before = await this.ecdsCounters();
    const started = performance.now();
    await writeAtomically(this.ecdsPath, extensionConfig(this.options, pluginConfig));
    for (let i = 0; i < 2000; i++) {
      const now = await this.ecdsCounters();
      if (now.reload > before.reload) return { accepted: true, millis: performance.now() - started };
      if (now.fail > before.fail) return { accepted: false, millis: performance.now() - started };
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("Envoy neither applied nor refused the ECDS update within 10 s");
  }

  private async ecdsCounters(): Promise<{ reload: number; fail: number }> {
    const stats = await this.envoy.stats(`extension_config_discovery.http_filter.${FILTER_NAME}.`);
    const get = (suffix: string) =>
      stats.get(`extension_config_discovery.http_filter.${FILTER_NAME}.${suffix}`) ?? 0;
    return { reload: get("update_success"), fail: get("update_rejected") + get("update_failure") };
  }

  /**
   * Sends one request to the listener of `port` (default: the port in `:authority`, else 80) and
   * reads what the client got, what the upstream received and the mirrored copies. Upstreams answer
   * with `responseHeaders`.
   */
  async request(
    headers: [string, string][],
    o: { body?: string; responseHeaders?: [string, string][]; port?: number; mirrorWaitMs?: number } = {},
  ): Promise<EnvoyExchange> {
    const tag = String(++this.exchanges);
    const port = o.port ?? authorityPort(headers);
    const listener = this.ports.get(port);
    if (listener === undefined) throw new Error(`this Envoy has no listener for port ${port}`);
    this.upstreams.respondWith(o.responseHeaders ?? []);
    const from = this.upstreams.received.length;
    const response = await httpExchange(listener, [...headers, [EXCHANGE_HEADER, tag]], o.body);
    // A mirror is an HTTP call the filter makes without waiting: give copies a moment to arrive.
    await new Promise((r) => setTimeout(r, o.mirrorWaitMs ?? 0));
    const mine = this.upstreams.received.slice(from).filter((r) =>
      r.headers.some(([k, v]) => k === EXCHANGE_HEADER && v === tag)
    );
    const isShadow = (r: ReceivedRequest) =>
      /-shadow(:\d+)?$/.test(r.headers.find(([k]) => k === "host")?.[1] ?? "");
    return {
      response: { ...response, headers: response.headers },
      forwarded: mine.find((r) => !isShadow(r)) ?? null,
      mirrored: mine.filter(isShadow),
    };
  }

  async close(): Promise<void> {
    await this.envoy.close();
    await this.upstreams.close();
  }
}

/** The port a request's `:authority` names, else 80. */
export function authorityPort(headers: [string, string][]): number {
  const authority = headers.find(([k]) => k === ":authority" || k === "host")?.[1] ?? "";
  const m = /:(\d+)$/.exec(authority);
  return m && !authority.endsWith("]") ? Number(m[1]) : 80;
}

function extensionConfig(o: EnvoyHostOptions, pluginConfig: string | null): Record<string, unknown> {
  return wasmExtensionConfig({
    filterName: FILTER_NAME,
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
