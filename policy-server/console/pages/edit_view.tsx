/** @jsxImportSource hono/jsx */
// Server-rendered once per request: list keys would do nothing.
// deno-lint-ignore-file jsx-key
/**
 * The edit page's views: the YAML form, and what a dry run or an apply answered.
 *
 * @module
 */
import type { Context } from "hono";
import type { Json } from "../console_kit.tsx";
import { cond, CondStatus, DataTable, parentLabel } from "../layout.tsx";

/** Kubernetes' `fieldValidation` directives, the API's default first. */
const FIELD_VALIDATION = [
  ["Strict", "Strict: refuse unknown and duplicated fields"],
  ["Warn", "Warn: drop them, with a warning"],
  ["Ignore", "Ignore: drop them silently"],
] as const;

/** The YAML editor; a reader's token gets no buttons. */
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
function Warnings(props: { warnings: string[] }) {
  if (props.warnings.length === 0) return null;
  return (
    <div class="warn" role="status" id="edit-warnings">
      <ul>{props.warnings.map((w) => <li class="mono">Warning: {w}</li>)}</ul>
    </div>
  );
}

/** What a dry run or an apply answered: the refusal at its field paths, or the objects and their status. */
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
