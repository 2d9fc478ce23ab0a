/**
 * "Why did this request go there?": the filter's lookup retold over a routing table, step by step,
 * in the words a route author uses. Which virtual host took the request and why (hostname, port,
 * the proxy it passes, the client's namespace), each candidate route in precedence order with the
 * first condition that failed, and on a miss the nearest thing that would have matched ("a route for
 * this host exists on port 9080").
 *
 * The filter decides; this explains. It follows the filter's rules (filter/assembly/core/lookup.ts:
 * in a sidecar, a request addressed to a Service's frontend — cluster IP and port — takes that
 * Service's virtual host whatever its Host; else the exact host, then ever shorter wildcard
 * suffixes, then `*`; a host's port 0 takes any port; the client's own namespace before every
 * client's; segment-wise prefixes), and the console shows both, so a disagreement would be in plain
 * sight.
 *
 * @module
 */
import { parseIpAddress } from "../model/ip_address.ts";
import { matchProgram } from "../regex/match_program.ts";
import { tryCompileRegex } from "../regex/compile_regex.ts";
import type { Condition, RouteEntry, RouteTable, ServiceFrontend, VirtualHost } from "./types.ts";

/** The request, as the proxy in front of the filter sees it. */
export interface ExplainedRequest {
  /** `:authority`: a hostname, with a port or not. */
  authority: string;
  /** The listener or Service port it arrives on; default: the authority's, else the scheme's. */
  port?: number;
  scheme?: string;
  method?: string;
  /** With its query. */
  path: string;
  /** Names lower-case. */
  headers?: [string, string][];
  /** `mesh`, `gateway:NS/NAME`, or absent for every route (as the WasmPlugin's scope). */
  scope?: string;
  /** A mesh client's namespace (GAMMA consumer routes, a Service's short name). */
  clientNamespace?: string;
  /**
   * A sidecar's request: where its connection goes (Envoy's original destination), an IP address,
   * else the Service (`namespace/name`) whose primary cluster IP it is. With `port`, a Service
   * frontend there picks that Service's virtual host whatever the authority; anything else leaves
   * the choice to the authority's hostname.
   */
  destination?: { address?: string; service?: string };
}

/** A simulator request's fields (simulator/simulate.ts `SimRequest`), as far as the lookup reads them. */
export interface SimulatedRequest {
  method?: string;
  host?: string;
  path: string;
  headers?: Record<string, string> | [string, string][];
  scheme?: string;
  port?: number;
  gateway?: string;
  mesh?: {
    clientNamespace: string;
    destinationService: string;
    destinationPort: number;
    destinationAddress?: string;
  };
}

/**
 * The request the proxy sees for a simulator request: a mesh request goes to its Service's cluster
 * IP (or its `destinationAddress`) on the Service port, whatever port its Host header names, from the
 * client's namespace, through the mesh's proxy; its Host header, when given, is the authority. A
 * gateway request goes through that Gateway's proxy.
 */
export function explainedRequestOf(req: SimulatedRequest): ExplainedRequest {
  const headers = (Array.isArray(req.headers) ? req.headers : Object.entries(req.headers ?? {}))
    .map(([k, v]): [string, string] => [k.toLowerCase(), v]);
  return {
    authority: req.host ?? req.mesh!.destinationService,
    // The sidecar's destination port, as the simulator gives the filter (simulator/simulate.ts).
    port: req.mesh?.destinationPort ?? req.port,
    scheme: req.scheme,
    method: req.method,
    path: req.path,
    headers,
    scope: req.mesh ? "mesh" : req.gateway ? `gateway:${req.gateway}` : undefined,
    clientNamespace: req.mesh?.clientNamespace,
    ...(req.mesh && {
      destination: {
        address: req.mesh.destinationAddress,
        service: serviceNamed(req.mesh.destinationService, req.mesh.clientNamespace),
      },
    }),
  };
}

