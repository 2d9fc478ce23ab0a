/**
 * The route simulator's answers read off a real Envoy: the same {@linkcode SimDecision}s as the
 * in-repo host's {@linkcode Simulator}, from a real Envoy per client namespace (one for most calls), configured as Istio configures
 * it, with the filter's decision log line, Envoy's access log, what the upstream received and what
 * the client got. A request's proxy is chosen as the emulator chooses its plugin: a Gateway's
 * (gateway flavour, `pluginConfig.scope` `gateway:NS/NAME`), a client sidecar's (`mesh`), or one
 * serving every route.
 *
 * What Envoy shows differently: `routerHeaders` (Envoy's router consumes the timeout and retry
 * headers; the upstream sees `x-envoy-expected-rq-timeout-ms` instead), and a request the filter
 * passes is served by Istio's own routes (`passthrough`, status 404 by the shape's convention).
 *
 * @module
 */
import {
  clusterLabel,
  DECISION_LINE,
  forwardedDecision,
  headerObject,
  ordered,
  pairs,
  requestAsSent,
  type SimDecision,
  type SimRequest,
} from "../simulate.ts";
import { EnvoyHost } from "./envoy_host.ts";
import { EXCHANGE_HEADER, ISTIO_ROUTE_HEADER, SERVICE_VIP } from "./istio_bootstrap.ts";

/** Options of {@linkcode EnvoySimulator.start}. */
export interface EnvoySimulatorOptions {
  envoy: string;
  wasmPath: string;
  /** Every cluster the table names (Envoy must know a cluster to route to it). */
  clusters: string[];
  /** Each Service's primary cluster IP by `namespace/name` (`SimulatorOptions.serviceAddresses`). */
  serviceAddresses?: Record<string, string>;
}

/** Headers Envoy and the upstream stand-in add that are no part of the decision. */
const ENVOY_ADDED = new Set(["x-forwarded-proto", "x-envoy-expected-rq-timeout-ms", "content-length"]);
const CLIENT_SIDE_ADDED = new Set([
  "date",
  "server",
  "x-envoy-upstream-service-time",
  "content-length",
  "content-type",
]);

export class EnvoySimulator {
  private constructor(
    private readonly proxies: Map<string, EnvoyProxy>,
    private readonly proxyOf: (r: SimRequest) => EnvoyProxy,
  ) {}

  /**
   * Starts the Envoys that serve `requests` (their proxies are known up front): one per client
   * namespace of the `mesh` requests (Istio's node metadata, which the filter reads, is one per
   * proxy), the first of them also serving gateway and unscoped requests.
   */
  static async start(
    pluginConfig: Record<string, string>,
    requests: SimRequest[],
    o: EnvoySimulatorOptions,
  ): Promise<EnvoySimulator> {
    const namespaceOf = (r: SimRequest) => r.mesh?.clientNamespace ?? "";
    const namespaces = [...new Set(requests.map(namespaceOf).filter(Boolean))];
    const keyOf = (r: SimRequest) => namespaceOf(r) || (namespaces[0] ?? "");
    const proxies = new Map<string, EnvoyProxy>();
    try {
      for (const key of new Set(requests.map(keyOf))) {
        proxies.set(
          key,
          await EnvoyProxy.start(pluginConfig, requests.filter((r) => keyOf(r) === key), key, o),
        );
      }
    } catch (e) {
      await Promise.all([...proxies.values()].map((p) => p.close()));
      throw e;
    }
    return new EnvoySimulator(proxies, (r) => proxies.get(keyOf(r))!);
  }

