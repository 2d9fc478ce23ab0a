/** @jsxImportSource hono/jsx */
/**
 * `/console/blob/rollback`: what a rollback will do (the API's dry run), then the rollback.
 *
 * @module
 */
import { Hono } from "hono";
import { ConsoleError } from "../console_error.ts";
import type { ConsoleKit, Json } from "../console_kit.tsx";
import { RollbackPreview } from "../rollback_views.tsx";

/** The confirmation page and the rollback it posts. */
export function rollbackPage(kit: ConsoleKit): Hono {
  const ui = new Hono();
  ui.get("/blob/rollback", async (c) => {
    const generation = Number(c.req.query("generation"));
    if (!Number.isInteger(generation) || generation < 1) {
      throw new ConsoleError(400, "generation must be a number ≥ 1");
    }
    if (!kit.canWriteAll(c)) {
      throw new ConsoleError(403, "A rollback takes an operator token for every namespace.");
    }
    const h = await kit.need(c, "/v1/blob/history");
    const target = (h.items as Json[]).find((i) => i.generation === generation);
    if (!target) throw new ConsoleError(404, `generation ${generation} is not in the history`);
    // The API's dry run says what the rollback will do, object by object.
    const { res: dryRes, body: dry } = await kit.apiJson(c, "/v1/blob/rollback?dryRun=All", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ generation }),
    });
    if (!dryRes.ok) throw new ConsoleError(dryRes.status, dry.message ?? `HTTP ${dryRes.status}`);
    return kit.page(
      c,
      `Roll back to generation ${generation}?`,
      (
        <div class="card">
          <p>
            Generation {generation} ({target.createdAt}, by {target.createdBy}, sha256{" "}
            <span class="mono">{String(target.sha256).slice(0, 12)}…</span>) will serve again as a new
            generation, replacing generation {h.current}, together with the objects it was compiled from.
          </p>
          <p>
            <a href={`/console/blob?from=${h.current}&to=${generation}`}>See what changes in the rules</a>
          </p>
          <RollbackPreview dry={dry} />
          <form method="post" action="/console/blob/rollback">
            <input type="hidden" name="_csrf" value={c.get("consoleSession").csrf} />
            <input type="hidden" name="generation" value={String(generation)} />
            <button type="submit" class="danger">Roll back to generation {generation}</button>
            <a href="/console/blob">Cancel</a>
          </form>
        </div>
      ),
    );
  });

  ui.post("/blob/rollback", async (c) => {
    const form = await c.req.parseBody();
    const generation = Number(form.generation);
    const { res, body } = await kit.apiJson(c, "/v1/blob/rollback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ generation }),
    });
    if (!res.ok) throw new ConsoleError(res.status, body.message ?? `HTTP ${res.status}`);
    const restored = body.objectsRecorded ? `&objects=${(body.objects ?? []).length}` : "";
    return c.redirect(`/console/blob?rolledBack=${body.generation}${restored}`, 303);
  });
  return ui;
}
