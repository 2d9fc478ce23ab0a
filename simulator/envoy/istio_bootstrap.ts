/**
 * An Envoy bootstrap shaped as istiod shapes a proxy's configuration, with the project's
 * `manifests/` applied to it rather than restated:
 *
 * - per service (sidecar) or listener (gateway) port P, Istio's listener `0.0.0.0_P` with its route
 *   configuration (`P` in a sidecar, `http.P` in a gateway). Here it is an internal listener reached
 *   through a loopback "client" listener that restores the original destination `10.96.0.1:P`, as
 *   the sidecar's iptables redirect and `use_original_dst` do: Envoy's `destination.port`, which the
 *   filter reads, is then P whatever loopback port a test connects to. Each Service frontend (a
 *   cluster IP and port) gets a client listener of its own that restores that address instead, so
 *   the filter's `destination.address` is the Service's, whatever Host the request carries;
 * - Istio's clusters (`outbound|P||HOST`), virtual hosts (`HOST:P` with the service's names, then
 *   `allow_any` to `PassthroughCluster`) and HTTP filter chain (the WasmPlugin at phase STATS, just
 *   before the router);
 * - the WasmPlugin delivered by ECDS from a file, as istiod delivers it (`config_discovery` with a
 *   `path_config_source`), with `failure_policy` set explicitly;
 * - the EnvoyFilter's patches (manifests/istio), applied by {@linkcode applyEnvoyFilter}.
 *
 * @module
 */
import {
  applyEnvoyFilter,
  type EnvoyFilterSpec,
  type PatchableListener,
  type PatchContext,
} from "./apply_envoy_filter.ts";

type Json = Record<string, unknown>;

/** Which proxy: a client's sidecar (GAMMA, outbound) or an ingress gateway. */
export type ProxyFlavour = "sidecar" | "gateway";

/** Istio's WasmPlugin failStrategy, and Envoy's failure_policy for it. */
export type FailStrategy = "FAIL_CLOSE" | "FAIL_OPEN" | "FAIL_RELOAD";
const FAILURE_POLICY: Record<FailStrategy, string> = {
  FAIL_CLOSE: "FAIL_CLOSED",
  FAIL_OPEN: "FAIL_OPEN",
  FAIL_RELOAD: "FAIL_RELOAD",
};

/** An upstream cluster, named as Istio names it, and where its stand-in listens. */
export interface UpstreamAddress {
  cluster: string;
  address: string;
  port: number;
}

/** One WasmPlugin and the proxy it runs in. */
export interface PluginProxy {
  /** The ECDS resource name: Istio's `<namespace>.<name>` of the WasmPlugin. */
  filterName: string;
  /** The ECDS file holding the wasm filter's configuration ({@linkcode wasmExtensionConfig}). */
  ecdsPath: string;
  flavour: ProxyFlavour;
}

/** Options of {@linkcode istioBootstrap}. */
export interface IstioBootstrapOptions {
  /**
   * The plugins, each with its own listeners (as if each ran in its own proxy; the VM is shared, as
   * Envoy shares one VM between plugins of the same vm_config). The first plugin's listeners carry
   * Istio's names exactly.
   */
  plugins: PluginProxy[];
  /** Service (sidecar) or listener (gateway) ports, each with its own Istio listener per plugin. */
  ports: number[];
  /**
   * Ports whose listener terminates TLS. Here they take plain text and Envoy overwrites `:scheme`
   * with `https`, which is what the filter sees behind a TLS-terminating listener.
   */
  httpsPorts?: number[];
  /** Every cluster the filter can choose or mirror to, and the passthrough stand-in. */
  upstreams: UpstreamAddress[];
  /** Where `PassthroughCluster` (Istio's route for hosts it does not know) sends requests. */
  passthrough: { address: string; port: number };
  /** The EnvoyFilter to apply (manifests/istio/envoyfilter-cluster-header.yaml). */
  envoyFilter: EnvoyFilterSpec;
  /** Istio's node metadata, e.g. `NAMESPACE` of the sidecar's workload. */
  nodeMetadata?: Record<string, string>;
  /** A stdout access log line per request (the local loop shows it). */
  accessLog?: boolean;
  /**
   * Where Istio's listeners listen. `internal` (default): as above, behind a loopback client listener.
   * `loopback`: each bound directly on `127.0.0.1:P` (P must be free), as a gateway binds its ports:
   * one hop less, for the benchmark (tools/bench/envoy_bench.ts), with `destination.port` P; one
   * plugin only.
   */
  listen?: "internal" | "loopback";
  /**
   * Service frontends: each gets, per plugin, a client listener restoring that address and port (the
   * port must be among `ports`) instead of {@linkcode SERVICE_VIP}.
   */
  frontends?: { address: string; port: number }[];
  /** The loopback port of each service port's client listener (first plugin); default any free one. */
  clientPorts?: Record<number, number>;
  /** Envoy's admin port on loopback; default any free one. */
  adminPort?: number;
}