  /**
   * Runs requests (checked with `checkSimRequest`) through Envoy one after another; the mirrored
   * copies, which the filter sends without waiting, are counted once all have been answered.
   */
  async decideAll(requests: SimRequest[]): Promise<SimDecision[]> {
    const out: { decision: SimDecision; tag: string; proxy: EnvoyProxy }[] = [];
    for (const r of requests) {
      const proxy = this.proxyOf(r);
      out.push({ ...await proxy.decideOne(r), proxy });
    }
    await Promise.all([...this.proxies.values()].map((p) => p.host.settle(50)));
    return out.map(({ decision, tag, proxy }) => {
      const mirroredTo = proxy.host.mirroredCopies(tag).map((r) => clusterLabel(r.cluster)).sort();
      return ordered({ ...decision, mirroredTo });
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
  }
}

/** One Envoy: the plugins (proxies) its requests need, and what it logged. */
class EnvoyProxy {
  /** Decision lines the filter logged, not yet matched to a request (requests run one at a time). */
  private readonly decisions: string[] = [];
  private readonly accessLog = new Map<string, { route: string; details: string }>();
  private wake: () => void = () => {};
  host!: EnvoyHost;

  private constructor(
    private readonly pluginOf: (r: SimRequest) => string,
    private readonly serviceAddresses: Record<string, string>,
  ) {}

  static async start(
    pluginConfig: Record<string, string>,
    requests: SimRequest[],
    namespace: string,
    o: EnvoySimulatorOptions,
  ): Promise<EnvoyProxy> {
    const scopeOf = (r: SimRequest) => r.gateway ? `gateway:${r.gateway}` : r.mesh ? "mesh" : "";
    const nameOf = (scope: string) => scope === "" ? "wasmroute" : scope.replace(/[^a-z0-9-]/gi, "-");
    const scopes = [...new Set(requests.map(scopeOf))];
    const sent = requests.map((r) => requestAsSent(r, o.serviceAddresses));
    const https = (r: SimRequest) => (r.scheme ?? "http") === "https";
    const proxy = new EnvoyProxy((r) => nameOf(scopeOf(r)), o.serviceAddresses ?? {});
    // A listener per Service frontend a request goes to; the others reach SERVICE_VIP.
    const frontends = [
      ...new Map(
        sent.filter((s) => s.destinationAddress !== SERVICE_VIP)
          .map((s) => [`${s.destinationAddress} ${s.destinationPort}`, {
            address: s.destinationAddress,
            port: s.destinationPort,
          }]),
      ).values(),
    ];
    proxy.host = await EnvoyHost.start({
      envoy: o.envoy,
      wasmPath: o.wasmPath,
      plugins: scopes.map((scope) => ({
        name: nameOf(scope),
        flavour: scope.startsWith("gateway:") ? "gateway" : "sidecar",
        pluginConfig: JSON.stringify(scope ? { ...pluginConfig, scope } : pluginConfig),
      })),
      ports: [...new Set(sent.map((s) => s.destinationPort))],
      frontends,
      httpsPorts: [...new Set(sent.filter((_, i) => https(requests[i])).map((s) => s.destinationPort))],
      clusters: o.clusters,
      nodeMetadata: namespace ? { NAMESPACE: namespace } : {},
      verbose: true,
      onLog: (line) => proxy.onLog(line),
    });
    return proxy;
  }

  private onLog(line: string): void {
    const decision = /wasm log [^:]*: (wasmroute: decision .*)$/.exec(line);
    if (decision) this.decisions.push(decision[1]);
    const access = /^\[envoy\] .* route=(\S+) cluster=\S+ details=(\S+) exchange=(\S+)$/.exec(line);
    if (access) this.accessLog.set(access[3], { route: access[1], details: access[2] });
    this.wake();
  }

  private async until<T>(get: () => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + 5000;
    for (let v = get();; v = get()) {
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`Envoy did not log ${what} within 5 s`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
  }

  async decideOne(req: SimRequest): Promise<{ decision: SimDecision; tag: string }> {
    const host = this.host;
    const { authority, headers, destinationPort, destinationAddress } = requestAsSent(
      req,
      this.serviceAddresses,
    );
    const backendResponse = pairs(req.backendResponseHeaders);
    const x = await host.request(headers, {
      plugin: this.pluginOf(req),
      port: destinationPort,
      ...(destinationAddress !== SERVICE_VIP && { address: destinationAddress }),
      responseHeaders: backendResponse,
    });
    const log = await this.until(() => this.accessLog.get(x.tag), "the request's access log line");
    this.accessLog.delete(x.tag);
    const decided = log.route === "wasmroute-cluster-header" || log.details.startsWith("wasmroute_");
    const decision: Partial<SimDecision> = {};
    if (decided) {
      const line = await this.until(() => this.decisions.shift(), "the filter's decision line");
      const m = DECISION_LINE.exec(line);
      if (m && m[1] !== "-") decision.matchedRoute = m[1];
      if (m && m[2] !== "-") decision.matchedRule = Number(m[2]);
    }
    const mirroredTo: string[] = []; // filled in by decideAll
    const clientHeaders = headerObject([
      [":status", String(x.response.status)],
      ...x.response.headers.filter(([k]) =>
        !CLIENT_SIDE_ADDED.has(k) || backendResponse.some(([b]) => b === k)
      ),
    ]);
    if (!x.forwarded && !decided) {
      // Istio's own routes answered (a gateway has none for hosts it does not know).
      return {
        decision: {
          status: 404,
          backend: null,
          passthrough: true,
          mirroredTo,
          requestHeaders: {},
          responseHeaders: clientHeaders,
        },
        tag: x.tag,
      };
    }
    if (!x.forwarded) {
      const out: SimDecision = {
        status: x.response.status,
        backend: null,
        ...decision,
        mirroredTo,
        requestHeaders: {},
        responseHeaders: clientHeaders,
      };
      if (x.response.status >= 300 && x.response.status < 400 && clientHeaders.location !== undefined) {
        out.redirectLocation = clientHeaders.location;
      }
      if (log.details.startsWith("wasmroute_")) out.localReplyDetail = log.details;
      return { decision: out, tag: x.tag };
    }
    const f = x.forwarded;
    const requestHeaders = headerObject([
      [":method", f.method],
      [":scheme", headers.find(([k]) => k === ":scheme")![1]],
      [":authority", f.headers.find(([k]) => k === "host")?.[1] ?? ""],
      [":path", f.path],
      ...f.headers.filter(([k]) =>
        k !== "host" && k !== EXCHANGE_HEADER && k !== ISTIO_ROUTE_HEADER && !ENVOY_ADDED.has(k)
      ),
    ]);
    const istioServed = f.headers.some(([k]) => k === ISTIO_ROUTE_HEADER);
    const expectedTimeout = f.headers.find(([k]) => k === "x-envoy-expected-rq-timeout-ms")?.[1];
    if (!istioServed) {
      decision.envoyRouter = true;
      if (expectedTimeout !== undefined) {
        decision.routerHeaders = { "x-envoy-expected-rq-timeout-ms": expectedTimeout };
      }
    }
    const out = forwardedDecision(req, authority, istioServed ? undefined : f.cluster, {
      status: x.response.status,
      ...decision,
      mirroredTo,
      requestHeaders,
      responseHeaders: clientHeaders,
    });
    return { decision: out, tag: x.tag };
  }

  async close(): Promise<void> {
    await this.host.close();
  }
}