/**
 * The `namespace/name` a mesh client means by a Service's name, as the simulator reads it
 * (simulator/simulate.ts, serviceNamed): a bare name is its own namespace's, `name.ns`, `name.ns.svc`
 * and `name.ns.svc.<domain>` name one of `ns`; undefined for any other name or an unknown namespace.
 */
function serviceNamed(name: string, clientNamespace: string | undefined): string | undefined {
  const labels = name.toLowerCase().split(".");
  if (labels.length === 1) {
    return clientNamespace === undefined ? undefined : `${clientNamespace}/${labels[0]}`;
  }
  if (labels.length === 2 || labels[2] === "svc") return `${labels[1]}/${labels[0]}`;
  return undefined;
}

/** One virtual host the hostname could have led to, and what it made of the request. */
export interface HostCandidate {
  hostname: string;
  port: number;
  /** `gateway NS/NAME` or `Service NS/NAME`. */
  attachedTo: string;
  /** `picked`, or why not. */
  verdict: string;
}

/** One route (a flattened HTTPRouteMatch) of the picked host, in precedence order. */
export interface RouteCandidate {
  route: string;
  rule: number;
  /** What it matches, e.g. `PathPrefix /api, header version = new`. */
  match: string;
  /** `matched`, or the first condition that failed. */
  verdict: string;
}

export interface Explanation {
  hostname: string;
  port: number;
  /** One line: what happened and why. */
  summary: string;
  hosts: HostCandidate[];
  /** The picked host's routes up to the one that matched (all of them on a miss). */
  routes: RouteCandidate[];
  /** On a miss: what exists nearby (other ports, other hostnames). */
  nearest: string[];
  /**
   * A sidecar's request: what its destination did — the Service frontend whose virtual host took it
   * (the authority's hostname then counts for nothing), or why the hostname decided instead. Absent
   * where the destination plays no part (a Gateway, a table without frontends, no destination given).
   */
  destination?: string;
}

/** The explanation as lines a person reads: the summary, then each host, route and nearest match. */
export function explanationLines(x: Explanation): string[] {
  return [
    `host ${x.hostname}, port ${x.port}: ${x.summary}`,
    ...(x.destination ? [`  destination: ${x.destination}`] : []),
    ...x.hosts.map((h) => `  host ${h.hostname} (port ${h.port || "any"}, ${h.attachedTo}): ${h.verdict}`),
    ...x.routes.map((r) => `  ${r.route} rule ${r.rule} [${r.match}]: ${r.verdict}`),
    ...x.nearest.map((n) => `  nearest: ${n}`),
  ];
}

/** Explains how `table` treats `req`. */
export function explainRequest(table: RouteTable, req: ExplainedRequest): Explanation {
  const { hostname, port } = hostAndPort(req);
  const served = table.vhosts.filter((vh) => inScope(vh, req.scope));
  const to = destinationOf(table, req, port);
  if (to.frontend) return explainByFrontend(table, served, req, hostname, to.frontend);
  const hosts = hostCandidates(served, hostname, port, req.clientNamespace);
  const picked = hosts.find((h) => h.candidate.verdict === "picked");
  const base = {
    hostname,
    port,
    hosts: hosts.map((h) => h.candidate),
    ...(to.note && { destination: to.note }),
  };
  if (!picked) {
    return {
      ...base,
      summary: `no route is attached to host "${hostname}" on port ${port}: the filter lets the request pass`,
      routes: [],
      nearest: nearest(table.vhosts, served, hostname, port, req.scope),
    };
  }
  return { ...base, ...routesOf(picked, parseTarget(req), "") };
}

/** The picked host's routes in precedence order up to the first that matches, and the summary. */
function routesOf(
  picked: Ranked,
  target: Target,
  how: string,
): Pick<Explanation, "summary" | "routes" | "nearest"> {
  const routes: RouteCandidate[] = [];
  for (const entry of picked.vhost.routes) {
    const failed = firstFailure(entry, target);
    routes.push({
      route: entry.action.route,
      rule: entry.action.rule,
      match: describeEntry(entry),
      verdict: failed ?? "matched",
    });
    if (!failed) {
      return {
        summary:
          `${picked.candidate.hostname} (${how}${picked.why}) → ${entry.action.route} rule ${entry.action.rule}`,
        routes,
        nearest: [],
      };
    }
  }
  return {
    summary:
      `${picked.candidate.hostname} (${how}${picked.why}) took the request, but none of its ${routes.length} route match(es) did: 404`,
    routes,
    nearest: [],
  };
}

