/** @jsxImportSource hono/jsx */
/**
 * `/console/edit`: HTTPRoutes as YAML, checked (a dry run) or applied through the API.
 *
 * @module
 */
import { Hono } from "hono";
import { stringify } from "yaml";
import type { ConsoleKit } from "../console_kit.tsx";
import { warningTexts } from "../warning_texts.ts";
import { EditForm, EditOutcome } from "./edit_view.tsx";

/** The editor, empty or with `?namespace=&name=`'s route, and what a check or apply answered. */
export function editPage(kit: ConsoleKit): Hono {
  const ui = new Hono();
  ui.get("/edit", async (c) => {
    const ns = c.req.query("namespace"), name = c.req.query("name");
    let yaml = "";
    if (ns && name) {
      const r = await kit.need(c, `/v1/httproutes/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`);
      const { status: _s, ...obj } = r;
      const { managedFields: _m, creationTimestamp: _t, uid: _u, generation: _g, ...meta } = obj.metadata ??
        {};
      yaml = stringify({ ...obj, metadata: meta });
    }
    return kit.page(c, "Edit HTTPRoutes", <EditForm c={c} yaml={yaml} canWrite={kit.canWrite(c)} />);
  });

  ui.post("/edit", async (c) => {
    const form = await c.req.parseBody();
    const yaml = typeof form.yaml === "string" ? form.yaml : "";
    const apply = form.action === "apply";
    const fieldValidation = ["Strict", "Warn", "Ignore"].includes(String(form.fieldValidation))
      ? String(form.fieldValidation)
      : "Strict";
    const query = new URLSearchParams({ fieldValidation, ...(!apply && { dryRun: "All" }) });
    const { res, body } = await kit.apiJson(c, `/v1/resources?${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: yaml,
    });
    const warnings = warningTexts(res.headers);
    return kit.page(
      c,
      "Edit HTTPRoutes",
      (
        <>
          <EditOutcome ok={res.ok} apply={apply} body={body} warnings={warnings} />
          <EditForm c={c} yaml={yaml} canWrite={kit.canWrite(c)} fieldValidation={fieldValidation} />
        </>
      ),
      res.ok ? 200 : res.status === 403 ? 403 : 422,
    );
  });
  return ui;
}
