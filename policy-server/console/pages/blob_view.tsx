/** @jsxImportSource hono/jsx */
/**
 * The blob page's view of a diff between two generations, rule by rule.
 *
 * @module
 */
import type { BlobDiff, RuleView } from "../blob_diff.ts";

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

/** The rules and virtual hosts added, removed and changed between two generations. */
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