/** Where a request goes, as the filter reads it: a Service frontend, or a note on why it is none. */
interface Destination {
  frontend?: ServiceFrontend & { at: string };
  note?: string;
}

/**
 * The Service frontend the request is addressed to, as the filter finds it (core/frontends.ts):
 * never through a Gateway, never when the table has no frontends (the filter does not even read the
 * address), else the frontend of the destination address and port, if any.
 */
function destinationOf(table: RouteTable, req: ExplainedRequest, port: number): Destination {
  const frontends = table.frontends ?? [];
  if (req.scope?.startsWith("gateway:") || !frontends.length || !req.destination) return {};
  const { service } = req.destination;
  const given = req.destination.address;
  const address = given !== undefined
    ? parseIpAddress(given)?.canonical ?? given
    : frontends.find((f) => f.service === service)?.address;
  if (address === undefined) {
    return {
      note: service === undefined
        ? "no Service is named as the destination and no address is given: the hostname decides"
        : `Service ${service} has no cluster IP in the table (headless, or not stored): the connection goes to a pod, so the hostname decides`,
    };
  }
  const at = `${address.includes(":") ? `[${address}]` : address}:${port}`;
  const frontend = frontends.find((f) => f.address === address && f.port === port);
  if (frontend) return { frontend: { ...frontend, at } };
  const owner = frontends.find((f) => f.address === address)?.service;
  return {
    note: owner
      ? `${at} is no Service frontend (Service ${owner} has no port ${port} there): the hostname decides`
      : `${at} is no Service's cluster IP (a pod, or a Service not stored): the hostname decides`,
  };
}

/**
 * A request addressed to a Service frontend: that Service's virtual host (an exact host of its
 * cluster-local name taking the port, the client's namespace's first) takes it, whatever its Host.
 */
function explainByFrontend(
  table: RouteTable,
  served: VirtualHost[],
  req: ExplainedRequest,
  hostname: string,
  f: ServiceFrontend & { at: string },
): Explanation {
  const hosts = hostCandidates(served, f.hostname, f.port, req.clientNamespace, true);
  const picked = hosts.find((h) => h.candidate.verdict === "picked");
  const named = serviceNamed(hostname, req.clientNamespace);
  const known = new Set([
    ...(table.frontends ?? []).map((x) => x.service),
    ...table.vhosts.filter((vh) => vh.mode === "mesh").map((vh) => vh.scope),
  ]);
  const other = named !== undefined && named !== f.service && known.has(named)
    ? `; the Host "${hostname}" names Service ${named}, whose routes do not apply to it`
    : `; its Host "${hostname}" plays no part`;
  const base = {
    hostname,
    port: f.port,
    hosts: hosts.map((h) => h.candidate),
    destination: `addressed to ${f.at}, a frontend of Service ${f.service}: the virtual host is chosen ` +
      `by that Service's name ${f.hostname}${other}`,
  };
  if (picked) return { ...base, ...routesOf(picked, parseTarget(req), `by the destination ${f.at}; `) };
  const byHost = hostCandidates(served, hostname, f.port, req.clientNamespace)
    .find((h) => h.candidate.verdict === "picked");
  return {
    ...base,
    summary: `the request is addressed to Service ${f.service} (${f.at}), which has no route for ` +
      `port ${f.port}${req.clientNamespace ? ` and clients in ${req.clientNamespace}` : ""}: ` +
      "the filter lets the request pass, whatever its Host",
    routes: [],
    nearest: [
      ...(byHost
        ? [
          `by its Host the request would take ${byHost.candidate.hostname} (${byHost.candidate.attachedTo}), ` +
          "but in a sidecar the destination decides",
        ]
        : []),
      ...nearest(table.vhosts, served, f.hostname, f.port, req.scope),
    ],
  };
}