/**
 * The original destination a port's client listener restores when the request is addressed to no
 * known Service frontend (a headless Service's pod, say): an address no test Service has.
 */
export const SERVICE_VIP = "10.96.0.1";
/**
 * The name of the loopback listener a test connects to for plugin number `plugin`'s port `port`,
 * and for a Service frontend's `address` on that port.
 */
export const clientListenerName = (plugin: number, port: number, address?: string) =>
  `client_${plugin}_${port}${address === undefined ? "" : `_${address.replace(/[^0-9a-f]/gi, "_")}`}`;
/** The request header a test tags each request with (the access log shows it), so its mirrored copies can be told apart. */
export const EXCHANGE_HEADER = "x-test-exchange";
/** The request header Istio's own routes add here, so a test can tell them from wasmroute's. */
export const ISTIO_ROUTE_HEADER = "x-test-istio-route";

const socket = (address: string, port: number) => ({ socket_address: { address, port_value: port } });
const typed = (type: string, rest: Json = {}) => ({ "@type": `type.googleapis.com/${type}`, ...rest });

/** The bootstrap: a plain object to serialise as YAML or JSON. */
export function istioBootstrap(o: IstioBootstrapOptions): Json {
  const loopback = o.listen === "loopback";
  if (loopback && o.plugins.length !== 1) throw new RangeError("listen: loopback takes exactly one plugin");
  const pairs = o.plugins.flatMap((plugin, i) => o.ports.map((port) => ({ plugin, i, port })));
  const istio: PatchableListener[] = pairs.map(({ plugin, i, port }) => ({
    context: plugin.flavour === "sidecar" ? "SIDECAR_OUTBOUND" : "GATEWAY" as PatchContext,
    port,
    listener: istioListener(o, plugin, i, port),
  }));
  applyEnvoyFilter(o.envoyFilter, istio);
  return {
    node: {
      id: `sidecar~127.0.0.1~wasmroute-test.default~default.svc.cluster.local`,
      cluster: "wasmroute-test",
      metadata: o.nodeMetadata ?? {},
    },
    admin: { address: socket("127.0.0.1", o.adminPort ?? 0) },
    bootstrap_extensions: [{
      name: "envoy.bootstrap.internal_listener",
      typed_config: typed("envoy.extensions.bootstrap.internal_listener.v3.InternalListener"),
    }],
    static_resources: {
      listeners: [
        ...(loopback
          ? []
          : pairs.map(({ i, port }) => clientListener(i, port, i === 0 ? o.clientPorts?.[port] : 0))),
        ...(loopback ? [] : o.plugins.flatMap((_, i) =>
          (o.frontends ?? []).map((f) => {
            if (!o.ports.includes(f.port)) {
              throw new RangeError(`frontend port ${f.port} is not among the ports`);
            }
            return clientListener(i, f.port, 0, f.address);
          })
        )),
        ...istio.map((l) => l.listener),
      ],
      clusters: [
        ...(loopback ? [] : pairs.map(({ i, port }) => internalCluster(i, port))),
        ...o.upstreams.map((u) => staticCluster(u.cluster, u.address, u.port)),
        staticCluster("PassthroughCluster", o.passthrough.address, o.passthrough.port),
      ],
    },
  };
}

