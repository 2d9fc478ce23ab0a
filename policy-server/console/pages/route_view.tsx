/** @jsxImportSource hono/jsx */
// Server-rendered once per request: list keys would do nothing.
// deno-lint-ignore-file jsx-key
/**
 * The route page's views: a route's status per parent, and each rule as what it matches, what its
 * filters do and where it sends requests.
 *
 * @module
 */
import type { Json } from "../console_kit.tsx";
import { Cond, cond, DataTable, parentLabel, SplitTable } from "../layout.tsx";

/** A route's status: its conditions per parent. */
export function StatusTable(props: { parents: Json[]; namespace: string }) {
  if (!props.parents.length) return <p>No status yet.</p>;
  return (
    <DataTable columns={["Parent", "Accepted", "ResolvedRefs"]}>
      {props.parents.map((p) => (
        <tr>
          <td class="mono">{parentLabel(p.parentRef, props.namespace)}</td>
          <Cond c={cond(p, "Accepted")} />
          <Cond c={cond(p, "ResolvedRefs")} />
        </tr>
      ))}
    </DataTable>
  );
}

function matchText(m: Json): string {
  const parts: string[] = [];
  if (m.method) parts.push(m.method);
  if (m.path) parts.push(`path ${m.path.type ?? "PathPrefix"} ${m.path.value ?? "/"}`);
  for (const h of m.headers ?? []) {
    parts.push(`header ${h.name} ${h.type === "RegularExpression" ? "~" : "="} ${h.value}`);
  }
  for (const q of m.queryParams ?? []) {
    parts.push(`query ${q.name} ${q.type === "RegularExpression" ? "~" : "="} ${q.value}`);
  }
  return parts.join(" and ") || "any request";
}

function filterText(f: Json, ns: string): string {
  const mod = (x: Json | undefined) =>
    [
      ...(x?.set ?? []).map((h: Json) => `set ${h.name}: ${h.value}`),
      ...(x?.add ?? []).map((h: Json) => `add ${h.name}: ${h.value}`),
      ...(x?.remove ?? []).map((h: string) => `remove ${h}`),
    ].join("; ");
  const pathMod = (p: Json | undefined) =>
    p
      ? (p.type === "ReplaceFullPath" ? `path → ${p.replaceFullPath}` : `prefix → ${p.replacePrefixMatch}`)
      : "";
  switch (f.type) {
    case "RequestHeaderModifier":
      return `request headers: ${mod(f.requestHeaderModifier)}`;
    case "ResponseHeaderModifier":
      return `response headers: ${mod(f.responseHeaderModifier)}`;
    case "RequestMirror": {
      const m = f.requestMirror ?? {};
      const b = m.backendRef ?? {};
      const share = m.percent !== undefined
        ? ` (${m.percent}%)`
        : m.fraction
        ? ` (${m.fraction.numerator}/${m.fraction.denominator ?? 100})`
        : "";
      return `mirror to ${b.namespace ?? ns}/${b.name}${b.port ? `:${b.port}` : ""}${share}`;
    }
    case "RequestRedirect": {
      const r = f.requestRedirect ?? {};
      return `redirect ${r.statusCode ?? 302}` +
        [
          r.scheme && `scheme ${r.scheme}`,
          r.hostname && `host ${r.hostname}`,
          r.port && `port ${r.port}`,
          pathMod(r.path),
        ]
          .filter(Boolean).map((s) => ` ${s}`).join("");
    }
    case "URLRewrite": {
      const r = f.urlRewrite ?? {};
      return `rewrite` +
        [r.hostname && `host → ${r.hostname}`, pathMod(r.path)].filter(Boolean).map((s) => ` ${s}`).join("");
    }
    default:
      return `${f.type}`;
  }
}

/** One rule: its matches, its filters in words, and its backends' shares. */
export function RuleCard(props: { rule: Json; index: number; namespace: string }) {
  const { rule, index, namespace } = props;
  const backends: Json[] = rule.backendRefs ?? [];
  const filters: Json[] = rule.filters ?? [];
  return (
    <section class="card" aria-labelledby={`rule-${index}`}>
      <h3 id={`rule-${index}`}>Rule {index}{rule.name ? ` (${rule.name})` : ""}</h3>
      <p>
        <strong>Matches:</strong>
      </p>
      <ul>
        {(rule.matches?.length ? rule.matches : [{}]).map((m: Json) => <li class="mono">{matchText(m)}</li>)}
      </ul>
      {filters.length > 0 && (
        <>
          <p>
            <strong>Filters:</strong>
          </p>
          <ul>{filters.map((f) => <li class="mono">{filterText(f, namespace)}</li>)}</ul>
        </>
      )}
      <p>
        <strong>→ Backends:</strong>
      </p>
      {backends.length === 0
        ? <p>{filters.some((f) => f.type === "RequestRedirect") ? "none (redirect)" : "none: answers 500"}</p>
        : (
          <SplitTable
            rows={backends.map((b) => ({
              weight: b.weight ?? 1,
              label: (
                <>
                  {b.namespace ?? namespace}/{b.name}
                  {b.port ? `:${b.port}` : ""}
                  {(b.filters ?? []).map((f: Json) => (
                    <div>
                      <small>{filterText(f, namespace)}</small>
                    </div>
                  ))}
                </>
              ),
            }))}
          />
        )}
    </section>
  );
}