function hostAndPort(req: ExplainedRequest): { hostname: string; port: number } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(req.authority);
  const hostname = (m?.[1] ?? req.authority).toLowerCase();
  const named = m?.[2] ? Number(m[2]) : undefined;
  return { hostname, port: req.port ?? named ?? ((req.scheme ?? "http") === "https" ? 443 : 80) };
}

function inScope(vh: VirtualHost, scope: string | undefined): boolean {
  if (!scope) return true;
  if (scope === "mesh") return vh.mode === "mesh";
  return vh.mode === "gateway" && `gateway:${vh.scope}` === scope;
}

const attachedTo = (vh: VirtualHost) => `${vh.mode === "mesh" ? "Service" : "Gateway"} ${vh.scope ?? "?"}`;

/** How `name` (a host record) matches `hostname`: 0 exact, then longer wildcard suffixes first, `*` last. */
function specificity(name: string, hostname: string): number | undefined {
  if (name === hostname) return 0;
  if (name === "*") return Number.MAX_SAFE_INTEGER;
  if (name.startsWith("*.") && hostname.endsWith(name.slice(1)) && hostname.length > name.length - 1) {
    return 1_000_000 - name.length;
  }
  return undefined;
}

interface Ranked {
  vhost: VirtualHost;
  candidate: HostCandidate;
  why: string;
}

/** Every host record the hostname matches, most specific first, with the filter's verdict on each. */
function hostCandidates(
  served: VirtualHost[],
  hostname: string,
  port: number,
  clients?: string,
  exactOnly = false,
): Ranked[] {
  const found: (Ranked & { rank: number })[] = [];
  for (const vhost of served) {
    for (const name of vhost.hostnames) {
      const rank = specificity(name, hostname);
      // A frontend's Service is found by its exact name only (core/frontends.ts, serviceVhost).
      if (rank === undefined || (exactOnly && rank !== 0)) continue;
      const kind = exactOnly
        ? "its Service's name"
        : rank === 0
        ? "exact hostname"
        : name === "*"
        ? "any hostname"
        : `wildcard ${name}`;
      const portOk = vhost.port === 0 || vhost.port === port;
      const clientsOk = !clients || !vhost.clients || vhost.clients === clients;
      const verdict = !portOk
        ? `not taken: it is for port ${vhost.port}, the request came on ${port}`
        : !clientsOk
        ? `not taken: it serves clients in namespace ${vhost.clients}, the request comes from ${clients}`
        : "";
      const why = `${kind}, ${vhost.port === 0 ? "any port" : `port ${vhost.port}`}, ${attachedTo(vhost)}` +
        (vhost.clients ? `, for clients in ${vhost.clients}` : "");
      // The client's own namespace's host goes before the one for every client.
      const own = clients !== undefined && vhost.clients === clients ? 0 : 1;
      found.push({
        vhost,
        candidate: { hostname: name, port: vhost.port, attachedTo: attachedTo(vhost), verdict },
        why,
        rank: rank * 2 + own,
      });
    }
  }
  found.sort((a, b) => a.rank - b.rank);
  let picked = false;
  for (const f of found) {
    if (f.candidate.verdict) continue;
    f.candidate.verdict = picked ? "not taken: a more specific host took the request" : "picked";
    picked = true;
  }
  return found;
}

