/** @jsxImportSource hono/jsx */
// Server-rendered once per request: list keys would do nothing (hono/jsx would print a key as an
// attribute).
// deno-lint-ignore-file jsx-key
/**
 * The console's page frame (navigation, a little CSS, no client build) and the pieces several pages
 * show: tables, condition statuses, parent references, weight bars. A view one page shows lives
 * beside that page in `pages/`.
 *
 * @module
 */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { Principal } from "../security/principal.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const CSS = `
*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
header a{color:#fff}header nav{display:flex;flex-wrap:wrap;gap:.75rem}header .who{margin-left:auto;font-size:.9em}
header form{display:inline}main{padding:1rem;max-width:72rem;margin:0 auto}
a{color:#0b5cad}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f5a623;outline-offset:1px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d5d9de;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef1f4}.ok{color:#116329;font-weight:600}.bad{color:#a40e26;font-weight:600}
.card{background:#fff;border:1px solid #d5d9de;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}
label{display:block;font-weight:600;margin:.5rem 0 .15rem}input,select,textarea{font:inherit;padding:.3rem;max-width:100%}
textarea{width:100%;font-family:ui-monospace,monospace}input[type=text],input[type=password]{width:100%}
button{font:inherit;padding:.35rem .9rem;border-radius:4px;border:1px solid #1f3a5f;background:#1f3a5f;color:#fff;cursor:pointer;margin:.4rem .4rem 0 0}
button.secondary{background:#fff;color:#1f3a5f}button.danger{background:#a40e26;border-color:#a40e26}
.bar{height:1.1rem;background:#3c7dd9;border-radius:3px;min-width:2px}.barwrap{background:#e4e8ee;border-radius:3px;width:100%}
.picked{outline:2px solid #116329}.mono,code,pre{font-family:ui-monospace,monospace;font-size:.92em}pre{white-space:pre-wrap;word-break:break-all}
.err{background:#fdecee;border:1px solid #e6a4ae;padding:.5rem .75rem;border-radius:6px}.note{background:#eaf5ea;border:1px solid #a9d3ab;padding:.5rem .75rem;border-radius:6px}.warn{background:#fff7e0;border:1px solid #e2c36b;padding:.5rem .75rem;border-radius:6px;margin-top:.5rem}pre.diff .add{background:#e6f4e6}pre.diff .del{background:#fbe9eb}
.added{color:#116329}.removed{color:#a40e26}.changed{color:#8a5a00}.row{display:flex;flex-wrap:wrap;gap:1rem}.row>*{flex:1 1 14rem}
.scroll{overflow-x:auto}
@media (max-width:640px){main{padding:.5rem}th,td{padding:.2rem}header .who{margin-left:0}}
`;

export interface LayoutProps {
  title: string;
  principal?: Principal;
  /** Tokens are configured: show who is logged in and a logout button. */
  authEnabled: boolean;
  csrf: string;
  children?: Child;
}

export function Layout(props: LayoutProps) {
  const p = props.principal;
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title} · wasmroute console</title>
          <style>{raw(CSS)}</style>
        </head>
        <body>
          <header>
            <strong>wasmroute</strong>
            <nav aria-label="Console">
              <a href="/console">Routes</a>
              <a href="/console/try">Try a request</a>
              <a href="/console/blob">Blob &amp; history</a>
              <a href="/console/edit">Edit</a>
            </nav>
            <span class="who">
              {p && props.authEnabled
                ? (
                  <>
                    {p.name} ({p.role}){" "}
                    <form method="post" action="/console/logout">
                      <input type="hidden" name="_csrf" value={props.csrf} />
                      <button type="submit" class="secondary">Log out</button>
                    </form>
                  </>
                )
                : props.authEnabled
                ? <a href="/console/login">Log in</a>
                : <span>open mode (no tokens)</span>}
            </span>
          </header>
          <main id="main">
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/** A Kubernetes condition status as a word with a colour. */
export function CondStatus(props: { status?: string }) {
  return <span class={props.status === "True" ? "ok" : "bad"}>{props.status ?? "?"}</span>;
}

/**
 * A table with a header row naming its `columns`; the rows are the children. Wrapped to scroll
 * sideways on a narrow screen unless `scroll` is false (a table inside another box).
 */
export function DataTable(props: { columns: string[]; scroll?: boolean; children?: Child }) {
  const headers = props.columns.map((c) => <th scope="col">{c}</th>);
  const table = (
    <table>
      <thead>
        <tr>{headers}</tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
  return props.scroll === false ? table : <div class="scroll">{table}</div>;
}

/** A route's parent reference as `Kind namespace/name:port (section)`. */
export function parentLabel(p: Json | undefined, ns: string): string {
  if (!p) return "—";
  const kind = p.kind ?? "Gateway";
  return `${kind} ${p.namespace ?? ns}/${p.name}${p.port ? `:${p.port}` : ""}${
    p.sectionName ? ` (${p.sectionName})` : ""
  }`;
}

/** The condition of `type` in a parent's status. */
export function cond(p: Json | undefined, type: string): Json | undefined {
  return (p?.conditions as Json[] | undefined)?.find((x) => x.type === type);
}

/** A condition as a table cell: its status, reason and message. */
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

/** Backends and their weights as proportional bars (the rule view and a tried request's split). */
export function SplitTable(props: { rows: { label: Child; weight: number; picked?: boolean }[] }) {
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
