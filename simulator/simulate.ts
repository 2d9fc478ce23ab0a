/**
 * The route simulator: what the real filter would decide for given requests under a rule table.
 *
 * The blob is handed to the real `filter/build/filter.wasm` exactly as Istio hands a WasmPlugin's
 * `pluginConfig` to it (as JSON), and each request runs through the in-repo proxy-wasm host (`./host/`). Every answer is read off what
 * the filter did — the cluster header it wrote, the local reply it sent, the headers it changed,
 * the decision line it logged — never computed by a second implementation of matching. Envoy's part
 * around the filter is played as manifests/istio configures it: the glue's header_mutation filter
 * strips client-sent internal headers before the filter runs, and the `cluster_header` route takes
 * the decision header off before the request leaves.
 *
 * This library imports nothing from the policy server, which uses it (the console's "try a request"
 * starts it with the serving blob's `pluginConfig`). Compiling resources first is
 * `tools/simulate.ts` (`simulate(resources, requests)`, `deno task simulate`).
 *
 * @example
 * ```ts ignore
 * import { checkSimRequest, Simulator } from "./simulate.ts";
 * const sim = Simulator.start(renderWasmPlugin(blob).spec.pluginConfig, await Deno.readFile(wasmPath));
 * sim.decide(checkSimRequest({ host: "my-server", path: "/", headers: { version: "new" } })).backend;
 * // "devopssong/my-server-v2:80"
 * ```
 *
 * @module
 */
import { emulatorOptions, type HostEmulator, newHostEmulator } from "./host/mod.ts";
// The decision headers: the cluster the EnvoyFilter route reads (and removes), and the URLRewrite
// hostname its `host_rewrite_header` forwards as `:authority` (the backend sees that one too).
import { AUTHORITY_HEADER, CLUSTER_HEADER, decidedCluster, STRIP_INTERNAL_HEADERS } from "./envoy_glue.ts";
import { SERVICE_VIP } from "./envoy/istio_bootstrap.ts";

/**
 * The request headers the glue's header_mutation filter, first in Envoy's chain, removes from what
 * the client sent before the wasm filter runs (manifests/istio/envoyfilter-cluster-header.yaml).
 */
const STRIPPED_FIRST: ReadonlySet<string> = new Set(
  STRIP_INTERNAL_HEADERS.typed_config.mutations.request_mutations.map((m) => m.remove),
);
/** Headers Envoy's router takes from a filter for timeouts and retries, and strips before forwarding. */
export const ROUTER_HEADERS = [
  "x-envoy-upstream-rq-timeout-ms",
  "x-envoy-upstream-rq-per-try-timeout-ms",
  "x-envoy-max-retries",
  "x-envoy-retry-on",
  "x-envoy-retriable-status-codes",
];

/** Headers as a name → value object, or as ordered pairs (repeated names allowed). */
export type HeaderInput = Record<string, string> | [string, string][];

/**
 * An east-west request as a meshed client's sidecar sees it (GAMMA): where it goes, which the
 * request's `host` (its Host header, by default the destination's name) need not say.
 */
export interface MeshSource {
  /** The client workload's namespace. */
  clientNamespace: string;
  /**
   * The Service the client connects to, as it names it (`my-server`, `my-server.ns.svc.cluster.local`):
   * the connection goes to its cluster IP when the simulator knows it ({@linkcode SimulatorOptions}).
   */
  destinationService: string;
  destinationPort: number;
  /**
   * The IP the connection goes to (the sidecar's original destination), instead of the Service's
   * cluster IP: another Service's, a pod's, any. Default: the Service's, else {@linkcode SERVICE_VIP}.
   */
  destinationAddress?: string;
}

/** What a {@linkcode Simulator} knows besides the rule table. */
export interface SimulatorOptions {
  /**
   * Each Service's primary cluster IP by `namespace/name`: a mesh request to a Service connects
   * there (Envoy's `destination.address`), as a client's connection to the Service's name does.
   */
  serviceAddresses?: Record<string, string>;
}

/** One request to simulate. */
export interface SimRequest {
  /** Default `GET`. */
  method?: string;
  /** Host (without port); optional for `mesh` requests, whose authority is the destination. */
  host?: string;
  /** Path with its query, e.g. `/hello?lang=en`. */
  path: string;
  headers?: HeaderInput;
  /** Default `http`. */
  scheme?: string;
  /** Added to the authority as `host:port`. */
  port?: number;
  /** `namespace/name` of the Gateway whose Envoy receives the request (north-south). */
  gateway?: string;
  /** The request leaves a meshed client's sidecar (east-west). */
  mesh?: MeshSource;
  /** What the backend answers, before the filter's response filters; `:status` defaults to 200. */
  backendResponseHeaders?: HeaderInput;
}

