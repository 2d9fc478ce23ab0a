/**
 * Deterministic rule tables and requests for the benchmarks: HTTPRoutes with a mix of exact, prefix,
 * header and query matches spread over many hostnames, and realistic requests (15 headers, a 60-byte
 * `:path`) that each hit one known rule somewhere in the table.
 *
 * Every rule has its own backend (so its Istio cluster names the rule) and a path head
 * (`/api/orders-123`) that no other rule's path is a segment prefix of: a request meant for a rule can
 * match only that rule, whatever order precedence puts the rules in, and the cluster the filter picks
 * tells whether it found it.
 *
 * @module
 */
import { prng } from "../../tests/prng.ts";
import type { HTTPRoute, HTTPRouteMatch } from "../../policy-server/model/types.ts";

/** A match kind the generator produces. */
export type RuleKind = "exact" | "prefix" | "header" | "query";

/** One generated rule: an HTTPRoute rule with one match and one backend. */
export interface GeneratedRule {
  /** Global index, 0-based. */
  index: number;
  kind: RuleKind;
  hostname: string;
  /** The HTTPRoute (`namespace/name`) and the rule's index in it. */
  route: string;
  ruleIndex: number;
  /** The Exact path, or the PathPrefix value (the path head). */
  path: string;
  header?: { name: string; value: string };
  query?: { name: string; value: string };
  /** The Istio cluster of the rule's only backend. */
  cluster: string;
}

/** A generated table: the HTTPRoutes to compile and what each of their rules is. */
export interface GeneratedTable {
  routes: HTTPRoute[];
  rules: GeneratedRule[];
  hostnames: string[];
}

/** A request meant for one rule. */
export interface GeneratedRequest {
  /** Exactly 15 headers, pseudo-headers first, names lower-case. */
  headers: [string, string][];
  /** The rule it should hit, and the cluster the filter should pick for it. */
  rule: number;
  cluster: string;
  hostname: string;
  /** The `:path` (60 bytes, query included). */
  path: string;
}

export interface GenerateOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Rules per HTTPRoute (default 10; Gateway API allows 16). */
  rulesPerRoute?: number;
  /**
   * How many hostnames the routes are spread over (default: one per HTTPRoute, i.e. rules / 10).
   * Routes share hostnames round-robin.
   */
  hostnames?: number;
  /** The match kinds to draw from (default all four). */
  kinds?: RuleKind[];
}

/** The length of every generated `:path`. */
export const PATH_BYTES = 60;
/** The number of headers of every generated request. */
export const HEADER_COUNT = 15;

const SEGMENTS = [
  "api",
  "v1",
  "v2",
  "shop",
  "cart",
  "orders",
  "users",
  "catalog",
  "search",
  "media",
  "static",
  "assets",
  "billing",
  "auth",
  "payments",
  "inventory",
  "reviews",
  "checkout",
  "admin",
  "graphql",
  "feeds",
  "profile",
];
const HOST_WORDS = [
  "shop",
  "api",
  "media",
  "auth",
  "pay",
  "search",
  "cdn",
  "app",
  "portal",
  "docs",
  "status",
  "mail",
];
const DOMAINS = ["example.com", "example.org", "corp.example.net", "svc.example.io"];
const HEADER_NAMES = ["x-tenant", "x-version", "x-canary", "x-client"];
const QUERY_NAMES = ["variant", "lang", "ref"];
const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

// Weights of the kinds, in RuleKind order: exact 30 %, prefix 40 %, header 15 %, query 15 %.
const KIND_WEIGHTS: [RuleKind, number][] = [["exact", 30], ["prefix", 40], ["header", 15], ["query", 15]];

export { prng };

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

function word(rng: () => number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += ALNUM[Math.floor(rng() * ALNUM.length)];
  return s;
}

/** `head` extended with random segments to exactly `length` bytes (no trailing "/"). */
export function padPath(rng: () => number, head: string, length: number): string {
  let path = head;
  while (path.length < length) {
    const room = length - path.length - 1; // after the "/"
    if (room <= 0) {
      // One byte left: lengthen the last segment instead of ending on "/".
      path += word(rng, 1);
      break;
    }
    path += "/" + word(rng, Math.min(room, 3 + Math.floor(rng() * 8)));
  }
  return path;
}

function drawKind(rng: () => number, kinds: RuleKind[]): RuleKind {
  const weights = KIND_WEIGHTS.filter(([k]) => kinds.includes(k));
  const total = weights.reduce((n, [, w]) => n + w, 0);
  let x = rng() * total;
  for (const [k, w] of weights) {
    if ((x -= w) < 0) return k;
  }
  return weights[weights.length - 1][0];
}

/**
 * Generates `count` rules (HTTPRoute rules with one match each) in HTTPRoutes of `rulesPerRoute`
 * rules, attached to a Gateway (`istio-system/ingress`) and spread over the hostnames.
 */