/** The ECDS file's content: one TypedExtensionConfig whose name is the HTTP filter's. */
export function wasmExtensionConfig(options: {
  filterName: string;
  wasmPath: string;
  pluginConfig: string;
  failStrategy: FailStrategy;
}): Json {
  return {
    resources: [typed("envoy.config.core.v3.TypedExtensionConfig", {
      name: options.filterName,
      typed_config: typed("envoy.extensions.filters.http.wasm.v3.Wasm", {
        config: {
          name: options.filterName,
          configuration: typed("google.protobuf.StringValue", { value: options.pluginConfig }),
          failure_policy: FAILURE_POLICY[options.failStrategy],
          vm_config: { runtime: "envoy.wasm.runtime.v8", code: { local: { filename: options.wasmPath } } },
        },
      }),
    })],
  };
}

/**
 * A loopback listener standing in for the sidecar's iptables capture of traffic to a Service's port
 * (at `address`, default {@linkcode SERVICE_VIP}).
 */
function clientListener(plugin: number, port: number, bind = 0, address?: string): Json {
  const destination = address === undefined
    ? `${SERVICE_VIP}:${port}`
    : `${address.includes(":") ? `[${address}]` : address}:${port}`;
  return {
    name: clientListenerName(plugin, port, address),
    address: socket("127.0.0.1", bind),
    filter_chains: [{
      filters: [
        {
          name: "envoy.filters.network.set_filter_state",
          typed_config: typed("envoy.extensions.filters.network.set_filter_state.v3.Config", {
            on_new_connection: [{
              object_key: "envoy.filters.listener.original_dst.local_ip",
              format_string: { text_format_source: { inline_string: destination } },
              shared_with_upstream: "ONCE",
            }],
          }),
        },
        {
          name: "envoy.filters.network.tcp_proxy",
          typed_config: typed("envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", {
            stat_prefix: clientListenerName(plugin, port, address),
            cluster: internalClusterName(plugin, port),
          }),
        },
      ],
    }],
  };
}

/** Istio's listener name; listeners of further plugins are told apart by a prefix. */
const istioListenerName = (plugin: number, port: number) =>
  `${plugin > 0 ? `plugin${plugin}~` : ""}0.0.0.0_${port}`;
const internalClusterName = (plugin: number, port: number) => `internal|${istioListenerName(plugin, port)}`;

function internalCluster(plugin: number, port: number): Json {
  return {
    name: internalClusterName(plugin, port),
    load_assignment: {
      cluster_name: internalClusterName(plugin, port),
      endpoints: [{
        lb_endpoints: [{
          endpoint: {
            address: { envoy_internal_address: { server_listener_name: istioListenerName(plugin, port) } },
          },
        }],
      }],
    },
    transport_socket: {
      name: "envoy.transport_sockets.internal_upstream",
      typed_config: typed(
        "envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport",
        {
          transport_socket: {
            name: "envoy.transport_sockets.raw_buffer",
            typed_config: typed("envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer"),
          },
        },
      ),
    },
  };
}

function staticCluster(name: string, address: string, port: number): Json {
  return {
    name,
    type: "STATIC",
    connect_timeout: "1s",
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socket(address, port) } }] }],
    },
  };
}