/** What the filter decided for one request, and what the backend and the client would see. */
export interface SimDecision {
  /** The local reply's status; else the backend's `:status` (200 unless `backendResponseHeaders` say otherwise). */
  status: number;
  /** `namespace/service:port` of the chosen backend; null when the filter did not pick one. */
  backend: string | null;
  /**
   * The rule table does not know the host, so the filter let the request through untouched and
   * Istio's own routing would take it (its outcome is outside the simulation: `status` says 404).
   */
  passthrough?: true;
  /** `namespace/name` of the HTTPRoute whose rule decided, from the filter's decision log line. */
  matchedRoute?: string;
  /** Index of that rule in the HTTPRoute's `spec.rules`. */
  matchedRule?: number;
  /** The `location` of a 3xx local reply. */
  redirectLocation?: string;
  /** `:path` as the backend receives it, when the filter changed it. */
  rewrittenPath?: string;
  /** `:authority` as the backend receives it, when the filter changed it. */
  rewrittenHost?: string;
  /** `namespace/service:port` of every backend the filter sent a copy of the request to (its HTTP calls). */
  mirroredTo: string[];
  /**
   * The rule's timeouts and retries, as the `x-envoy-*` headers Envoy's router takes from the filter;
   * from a real Envoy (`envoyRouter`), the timeout its router announced upstream instead.
   */
  routerHeaders?: Record<string, string>;
  /** Set when the decision was read off a real Envoy, whose router consumed the filter's headers. */
  envoyRouter?: true;
  /** Request headers as the backend sees them (after the filter, without the cluster header); empty for a local reply. */
  requestHeaders: Record<string, string>;
  /** Response headers as the client sees them: the local reply's, or the backend's after the response filters. */
  responseHeaders: Record<string, string>;
  /** The local reply's details, e.g. `wasmroute_no_matching_route`. */
  localReplyDetail?: string;
  /** The filter trapped; Envoy (failStrategy FAIL_CLOSE) answers 503. */
  error?: string;
}

/** Bad input from a user: the message is one line naming the field or the place. */
export class SimInputError extends Error {
  override name = "SimInputError";
}

// --- request validation -------------------------------------------------------------------------

const REQUEST_KEYS = [
  "method",
  "host",
  "path",
  "headers",
  "scheme",
  "port",
  "gateway",
  "mesh",
  "backendResponseHeaders",
];
const MESH_KEYS = ["clientNamespace", "destinationService", "destinationPort", "destinationAddress"];
/** Set from the request's own fields; a header of the same name would contradict them. */
const RESERVED_HEADERS: Record<string, string> = {
  ":method": "method",
  ":path": "path",
  ":authority": "host",
  ":scheme": "scheme",
  host: "host",
};

const field = (where: string, key: string) => (where ? `${where}.${key}` : key);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Throws on keys of `value` not in `allowed`. */
export function checkKeys(value: Record<string, unknown>, allowed: string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new SimInputError(`${field(where, key)}: unknown field (expected one of ${allowed.join(", ")})`);
    }
  }
}

function optionalString(v: Record<string, unknown>, key: string, where: string): string | undefined {
  if (v[key] === undefined) return undefined;
  if (typeof v[key] !== "string") throw new SimInputError(`${field(where, key)}: expected a string`);
  return v[key] as string;
}

function port(v: unknown, name: string): number {
  if (typeof v !== "number") throw new SimInputError(`${name}: expected a number`);
  if (!Number.isInteger(v) || v < 1 || v > 65535) {
    throw new SimInputError(`${name}: expected a port (1-65535), got ${v}`);
  }
  return v;
}

function headerInput(v: unknown, where: string, reserved: boolean): HeaderInput {
  const check = (name: string, value: unknown, at: string) => {
    if (typeof value !== "string") throw new SimInputError(`${at}: expected a string`);
    const owner = RESERVED_HEADERS[name.toLowerCase()];
    if (reserved && owner) throw new SimInputError(`${at}: set the request's ${owner} field instead`);
  };
  if (Array.isArray(v)) {
    v.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
        throw new SimInputError(`${where}[${i}]: expected a [name, value] pair of strings`);
      }
      check(pair[0], pair[1], `${where}[${i}]`);
    });
    return v as [string, string][];
  }
  if (!isRecord(v)) {
    throw new SimInputError(`${where}: expected an object of header values or a list of [name, value] pairs`);
  }
  for (const [name, value] of Object.entries(v)) check(name, value, `${where}.${name}`);
  return v as Record<string, string>;
}