export function generateRoutes(count: number, options: GenerateOptions = {}): GeneratedTable {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`rule count must be a positive integer, got ${count}`);
  }
  const rng = prng(options.seed ?? 1);
  const perRoute = options.rulesPerRoute ?? 10;
  const routeCount = Math.ceil(count / perRoute);
  const hostCount = Math.max(1, Math.min(options.hostnames ?? routeCount, routeCount));
  const kinds = options.kinds ?? KIND_WEIGHTS.map(([k]) => k);

  const hostnames: string[] = [];
  for (let h = 0; h < hostCount; h++) hostnames.push(`${pick(rng, HOST_WORDS)}-${h}.${pick(rng, DOMAINS)}`);

  const routes: HTTPRoute[] = [];
  const rules: GeneratedRule[] = [];
  for (let r = 0; r < routeCount; r++) {
    const namespace = `team-${r % 20}`;
    const name = `route-${r}`;
    const hostname = hostnames[r % hostCount];
    const specRules: { matches: HTTPRouteMatch[]; backendRefs: { name: string; port: number }[] }[] = [];
    for (let j = 0; j < perRoute && rules.length < count; j++) {
      const g = rules.length;
      const kind = drawKind(rng, kinds);
      // The rule's own path head: its second segment carries the global index, so no other
      // rule's path is a segment prefix of it.
      const head = `/${pick(rng, SEGMENTS)}/${pick(rng, SEGMENTS)}-${g}`;
      const backend = `svc-${g}`;
      const rule: GeneratedRule = {
        index: g,
        kind,
        hostname,
        route: `${namespace}/${name}`,
        ruleIndex: j,
        path: kind === "exact" ? padPath(rng, head, PATH_BYTES) : head,
        cluster: `outbound|8080||${backend}.${namespace}.svc.cluster.local`,
      };
      const match: HTTPRouteMatch = {
        path: { type: kind === "exact" ? "Exact" : "PathPrefix", value: rule.path },
      };
      if (kind === "header") {
        rule.header = { name: pick(rng, HEADER_NAMES), value: `${pick(rng, HOST_WORDS)}-${g % 97}` };
        match.headers = [{ type: "Exact", ...rule.header }];
      } else if (kind === "query") {
        rule.query = { name: pick(rng, QUERY_NAMES), value: word(rng, 4) };
        match.queryParams = [{ type: "Exact", ...rule.query }];
      }
      rules.push(rule);
      specRules.push({ matches: [match], backendRefs: [{ name: backend, port: 8080 }] });
    }
    routes.push({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name, namespace, creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: {
        parentRefs: [{ name: "ingress", namespace: "istio-system" }],
        hostnames: [hostname],
        rules: specRules,
      },
    } as HTTPRoute);
  }
  return { routes, rules, hostnames };
}

/** `count` requests, each for a rule drawn uniformly from the whole table. */
export function generateRequests(table: GeneratedTable, count: number, seed = 2): GeneratedRequest[] {
  const rng = prng(seed);
  const out: GeneratedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const rule = table.rules[Math.floor(rng() * table.rules.length)];
    let path: string;
    if (rule.kind === "exact") path = rule.path;
    else if (rule.query) {
      const query = `?${rule.query.name}=${rule.query.value}`;
      path = padPath(rng, rule.path, PATH_BYTES - query.length) + query;
    } else path = padPath(rng, rule.path, PATH_BYTES);
    const id = [8, 4, 4, 4, 12].map((n) =>
      word(rng, n).replace(/[g-z]/g, (c) => String.fromCharCode(97 + c.charCodeAt(0) % 6))
    )
      .join("-");
    const last: [string, string] = rule.header
      ? [rule.header.name, rule.header.value]
      : ["x-client-version", `2.${Math.floor(rng() * 40)}.${Math.floor(rng() * 10)}`];
    const headers: [string, string][] = [
      [":authority", rule.hostname],
      [":path", path],
      [":method", "GET"],
      [":scheme", "https"],
      ["user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
      ["accept", "application/json, text/plain, */*"],
      ["accept-encoding", "gzip, deflate, br"],
      ["accept-language", "en-US,en;q=0.9"],
      ["x-request-id", id],
      ["x-forwarded-for", `10.${i % 250}.${Math.floor(rng() * 250)}.${Math.floor(rng() * 250)}`],
      ["x-forwarded-proto", "https"],
      ["x-envoy-attempt-count", "1"],
      ["cookie", `session=${word(rng, 24)}; theme=dark`],
      ["traceparent", `00-${id.replaceAll("-", "")}-${word(rng, 16).replace(/[g-z]/g, "a")}-01`],
      last,
    ];
    out.push({ headers, rule: rule.index, cluster: rule.cluster, hostname: rule.hostname, path });
  }
  return out;
}