/** Istio's listener for one port: the original destination restored, then the connection manager. */
function istioListener(o: IstioBootstrapOptions, plugin: PluginProxy, i: number, port: number): Json {
  return {
    name: istioListenerName(i, port),
    ...(o.listen === "loopback" ? { address: socket("127.0.0.1", port) } : {
      internal_listener: {},
      listener_filters: [{
        name: "envoy.filters.listener.original_dst",
        typed_config: typed("envoy.extensions.filters.listener.original_dst.v3.OriginalDst"),
      }],
    }),
    filter_chains: [{
      filters: [{
        name: "envoy.filters.network.http_connection_manager",
        typed_config: typed(
          "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
          {
            stat_prefix: istioListenerName(i, port),
            // Istio's proxies trust the request id of a request from inside the mesh.
            preserve_external_request_id: true,
            // Istio's Server header: overwritten after every filter, "envoy" on sidecar outbound.
            server_header_transformation: "OVERWRITE",
            ...(plugin.flavour === "gateway" ? { server_name: "istio-envoy" } : {}),
            ...(o.httpsPorts?.includes(port)
              ? { scheme_header_transformation: { scheme_to_overwrite: "https" } }
              : {}),
            generate_request_id: true,
            access_log: o.accessLog ? [accessLog] : [],
            route_config: {
              name: plugin.flavour === "sidecar" ? `${port}` : `http.${port}`,
              virtual_hosts: virtualHosts(o, plugin.flavour, port),
            },
            http_filters: [
              {
                name: plugin.filterName,
                config_discovery: {
                  config_source: {
                    path_config_source: { path: plugin.ecdsPath },
                    resource_api_version: "V3",
                  },
                  type_urls: ["type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"],
                },
              },
              {
                name: "envoy.filters.http.router",
                typed_config: typed("envoy.extensions.filters.http.router.v3.Router"),
              },
            ],
          },
        ),
      }],
    }],
  };
}

const accessLog = {
  name: "envoy.access_loggers.stdout",
  typed_config: typed("envoy.extensions.access_loggers.stream.v3.StdoutAccessLog", {
    log_format: {
      text_format_source: {
        inline_string: "[envoy] %REQ(:METHOD)% %REQ(:AUTHORITY)%%REQ(:PATH)% -> %RESPONSE_CODE% " +
          "route=%ROUTE_NAME% cluster=%UPSTREAM_CLUSTER% details=%RESPONSE_CODE_DETAILS% " +
          `exchange=%REQ(${EXCHANGE_HEADER})%\n`,
      },
    },
  }),
};

/**
 * The route configuration's virtual hosts: in a sidecar, one per Service of this port that the
 * proxy knows (Istio's `HOST:P`, with the names a client may use), then `allow_any`; in a gateway,
 * one catch-all whose own routes answer 404 (Istio has no route of its own for wasmroute's hosts).
 */
function virtualHosts(o: IstioBootstrapOptions, flavour: ProxyFlavour, port: number): Json[] {
  if (flavour === "gateway") {
    return [{
      name: `*:${port}`,
      domains: ["*"],
      routes: [{ name: "no-route", match: { prefix: "/" }, direct_response: { status: 404 } }],
    }];
  }
  const namespace = o.nodeMetadata?.NAMESPACE;
  const services = o.upstreams.map((u) => parseIstioCluster(u.cluster)).filter((s) =>
    s !== undefined && s.port === port
  );
  const vhosts = [...new Map(services.map((s) => [s!.host, s!])).values()].map((s) => ({
    name: `${s.host}:${port}`,
    domains: serviceDomains(s.host, namespace),
    routes: [istioRoute("default", `outbound|${port}||${s.host}`)],
  }));
  return [...vhosts, {
    name: "allow_any",
    domains: ["*"],
    routes: [istioRoute("allow_any", "PassthroughCluster")],
  }];
}

function istioRoute(name: string, cluster: string): Json {
  return {
    name,
    match: { prefix: "/" },
    route: { cluster, timeout: "0s" },
    request_headers_to_add: [{ header: { key: ISTIO_ROUTE_HEADER, value: name } }],
  };
}

/** `outbound|80||web.ns.svc.cluster.local` → its host and port; undefined for other names. */
export function parseIstioCluster(cluster: string): { host: string; port: number } | undefined {
  const m = /^outbound\|(\d+)\|[^|]*\|(.+)$/.exec(cluster);
  return m ? { host: m[2], port: Number(m[1]) } : undefined;
}

/** The names Istio gives a Service's virtual host: FQDN and shorter forms (the bare name in its own namespace). */
function serviceDomains(host: string, namespace: string | undefined): string[] {
  const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(host);
  if (!m) return [host];
  const [, name, ns] = m;
  return [host, `${name}.${ns}.svc`, `${name}.${ns}`, ...(ns === namespace ? [name] : [])];
}
