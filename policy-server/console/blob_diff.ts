/**
 * A diff between two rule blobs in route terms: both are decoded and compared rule by rule
 * (`namespace/name` and rule index), with the virtual hosts each rule serves.
 *
 * @module
 */
import { decodeBlob } from "../blob/decode_blob.ts";
import type { RouteEntry, RouteFilter, RouteTable, VirtualHost } from "../ir/types.ts";

/** One HTTPRoute rule as the blob carries it. */
export interface RuleView {
  /** `namespace/name#rule`. */
  key: string;
  route: string;
  rule: number;
  /** Where it serves: `gateway ns/gw :80 example.com`, `mesh ns/svc :80 my-server`. */
  vhosts: string[];
  /** One line per flattened match. */
  matches: string[];
  /** `label weight` per backend. */
  backends: string[];
  filters: string[];
}

export interface BlobDiff {
  fromGeneration: number;
  toGeneration: number;
  added: RuleView[];
  removed: RuleView[];
  changed: { key: string; from: RuleView; to: RuleView; what: string[] }[];
  unchanged: number;
  vhostsAdded: string[];
  vhostsRemoved: string[];
}

export function vhostLabel(v: VirtualHost): string {
  return `${v.mode}${v.scope ? ` ${v.scope}` : ""}${v.port ? ` :${v.port}` : ""} ${v.hostnames.join(",")}` +
    (v.clients ? ` (clients ${v.clients})` : "");
}

export function matchLabel(e: RouteEntry): string {
  const parts: string[] = [];
  if (e.method) parts.push(e.method);
  parts.push(e.path ? `${e.path.type} ${e.path.value}` : "any path");
  for (const c of e.conditions) parts.push(`${c.kind} ${c.name}=${c.value}`);
  return parts.join(" ");
}

export function filterLabel(f: RouteFilter): string {
  switch (f.kind) {
    case "RequestMirror":
      return `RequestMirror → ${f.label} (${f.numerator}/${f.denominator})`;
    case "RequestRedirect":
      return `RequestRedirect ${f.statusCode}` +
        [
          f.scheme && `scheme=${f.scheme}`,
          f.hostname && `host=${f.hostname}`,
          f.port && `port=${f.port}`,
          f.path && `${f.path.type}=${f.path.value}`,
        ].filter(Boolean).map((s) => ` ${s}`).join("");
    case "URLRewrite":
      return "URLRewrite" + [f.hostname && `host=${f.hostname}`, f.path && `${f.path.type}=${f.path.value}`]
        .filter(Boolean).map((s) => ` ${s}`).join("");
    case "CORS":
      return `CORS origins=${f.allowOrigins}`;
    default:
      return `${f.kind} ${f.name}${f.value !== undefined ? `: ${f.value}` : ""}`;
  }
}

/** Every rule of a table, keyed `namespace/name#rule`. */
export function rulesOf(table: RouteTable): Map<string, RuleView> {
  const rules = new Map<string, RuleView>();
  for (const v of table.vhosts) {
    const vl = vhostLabel(v);
    for (const e of v.routes) {
      const a = e.action;
      const key = `${a.route}#${a.rule}`;
      let r = rules.get(key);
      if (!r) {
        r = {
          key,
          route: a.route,
          rule: a.rule,
          vhosts: [],
          matches: [],
          backends: a.backends.map((b) =>
            `${b.label} weight ${b.weight}${b.unresolved ? " (unresolved)" : ""}` +
            (b.filters.length ? ` [${b.filters.map(filterLabel).join("; ")}]` : "")
          ),
          filters: a.filters.map(filterLabel),
        };
        rules.set(key, r);
      }
      if (!r.vhosts.includes(vl)) r.vhosts.push(vl);
      const m = matchLabel(e);
      if (!r.matches.includes(m)) r.matches.push(m);
    }
  }
  return rules;
}

const FIELDS = ["vhosts", "matches", "backends", "filters"] as const;

/** Compares two decoded tables. */
export function diffTables(from: RouteTable, to: RouteTable): BlobDiff {
  const a = rulesOf(from), b = rulesOf(to);
  const diff: BlobDiff = {
    fromGeneration: from.generation,
    toGeneration: to.generation,
    added: [],
    removed: [],
    changed: [],
    unchanged: 0,
    vhostsAdded: [],
    vhostsRemoved: [],
  };
  for (const [key, r] of b) {
    const old = a.get(key);
    if (!old) {
      diff.added.push(r);
      continue;
    }
    const what = FIELDS.filter((f) => JSON.stringify(old[f]) !== JSON.stringify(r[f]));
    if (what.length) diff.changed.push({ key, from: old, to: r, what });
    else diff.unchanged++;
  }
  for (const [key, r] of a) if (!b.has(key)) diff.removed.push(r);
  const va = new Set(from.vhosts.map(vhostLabel)), vb = new Set(to.vhosts.map(vhostLabel));
  diff.vhostsAdded = [...vb].filter((v) => !va.has(v));
  diff.vhostsRemoved = [...va].filter((v) => !vb.has(v));
  return diff;
}

/** Decodes both blobs and compares them. */
export function diffBlobs(from: Uint8Array, to: Uint8Array): BlobDiff {
  return diffTables(decodeBlob(from), decodeBlob(to));
}
