/** @jsxImportSource hono/jsx */
// Server-rendered once per request: list keys would do nothing.
// deno-lint-ignore-file jsx-key
/**
 * `/console/routes/:namespace/:name`: one HTTPRoute, its status per parent and its rules.
 *
 * @module
 */
import { Hono } from "hono";
import { denial } from "../../security/principal.ts";
import type { ConsoleKit, Json } from "../console_kit.tsx";
import { parentLabel } from "../layout.tsx";
import { RestoredNotice } from "../rollback_views.tsx";
import { RuleCard, StatusTable } from "./route_view.tsx";

/** One route's page; a notice when a rollback restored it. */
export function routePage(kit: ConsoleKit): Hono {
  const ui = new Hono();
  ui.get("/routes/:namespace/:name", async (c) => {
    const { namespace, name } = c.req.param();
    const r = await kit.need(
      c,
      `/v1/httproutes/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`,
    );
    const rules: Json[] = r.spec?.rules ?? [];
    // The history takes a token for every namespace; without one there is just no notice.
    const readsAll = !denial(c.get("consoleSession").principal, { verb: "readAll" });
    const history = readsAll ? (await kit.apiJson(c, "/v1/blob/history")).body : undefined;
    const current = (history?.items as Json[] | undefined)?.find((i) => i.generation === history?.current);
    return kit.page(
      c,
      `HTTPRoute ${namespace}/${name}`,
      (
        <>
          <RestoredNotice route={r} current={current} />
          <p>
            Hostnames: <span class="mono">{(r.spec?.hostnames ?? []).join(", ") || "(any)"}</span> · parents:
            {" "}
            <span class="mono">
              {(r.spec?.parentRefs ?? []).map((p: Json) => parentLabel(p, namespace)).join(", ")}
            </span>
            {kit.canWrite(c) && (
              <>
                ·{" "}
                <a
                  href={`/console/edit?namespace=${encodeURIComponent(namespace)}&name=${
                    encodeURIComponent(name)
                  }`}
                >
                  Edit
                </a>
              </>
            )}
          </p>
          <h2>Status</h2>
          <StatusTable parents={r.status?.parents ?? []} namespace={namespace} />
          <h2>Rules</h2>
          {rules.map((rule, i) => <RuleCard rule={rule} index={i} namespace={namespace} />)}
        </>
      ),
    );
  });
  return ui;
}