/**
 * Checks that `value` is a {@linkcode SimRequest} (strictly: unknown fields are errors) and returns it.
 *
 * @param where The field path of `value` in error messages, e.g. `tests[2].request`.
 * @throws {SimInputError} naming the first bad field.
 */
export function checkSimRequest(value: unknown, where = ""): SimRequest {
  if (!isRecord(value)) throw new SimInputError(`${where || "request"}: expected an object`);
  checkKeys(value, REQUEST_KEYS, where);
  const out: SimRequest = { path: "" };
  const method = optionalString(value, "method", where);
  if (method !== undefined) {
    if (!/^[A-Za-z]+$/.test(method)) {
      throw new SimInputError(`${field(where, "method")}: expected an HTTP method, got "${method}"`);
    }
    out.method = method;
  }
  const host = optionalString(value, "host", where);
  if (host !== undefined) {
    if (host === "") throw new SimInputError(`${field(where, "host")}: must not be empty`);
    out.host = host;
  }
  const path = optionalString(value, "path", where);
  if (path === undefined) throw new SimInputError(`${field(where, "path")}: required`);
  if (!path.startsWith("/")) {
    throw new SimInputError(`${field(where, "path")}: must start with "/", got "${path}"`);
  }
  out.path = path;
  if (value.headers !== undefined) out.headers = headerInput(value.headers, field(where, "headers"), true);
  const scheme = optionalString(value, "scheme", where);
  if (scheme !== undefined) out.scheme = scheme;
  if (value.port !== undefined) out.port = port(value.port, field(where, "port"));
  const gateway = optionalString(value, "gateway", where);
  if (gateway !== undefined) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(gateway)) {
      throw new SimInputError(`${field(where, "gateway")}: expected "namespace/name", got "${gateway}"`);
    }
    out.gateway = gateway;
  }
  if (value.mesh !== undefined) {
    const at = field(where, "mesh");
    const mesh = value.mesh;
    if (!isRecord(mesh)) throw new SimInputError(`${at}: expected an object`);
    checkKeys(mesh, MESH_KEYS, at);
    for (const key of ["clientNamespace", "destinationService"]) {
      if (mesh[key] === undefined) throw new SimInputError(`${at}.${key}: required`);
      if (typeof mesh[key] !== "string" || mesh[key] === "") {
        throw new SimInputError(`${at}.${key}: expected a string`);
      }
    }
    if (mesh.destinationPort === undefined) throw new SimInputError(`${at}.destinationPort: required`);
    out.mesh = {
      clientNamespace: mesh.clientNamespace as string,
      destinationService: mesh.destinationService as string,
      destinationPort: port(mesh.destinationPort, `${at}.destinationPort`),
    };
    if (mesh.destinationAddress !== undefined) {
      const address = typeof mesh.destinationAddress === "string"
        ? ipLiteral(mesh.destinationAddress)
        : undefined;
      if (address === undefined) {
        throw new SimInputError(`${at}.destinationAddress: expected an IPv4 or IPv6 address`);
      }
      out.mesh.destinationAddress = address;
    }
    if (out.gateway !== undefined) {
      throw new SimInputError(`${at}: a request comes from a gateway or from a mesh client, not both`);
    }
  }
  if (out.host === undefined && out.mesh === undefined) {
    throw new SimInputError(`${field(where, "host")}: required (or give mesh.destinationService)`);
  }
  if (value.backendResponseHeaders !== undefined) {
    out.backendResponseHeaders = headerInput(
      value.backendResponseHeaders,
      field(where, "backendResponseHeaders"),
      false,
    );
  }
  return out;
}

// --- the simulator ------------------------------------------------------------------------------

/** `outbound|PORT|SUBSET|NAME.NS.svc.DOMAIN` → `NS/NAME:PORT`; anything else is returned as is. */
export function clusterLabel(cluster: string): string {
  const m = /^outbound\|(\d+)\|([^|]*)\|([^.|]+)\.([^.|]+)\.svc(?:\.[^|]*)?$/.exec(cluster);
  if (!m) return cluster;
  return `${m[4]}/${m[3]}:${m[1]}${m[2] ? `#${m[2]}` : ""}`;
}

