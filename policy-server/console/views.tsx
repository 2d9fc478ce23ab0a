/** @jsxImportSource hono/jsx */
// Server-rendered once per request: list keys would do nothing.
// deno-lint-ignore-file jsx-key
/**
 * The console's views: status tables, a rule's decision view, a tried request, a blob diff and the
 * edit form, as Hono JSX components the pages in `pages/` put together.
 *
 * @module
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { BlobDiff, RuleView } from "./blob_diff.ts";
import { CondStatus, DataTable } from "./layout.tsx";
import type { Explanation } from "../ir/explain_request.ts";
import type { TryResult } from "./try_request.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

export function parentLabel(p: Json | undefined, ns: string): string {
  if (!p) return "—";
  const kind = p.kind ?? "Gateway";
  return `${kind} ${p.namespace ?? ns}/${p.name}${p.port ? `:${p.port}` : ""}${
    p.sectionName ? ` (${p.sectionName})` : ""
  }`;
}

export function cond(p: Json | undefined, type: string): Json | undefined {
  return (p?.conditions as Json[] | undefined)?.find((x) => x.type === type);
}

export function Cond(props: { c?: Json }) {
  const c = props.c;
  if (!c) return <td>—</td>;
  return (
    <td>
      <CondStatus status={c.status} /> <span class="mono">{c.reason}</span>
      {c.message && (
        <div>
          <small>{c.message}</small>
        </div>
      )}
    </td>
  );
}

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

export function TryResultView(props: { r: TryResult }) {
  const { decision: d, split } = props.r;
  return (
    <section class="card" aria-live="polite" id="try-result">
      <h2>Decision</h2>
      <p>
        <small>
          Computed by the served filter.wasm with blob generation {props.r.generation}{" "}
          ({props.r.sha256.slice(0, 12)}…).
        </small>
      </p>
      <dl>
        <dt>Status</dt>
        <dd>{d.status}</dd>
        <dt>Matched</dt>
        <dd>
          {d.matchedRoute
            ? (
              <>
                <a href={`/console/routes/${d.matchedRoute}`}>{d.matchedRoute}</a> rule {d.matchedRule}
              </>
            )
            : d.passthrough
            ? "no route for this host and port: passed through to Istio's own routing (see why below)"
            : "no rule (see why below)"}
        </dd>
        <dt>Backend</dt>
        <dd id="try-backend" class="mono">{d.backend ?? "—"}</dd>
        {d.redirectLocation && (
          <>
            <dt>Redirect</dt>
            <dd class="mono">{d.status} → {d.redirectLocation}</dd>
          </>
        )}
        {d.localReplyDetail && (
          <>
            <dt>Local reply</dt>
            <dd class="mono">{d.status} {d.localReplyDetail}</dd>
          </>
        )}
        {d.rewrittenPath && (
          <>
            <dt>Path rewritten to</dt>
            <dd class="mono">{d.rewrittenPath}</dd>
          </>
        )}
        {d.rewrittenHost && (
          <>
            <dt>Host rewritten to</dt>
            <dd class="mono">{d.rewrittenHost}</dd>
          </>
        )}
        {d.mirroredTo.length > 0 && (
          <>
            <dt>Mirrored to</dt>
            <dd class="mono">{d.mirroredTo.join(", ")}</dd>
          </>
        )}
        {d.error && (
          <>
            <dt>Error</dt>
            <dd class="bad">{d.error}</dd>
          </>
        )}
      </dl>
      {split && split.length > 1 && (
        <>
          <h3>Weighted split</h3>
          <SplitTable
            rows={split.map((b) => ({
              weight: b.weight,
              label: `${b.label}${b.label === d.backend ? " ← picked" : ""}`,
              picked: b.label === d.backend,
            }))}
          />
          <p>
            <small>
              The pick hashes the request id (or the sticky key); change x-request-id to see another pick.
            </small>
          </p>
        </>
      )}
      <WhyView x={props.r.explanation} />
      <h3>Request headers after the filter</h3>
      <HeaderTable h={d.requestHeaders} />
      <h3>Response headers</h3>
      <HeaderTable h={d.responseHeaders} />
      <h3>As a check-routes test</h3>
      <p>
        <small>
          Paste into a tests file for <code>deno task check-routes</code>: it expects what the filter did.
        </small>
      </p>
      <pre class="mono" id="try-test-case">{props.r.testCase}</pre>
    </section>
  );
}

/** "Why?": the host lookup and each candidate route, as `explainRequest` tells it. */
function WhyView(props: { x: Explanation }) {
  const { x } = props;
  return (
    <div id="try-why">
      <h3>Why</h3>
      <p>
        Host <span class="mono">{x.hostname}</span>, port <span class="mono">{x.port}</span>: {x.summary}
      </p>
      {x.destination && <p id="try-destination">Destination: {x.destination}</p>}
      {x.hosts.length > 0 && (
        <DataTable columns={["Virtual host", "Port", "Attached to", "Verdict"]} scroll={false}>
          {x.hosts.map((h) => (
            <tr>
              <td class="mono">{h.hostname}</td>
              <td>{h.port || "any"}</td>
              <td>{h.attachedTo}</td>
              <td>{h.verdict}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {x.routes.length > 0 && (
        <DataTable columns={["Route (precedence order)", "Matches", "Verdict"]} scroll={false}>
          {x.routes.map((r) => (
            <tr>
              <td class="mono">{r.route} rule {r.rule}</td>
              <td class="mono">{r.match}</td>
              <td class={r.verdict === "matched" ? "ok" : ""}>{r.verdict}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {x.nearest.length > 0 && <ul id="try-nearest">{x.nearest.map((n) => <li>{n}</li>)}</ul>}
    </div>
  );
}

function HeaderTable(props: { h: Record<string, string> }) {
  const entries = Object.entries(props.h);
  if (!entries.length) return <p>—</p>;
  return (
    <div class="scroll">
      <table>
        <tbody>
          {entries.map(([k, v]) => (
            <tr>
              <th scope="row" class="mono">{k}</th>
              <td class="mono">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RuleLines(props: { r: RuleView }) {
  const r = props.r;
  return (
    <ul>
      <li>
        serves: <span class="mono">{r.vhosts.join(" | ")}</span>
      </li>
      <li>
        matches: <span class="mono">{r.matches.join(" | ")}</span>
      </li>
      <li>
        backends: <span class="mono">{r.backends.join(", ") || "none"}</span>
      </li>
      {r.filters.length > 0 && (
        <li>
          filters: <span class="mono">{r.filters.join("; ")}</span>
        </li>
      )}
    </ul>
  );
}

export function DiffView(props: { d: BlobDiff }) {
  const d = props.d;
  const none = !d.added.length && !d.removed.length && !d.changed.length && !d.vhostsAdded.length &&
    !d.vhostsRemoved.length;
  return (
    <section class="card" id="diff">
      <h3>Generation {d.fromGeneration} → {d.toGeneration}</h3>
      {none && <p>No difference in routes ({d.unchanged} rules the same).</p>}
      {d.vhostsAdded.map((v) => (
        <p class="added">
          + virtual host <span class="mono">{v}</span>
        </p>
      ))}
      {d.vhostsRemoved.map((v) => (
        <p class="removed">
          − virtual host <span class="mono">{v}</span>
        </p>
      ))}
      {d.added.map((r) => (
        <div class="added">
          <strong>+ added {r.key}</strong>
          <RuleLines r={r} />
        </div>
      ))}
      {d.removed.map((r) => (
        <div class="removed">
          <strong>− removed {r.key}</strong>
          <RuleLines r={r} />
        </div>
      ))}
      {d.changed.map((ch) => (
        <div class="changed">
          <strong>~ changed {ch.key}</strong> ({ch.what.join(", ")})
          <ul>
            {ch.what.map((f) => (
              <li>
                {f}:{" "}
                <span class="mono removed">{(ch.from[f as keyof RuleView] as string[]).join(" | ")}</span> →
                {" "}
                <span class="mono added">{(ch.to[f as keyof RuleView] as string[]).join(" | ")}</span>
              </li>
            ))}
          </ul>
        </div>
      ))}
      {!none && (
        <p>
          <small>{d.unchanged} rules unchanged.</small>
        </p>
      )}
    </section>
  );
}

/** Kubernetes' `fieldValidation` directives, the API's default first. */
const FIELD_VALIDATION = [
  ["Strict", "Strict: refuse unknown and duplicated fields"],
  ["Warn", "Warn: drop them, with a warning"],
  ["Ignore", "Ignore: drop them silently"],
] as const;

export function EditForm(props: { c: Context; yaml: string; canWrite: boolean; fieldValidation?: string }) {
  const chosen = props.fieldValidation ?? "Strict";
  return (
    <form method="post" action="/console/edit" class="card">
      <input type="hidden" name="_csrf" value={props.c.get("consoleSession").csrf} />
      <label for="yaml">HTTPRoute YAML (several documents allowed)</label>
      <textarea id="yaml" name="yaml" rows={22} spellcheck={false}>{props.yaml}</textarea>
      <label for="fieldValidation">Field validation</label>
      <select id="fieldValidation" name="fieldValidation">
        {FIELD_VALIDATION.map(([value, label]) => (
          <option value={value} selected={value === chosen}>{label}</option>
        ))}
      </select>
      {props.canWrite
        ? (
          <>
            <button type="submit" name="action" value="dryrun">Validate (dry run)</button>
            <button type="submit" name="action" value="apply">Apply</button>
          </>
        )
        : <p>This token may read only: validation and apply are not offered.</p>}
    </form>
  );
}

/** The API's `Warning` headers, as kubectl prints them. */
export function Warnings(props: { warnings: string[] }) {
  if (props.warnings.length === 0) return null;
  return (
    <div class="warn" role="status" id="edit-warnings">
      <ul>{props.warnings.map((w) => <li class="mono">Warning: {w}</li>)}</ul>
    </div>
  );
}

export function EditOutcome(props: { ok: boolean; apply: boolean; body: Json; warnings?: string[] }) {
  const { ok, apply, body } = props;
  if (!ok) {
    const causes: Json[] = body.details?.causes ?? [];
    return (
      <div class="err" role="alert" id="edit-errors">
        <p>
          <strong>{body.reason ?? "Invalid"}</strong>: {body.message}
        </p>
        {causes.length > 0 && (
          <DataTable columns={["Field", "Reason", "Message"]} scroll={false}>
            {causes.map((x) => (
              <tr>
                <td class="mono">{x.field ?? "—"}</td>
                <td>{x.reason}</td>
                <td>{x.message}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </div>
    );
  }
  const items: Json[] = body.items ?? [];
  return (
    <div class="note" role="status" id="edit-result">
      <p>
        <strong>{apply ? "Applied" : "Valid (dry run, nothing stored)"}</strong>
        {body.blob && (
          <>· blob generation {body.blob.generation}{body.blob.changed ? " (changed)" : " (unchanged)"}</>
        )}
      </p>
      <ul>
        {items.map((o) => {
          const ns = o.metadata?.namespace ?? "";
          const link = o.kind === "HTTPRoute" && apply
            ? `/console/routes/${ns}/${o.metadata.name}`
            : undefined;
          return (
            <li>
              {o.kind}{" "}
              {link ? <a href={link}>{ns}/{o.metadata.name}</a> : `${ns ? `${ns}/` : ""}${o.metadata?.name}`}
              {(o.status?.parents ?? []).map((p: Json) => (
                <div>
                  <small>
                    {parentLabel(p.parentRef, ns)}: Accepted{" "}
                    <CondStatus status={cond(p, "Accepted")?.status} />{" "}
                    {cond(p, "Accepted")?.reason}, ResolvedRefs{" "}
                    <CondStatus status={cond(p, "ResolvedRefs")?.status} /> {cond(p, "ResolvedRefs")?.reason}
                  </small>
                </div>
              ))}
            </li>
          );
        })}
      </ul>
      <Warnings warnings={props.warnings ?? []} />
    </div>
  );
}

/** Backends and their weights as proportional bars (the rule view and a tried request's split). */
function SplitTable(props: { rows: { label: Child; weight: number; picked?: boolean }[] }) {
  const total = props.rows.reduce((sum, r) => sum + r.weight, 0);
  return (
    <DataTable columns={["Backend", "Weight", "Share"]} scroll={false}>
      {props.rows.map((r) => {
        const pct = total ? (100 * r.weight) / total : 0;
        return (
          <tr class={r.picked ? "picked" : ""}>
            <td class="mono">{r.label}</td>
            <td>{r.weight}</td>
            <td style="min-width:8rem">
              <div class="barwrap" role="img" aria-label={`${pct.toFixed(1)}%`}>
                <div class="bar" style={`width:${pct.toFixed(2)}%`}></div>
              </div>
              <small>{pct.toFixed(1)}%</small>
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
