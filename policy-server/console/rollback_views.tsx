/** @jsxImportSource hono/jsx */
// Server-rendered once per request: list keys would do nothing.
// deno-lint-ignore-file jsx-key
/**
 * What a blob rollback does to the stored objects: the preview before confirming (from the API's
 * dry run), and the notices after it.
 *
 * @module
 */
import { stringify } from "yaml";
import { lineDiff } from "./line_diff.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const ACTIONS: Record<string, string> = {
  restored: "written back as it was",
  recreated: "created again (deleted since)",
  deleted: "deleted (created since)",
  // The words of a diff between two generations (`GET /v1/blob/diff`).
  changed: "changed",
  added: "added",
  removed: "removed",
};

const objectName = (o: Json) => `${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
const specYaml = (spec: unknown) => spec === undefined ? "" : stringify(spec);

/** One object's change, its spec as a `-`/`+` line diff. */
function ObjectChange(props: { o: Json }) {
  const { o } = props;
  const lines = lineDiff(specYaml(o.fromSpec), specYaml(o.toSpec));
  return (
    <details class="card" open={lines.length <= 60}>
      <summary>
        <strong>{o.kind}</strong> <span class="mono">{objectName(o)}</span>:{" "}
        {ACTIONS[o.action ?? o.change] ?? o.action ?? o.change}
        {o.fromResourceVersion && <small>{` (resourceVersion ${o.fromResourceVersion} replaced)`}</small>}
      </summary>
      <pre class="mono diff">{lines.map((d) => (
        <span class={d.op === "+" ? "add" : d.op === "-" ? "del" : ""}>{`${d.op} ${d.line}\n`}</span>
      ))}</pre>
    </details>
  );
}

/** The objects a rollback will change, object by object (`dry` is the API's dry-run answer). */
export function RollbackPreview(props: { dry: Json }) {
  const objects: Json[] = props.dry.objects ?? [];
  if (!props.dry.objectsRecorded) {
    return (
      <p class="warn" id="rollback-objects">
        This generation predates object history: only the blob rolls back. The stored objects stay as they
        are, and the next write of any object compiles them again.
      </p>
    );
  }
  if (objects.length === 0) {
    return (
      <p id="rollback-objects">The stored objects are already those this generation was compiled from.</p>
    );
  }
  return (
    <div id="rollback-objects">
      <h2>Objects the rollback changes ({objects.length})</h2>
      <p>Each is written back as this generation was compiled from it, with a new resourceVersion.</p>
      {objects.map((o) => <ObjectChange o={o} />)}
    </div>
  );
}

/** The objects that changed between two generations (`diff` is `GET /v1/blob/diff`'s answer). */
export function ObjectDiff(props: { diff: Json }) {
  const objects: Json[] = props.diff.objects ?? [];
  return (
    <div id="object-diff">
      <h3>Objects changed from generation {props.diff.from} to {props.diff.to} ({objects.length})</h3>
      {objects.map((o) => <ObjectChange o={o} />)}
    </div>
  );
}

/** On a route restored by the current blob's rollback: says so, and from which generation. */
export function RestoredNotice(props: { route: Json; current?: Json }) {
  const { route, current } = props;
  if (!current?.rollbackOf || current.resourceVersion !== route.metadata?.resourceVersion) return null;
  return (
    <p class="warn" role="status" id="restored-notice">
      Restored by the rollback to generation{" "}
      {current.rollbackOf}: this is the route as that generation was compiled from it (now generation{" "}
      {current.generation}, {current.createdAt}, by {current.createdBy}).
    </p>
  );
}