/** Pairs from either header form, names lower-cased as Envoy's header maps have them. */
export function pairs(h: HeaderInput | undefined): [string, string][] {
  if (!h) return [];
  return (Array.isArray(h) ? h : Object.entries(h)).map(([k, v]) => [k.toLowerCase(), v]);
}

/** Repeated names are joined with "," as HTTP allows (and as the filter's `add` does). */
export function headerObject(h: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of h) out[k] = k in out ? `${out[k]},${v}` : v;
  return out;
}

/**
 * A stable stand-in for the `x-request-id` Envoy adds to every request: derived from the request
 * itself (Envoy's is random), so a request without an id gets the same weighted pick on every run.
 */
function derivedRequestId(headers: [string, string][]): string {
  const text = JSON.stringify(headers);
  const words = [0x811c9dc5, 0x01000193, 0x050c5d1f, 0x2f8e3a6b].map((seed) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, "0");
  }).join("");
  return `${words.slice(0, 8)}-${words.slice(8, 12)}-${words.slice(12, 16)}-${words.slice(16, 20)}-${
    words.slice(20)
  }`;
}

/** An IPv4 (dotted decimal) or IPv6 literal in the form Envoy prints it, or undefined. */
export function ipLiteral(text: string): string | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255) ? v4.slice(1).map(Number).join(".") : undefined;
  if (!text.includes(":") || /[^0-9a-fA-F:.]/.test(text)) return undefined;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

