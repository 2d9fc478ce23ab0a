/** @jsxImportSource hono/jsx */
// Server-rendered once per request: list keys would do nothing.
// deno-lint-ignore-file jsx-key
/**
 * `/console/blob`: the serving blob, its kept versions, and a diff of any two.
 *
 * @module
 */
import { Hono } from "hono";
import { diffBlobs } from "../blob_diff.ts";
import type { BlobDiff } from "../blob_diff.ts";
import { ConsoleError } from "../console_error.ts";
import type { ConsoleKit, Json } from "../console_kit.tsx";
import { DataTable } from "../layout.tsx";
import { ObjectDiff } from "../rollback_views.tsx";
import { DiffView } from "./blob_view.tsx";

/** The blob and its history; `?from=&to=` compares two generations, rules and objects. */
export function blobPage(kit: ConsoleKit): Hono {
  const ui = new Hono();
  ui.get("/blob", async (c) => {
    const h = await kit.need(c, "/v1/blob/history");
    const items: Json[] = h.items;
    const current = items.find((i) => i.generation === h.current);
    const gens = items.map((i) => i.generation as number);
    const to = Number(c.req.query("to")) || h.current;
    const from = Number(c.req.query("from")) || gens.find((g) => g < to);
    let diff: BlobDiff | undefined;
    let objectDiff: Json | undefined;
    let diffError: string | undefined;
    if (from && to) {
      try {
        const [a, b] = await Promise.all([from, to].map(async (g) => {
          const res = await kit.api(c, `/v1/blob/${g}`, { headers: { Accept: "application/octet-stream" } });
          if (!res.ok) throw new ConsoleError(res.status, `generation ${g} is not in the history`);
          return new Uint8Array(await res.arrayBuffer());
        }));
        diff = diffBlobs(a, b);
        // The same two generations object by object, where both recorded their objects.
        const objects = await kit.apiJson(c, `/v1/blob/diff?from=${from}&to=${to}`);
        if (objects.res.ok) objectDiff = objects.body;
      } catch (e) {
        if (e instanceof ConsoleError) diffError = e.message;
        else throw e;
      }
    }
    const rolledBack = c.req.query("rolledBack");
    const restored = c.req.query("objects");
    return kit.page(
      c,
      "Blob & history",
      (
        <>
          {rolledBack && (
            <p class="note" role="status">
              Rolled back: generation {rolledBack} now serves. {restored === undefined
                ? "The stored objects were not recorded for that generation and stay as they are."
                : `${restored} stored object(s) were restored to what it was compiled from.`}
            </p>
          )}
          {current
            ? (
              <dl class="card">
                <dt>Generation</dt>
                <dd id="current-generation">
                  {current.generation}
                  {current.rollbackOf ? ` (rollback of ${current.rollbackOf})` : ""}
                </dd>
                <dt>SHA-256</dt>
                <dd class="mono">{current.sha256}</dd>
                <dt>Size</dt>
                <dd>{current.size} bytes</dd>
                <dt>Created</dt>
                <dd>{current.createdAt} by {current.createdBy}</dd>
              </dl>
            )
            : <p>No blob has been compiled yet.</p>}
          <h2>Versions</h2>
          <DataTable columns={["Generation", "Created", "By", "Size", "SHA-256", "Actions"]}>
            {items.map((i) => (
              <tr>
                <td>
                  {i.generation}
                  {i.generation === h.current ? " (serving)" : ""}
                  {i.rollbackOf ? ` ↺${i.rollbackOf}` : ""}
                </td>
                <td>{i.createdAt}</td>
                <td>{i.createdBy}</td>
                <td>{i.size}</td>
                <td class="mono">{String(i.sha256).slice(0, 12)}…</td>
                <td>
                  {i.generation !== h.current && (
                    <a href={`/console/blob?from=${i.generation}&to=${h.current}`}>diff to serving</a>
                  )}
                  {i.generation !== h.current && kit.canWriteAll(c) && (
                    <>
                      ·{" "}
                      <a href={`/console/blob/rollback?generation=${i.generation}`}>
                        roll back to {i.generation}
                      </a>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
          <h2>Diff</h2>
          <form method="get" action="/console/blob" class="card">
            <div class="row">
              <div>
                <label for="from">From generation</label>
                <select id="from" name="from">
                  {gens.map((g) => <option value={String(g)} selected={g === from}>{g}</option>)}
                </select>
              </div>
              <div>
                <label for="to">To generation</label>
                <select id="to" name="to">
                  {gens.map((g) => <option value={String(g)} selected={g === to}>{g}</option>)}
                </select>
              </div>
            </div>
            <button type="submit">Compare</button>
          </form>
          {diffError && <div class="err">{diffError}</div>}
          {diff && <DiffView d={diff} />}
          {objectDiff && <ObjectDiff diff={objectDiff} />}
        </>
      ),
    );
  });
  return ui;
}