/** On a miss: the same hostname elsewhere (another port, another proxy), else the known hostnames. */
function nearest(
  all: VirtualHost[],
  served: VirtualHost[],
  hostname: string,
  port: number,
  scope?: string,
): string[] {
  const out: string[] = [];
  for (const vh of all) {
    if (!vh.hostnames.some((n) => specificity(n, hostname) !== undefined)) continue;
    if (!served.includes(vh)) {
      out.push(
        `a route for this host is attached to ${attachedTo(vh)}, which this proxy (${scope}) does not serve`,
      );
    } else if (vh.port !== 0 && vh.port !== port) {
      out.push(`a route for this host exists on port ${vh.port} (${attachedTo(vh)})`);
    }
  }
  if (out.length > 0) return [...new Set(out)];
  const known = [
    ...new Set(served.flatMap((vh) => vh.hostnames.map((n) => vh.port ? `${n}:${vh.port}` : n))),
  ];
  const close = known.sort((a, b) => distance(a, hostname) - distance(b, hostname)).slice(0, 8);
  return close.length
    ? [`hostnames with routes: ${close.join(", ")}${known.length > 8 ? ", …" : ""}`]
    : ["no routes at all"];
}

/** Levenshtein distance, to list the hostnames closest to a mistyped one first. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

interface Target {
  path: string;
  query: Map<string, string>;
  method: string;
  headers: Map<string, string>;
}

function parseTarget(req: ExplainedRequest): Target {
  const q = req.path.indexOf("?");
  const query = new Map<string, string>();
  for (const part of q >= 0 ? req.path.slice(q + 1).split("&") : []) {
    const eq = part.indexOf("=");
    const name = eq >= 0 ? part.slice(0, eq) : part;
    if (name && !query.has(name)) query.set(name, eq >= 0 ? part.slice(eq + 1) : "");
  }
  const headers = new Map<string, string>();
  for (const [name, value] of req.headers ?? []) if (!headers.has(name)) headers.set(name, value);
  return {
    path: q >= 0 ? req.path.slice(0, q) : req.path,
    query,
    method: (req.method ?? "GET").toUpperCase(),
    headers,
  };
}

/** Runs the IR's program (buildIr compiled it); IR read from JSON has none and is compiled here. */
function regexMatches(match: { value: string; program?: Uint8Array }, input: string): boolean {
  if (match.program) return matchProgram(match.program, input);
  const compiled = tryCompileRegex(match.value);
  return "program" in compiled && matchProgram(compiled.program, input);
}

function pathMatches(entry: RouteEntry, path: string): boolean {
  const p = entry.path;
  if (!p) return true;
  if (p.type === "Exact") return path === p.value;
  if (p.type === "RegularExpression") return regexMatches(p, path);
  if (p.value === "/") return true;
  return path === p.value || path.startsWith(`${p.value}/`);
}

/** The first of the entry's conditions the request fails, in words; `undefined` when it matches. */
function firstFailure(entry: RouteEntry, t: Target): string | undefined {
  if (!pathMatches(entry, t.path)) {
    return `path ${t.path} does not match ${entry.path!.type} ${entry.path!.value}`;
  }
  if (entry.method && entry.method !== t.method) return `method ${t.method} is not ${entry.method}`;
  for (const c of entry.conditions) {
    const failed = conditionFailure(c, t);
    if (failed) return failed;
  }
  return undefined;
}

function conditionFailure(c: Condition, t: Target): string | undefined {
  const header = c.kind === "HeaderExact" || c.kind === "HeaderRegex";
  const what = header ? `header ${c.name}` : `query parameter ${c.name}`;
  const value = (header ? t.headers : t.query).get(c.name);
  if (value === undefined) return `${what} is missing`;
  const exact = c.kind === "HeaderExact" || c.kind === "QueryExact";
  if (exact ? value === c.value : regexMatches(c, value)) return undefined;
  return `${what} is ${JSON.stringify(value)}, not ${
    exact ? JSON.stringify(c.value) : `matching /${c.value}/`
  }`;
}

/** `PathPrefix /api, GET, header version = new`. */
export function describeEntry(entry: RouteEntry): string {
  const parts = [entry.path ? `${entry.path.type} ${entry.path.value}` : "any path"];
  if (entry.method) parts.push(entry.method);
  for (const c of entry.conditions) {
    const what = c.kind.startsWith("Header") ? "header" : "query";
    parts.push(
      c.kind.endsWith("Regex") ? `${what} ${c.name} ~ /${c.value}/` : `${what} ${c.name} = ${c.value}`,
    );
  }
  return parts.join(", ");
}
