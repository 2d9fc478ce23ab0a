/** @jsxImportSource hono/jsx */
// Server-rendered once per request: list keys would do nothing.
// deno-lint-ignore-file jsx-key
/**
 * The try page's views: the filter's decision on a tried request, why, and the request as a
 * check-routes test.
 *
 * @module
 */
import type { Explanation } from "../../ir/explain_request.ts";
import { DataTable, SplitTable } from "../layout.tsx";
import type { TryResult } from "../try_request.ts";

/** The decision of the served filter on a tried request, and why. */
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