/** Envoy's `destination.address` attribute: `10.96.0.20:9080`, `[fd00::14]:9080`. */
export function addressAttribute(address: string, port: number): string {
  return `${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/**
 * The `namespace/name` a mesh client means by a Service name: the bare name is a Service of its own
 * namespace; `name.ns`, `name.ns.svc` and `name.ns.svc.<domain>` name one of `ns`. Undefined for any
 * other name (an external host).
 */
export function serviceNamed(name: string, clientNamespace: string): string | undefined {
  const labels = name.toLowerCase().split(".");
  if (labels.length === 1) return `${clientNamespace}/${labels[0]}`;
  if (labels.length === 2 || labels[2] === "svc") return `${labels[1]}/${labels[0]}`;
  return undefined;
}

/**
 * A request as it reaches the wasm filter: its header pairs (with a stable `x-request-id` when it
 * has none, and without client-sent copies of the filter's internal headers, which the glue strips
 * first), its authority, and Envoy's `destination.port` and `destination.address` for it (the
 * listener's, or for a sidecar the original destination: a mesh request's Service at its cluster IP
 * when `serviceAddresses` has it, else {@linkcode SERVICE_VIP}, which no Service has).
 */
export function requestAsSent(
  req: SimRequest,
  serviceAddresses: Record<string, string> = {},
): { authority: string; headers: [string, string][]; destinationPort: number; destinationAddress: string } {
  const authority = req.host !== undefined
    ? req.host + (req.port !== undefined ? `:${req.port}` : "")
    : req.mesh!.destinationService +
      (req.mesh!.destinationPort !== 80 ? `:${req.mesh!.destinationPort}` : "");
  const headers: [string, string][] = [
    [":method", (req.method ?? "GET").toUpperCase()],
    [":scheme", req.scheme ?? "http"],
    [":authority", authority],
    [":path", req.path],
    // The glue's header_mutation filter runs before the wasm filter: a client-sent copy of the
    // filter's internal headers never reaches it (nor, on a pass, the backend).
    ...pairs(req.headers).filter(([k]) => !STRIPPED_FIRST.has(k)),
  ];
  if (!headers.some(([k]) => k === "x-request-id")) {
    headers.push(["x-request-id", derivedRequestId(headers)]);
  }
  // A mesh request goes to its destination, whatever port its Host names.
  const destinationPort = req.mesh?.destinationPort ?? req.port ??
    ((req.scheme ?? "http") === "https" ? 443 : 80);
  const service = req.mesh && serviceNamed(req.mesh.destinationService, req.mesh.clientNamespace);
  const destinationAddress = req.mesh?.destinationAddress ??
    (service !== undefined && Object.hasOwn(serviceAddresses, service)
      ? serviceAddresses[service]
      : SERVICE_VIP);
  return { authority, headers, destinationPort, destinationAddress };
}

export const DECISION_LINE = /^wasmroute: decision route=(\S+) rule=(\S+) cluster=(\S+) status=(\d+)$/;

/**
 * One rule table loaded into one filter instance, answering many requests. It starts from a
 * WasmPlugin's `pluginConfig` (what the policy server renders), so it knows nothing of how the table
 * was compiled: the console passes the serving blob's, `tools/simulate.ts` compiles resources.
 */
export class Simulator {
  readonly #host: HostEmulator;
  readonly #pluginConfig: Record<string, string>;
  readonly #serviceAddresses: Record<string, string>;
  /** Scoped plugins configured so far (a gateway's, the sidecars'), by scope. */
  readonly #scoped = new Set<string>();

  private constructor(host: HostEmulator, pluginConfig: Record<string, string>, options: SimulatorOptions) {
    this.#host = host;
    this.#pluginConfig = pluginConfig;
    this.#serviceAddresses = options.serviceAddresses ?? {};
  }

  /**
   * The plugin a request runs through: the one of its proxy — a Gateway's (`pluginConfig.scope`
   * `gateway:NS/NAME`) or the client's sidecar (`mesh`) — or, for neither, one serving every route.
   * Each is a root context of its own in the same VM, as Envoy runs two WasmPlugins.
   */
  #pluginFor(req: SimRequest): string {
    const scope = req.gateway ? `gateway:${req.gateway}` : req.mesh ? "mesh" : "";
    if (!scope) return "wasmroute";
    // A sidecar knows its workload's namespace from Istio's node metadata: one plugin per client
    // namespace, as each namespace's sidecars are proxies of their own.
    const name = req.mesh ? `mesh:${req.mesh.clientNamespace}` : scope;
    if (!this.#scoped.has(name)) {
      if (req.mesh) this.#host.setProperty("xds.node.metadata.NAMESPACE", req.mesh.clientNamespace);
      // Envoy knows a plugin by its root id and configuration; each namespace's sidecars are other
      // proxies, so the configuration names the namespace (the filter ignores the member).
      const config = {
        ...this.#pluginConfig,
        scope,
        ...(req.mesh && { _clientNamespace: req.mesh.clientNamespace }),
      };
      const ok = this.#host.configure(name, JSON.stringify(config));
      this.#host.host.state.properties.delete("xds.node.metadata.NAMESPACE");
      if (!ok) throw new Error(`the filter refused the configuration for scope "${scope}"`);
      this.#scoped.add(name);
    }
    return name;
  }

  /**
   * Starts the filter `wasm` with `pluginConfig` as Istio passes a WasmPlugin's (as JSON): answers
   * come from exactly the blob inside it.
   *
   * @throws {Error} if the filter refuses the configuration.
   */
  static start(
    pluginConfig: Record<string, string>,
    wasm: Uint8Array,
    options: SimulatorOptions = {},
  ): Simulator {
    const host = newHostEmulator(
      emulatorOptions().withWasm(wasm).withPluginConfiguration(JSON.stringify(pluginConfig)),
    );
    if (!host.startPlugin()) {
      const why = [...host.getErrors(), ...host.getLogMessages()].filter((m) => /refused|error/i.test(m));
      throw new Error(`the filter refused the rule table: ${why.join("; ") || "no reason logged"}`);
    }
    return new Simulator(host, pluginConfig, options);
  }

  /** Runs one request (already checked with {@linkcode checkSimRequest}) through the filter. */
  decide(req: SimRequest): SimDecision {
    return ordered(this.#decide(req));
  }

  #decide(req: SimRequest): SimDecision {
    const host = this.#host;
    const state = host.host.state;
    const { authority, headers, destinationPort, destinationAddress } = requestAsSent(
      req,
      this.#serviceAddresses,
    );
    const portBytes = new Uint8Array(8);
    new DataView(portBytes.buffer).setBigUint64(0, BigInt(destinationPort), true);
    host.setProperty("destination.port", portBytes);
    host.setProperty("destination.address", addressAttribute(destinationAddress, destinationPort));

    const logStart = state.logs.length;
    const errorStart = state.errors.length;
    const id = host.initializeHttpContext({ plugin: this.#pluginFor(req) });
    try {
      host.callOnRequestHeaders(id, headers, true);
      const failure = () => {
        const failed = host.getFailAction(id);
        if (!failed) return undefined;
        return {
          status: 503,
          backend: null,
          mirroredTo: [],
          requestHeaders: {},
          responseHeaders: { ":status": "503" },
          error: `the filter failed (${failed}): ${
            state.errors.slice(errorStart).join("; ") || "VM failed earlier"
          }`,
        } satisfies SimDecision;
      };
      const failed = failure();
      if (failed) return failed;

      const decision: Partial<SimDecision> = {};
      for (const rec of state.logs.slice(logStart)) {
        const m = "message" in rec ? DECISION_LINE.exec(rec.message) : null;
        if (!m) continue;
        if (m[1] !== "-") decision.matchedRoute = m[1];
        if (m[2] !== "-") decision.matchedRule = Number(m[2]);
      }
      const mirroredTo = host.getHttpCalls(id).map((c) => clusterLabel(c.upstream));

      const reply = host.getSentLocalResponse(id);
      if (reply) {
        const responseHeaders = headerObject([
          [":status", String(reply.statusCode)],
          ...pairs(reply.headers),
        ]);
        const out: SimDecision = {
          status: reply.statusCode,
          backend: null,
          ...decision,
          mirroredTo,
          requestHeaders: {},
          responseHeaders,
        };
        if (reply.statusCode >= 300 && reply.statusCode < 400 && responseHeaders.location !== undefined) {
          out.redirectLocation = responseHeaders.location;
        }
        if (reply.statusCodeDetail) out.localReplyDetail = reply.statusCodeDetail;
        return out;
      }

      const after = host.getCurrentRequestHeaders(id);
      const cluster = decidedCluster(after);
      // The EnvoyFilter route strips the decision header before the request leaves the proxy.
      const requestHeaders = headerObject(
        after.filter(([k]) => k !== CLUSTER_HEADER && !ROUTER_HEADERS.includes(k)),
      );
      const routerHeaders = headerObject(after.filter(([k]) => ROUTER_HEADERS.includes(k)));
      if (Object.keys(routerHeaders).length) decision.routerHeaders = routerHeaders;
      const newHost = requestHeaders[AUTHORITY_HEADER];
      if (cluster !== undefined && newHost !== undefined) {
        // Envoy's router rewrites Host from the header and keeps the client's in x-envoy-original-host.
        requestHeaders["x-envoy-original-host"] = requestHeaders[":authority"];
        requestHeaders[":authority"] = newHost;
      }
      const upstream = pairs(req.backendResponseHeaders);
      if (!upstream.some(([k]) => k === ":status")) upstream.unshift([":status", "200"]);
      host.callOnResponseHeaders(id, upstream, true);
      const failedLater = failure();
      if (failedLater) return failedLater;
      const responseHeaders = headerObject(host.getCurrentResponseHeaders(id));
      const status = Number(responseHeaders[":status"]) || 200;

      const out = forwardedDecision(req, authority, cluster, {
        status,
        ...decision,
        mirroredTo,
        requestHeaders,
        responseHeaders,
      });
      return out;
    } finally {
      host.completeHttpContext(id);
      // Keep memory flat over long request files: this request's log lines have been read, and the
      // filter ignores the answers to its mirror calls.
      state.logs.splice(logStart);
      for (const call of host.getPendingHttpCalls()) host.host.takePendingCall(call.token);
    }
  }
}

/** What the decision fields of a forwarded request have in common. */
type Forwarded = Omit<SimDecision, "backend" | "passthrough">;

/**
 * A request the filter let through: to `cluster` when it chose one, else passed to Istio's own routes
 * (whose outcome is outside the simulation: status 404). Says what the filter rewrote.
 */
export function forwardedDecision(
  req: SimRequest,
  authority: string,
  cluster: string | undefined,
  d: Forwarded,
): SimDecision {
  const out: SimDecision = cluster === undefined
    ? { ...d, status: 404, backend: null, passthrough: true }
    : { ...d, backend: clusterLabel(cluster) };
  if (d.requestHeaders[":path"] !== req.path) out.rewrittenPath = d.requestHeaders[":path"];
  if (d.requestHeaders[":authority"] !== authority) out.rewrittenHost = d.requestHeaders[":authority"];
  return out;
}

/** The outcome first, the headers last: JSON lines read best that way. */
const KEY_ORDER: (keyof SimDecision)[] = [
  "status",
  "backend",
  "passthrough",
  "matchedRoute",
  "matchedRule",
  "redirectLocation",
  "rewrittenPath",
  "rewrittenHost",
  "mirroredTo",
  "localReplyDetail",
  "error",
  "routerHeaders",
  "envoyRouter",
  "requestHeaders",
  "responseHeaders",
];
export function ordered(d: SimDecision): SimDecision {
  return Object.fromEntries(
    KEY_ORDER.filter((k) => d[k] !== undefined).map((k) => [k, d[k]]),
  ) as unknown as SimDecision;
}
