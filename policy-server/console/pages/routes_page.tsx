/** @jsxImportSource hono/jsx */
/**
 * `/console`: the HTTPRoutes the caller may read, with their parents' conditions, a page at a time.
 *
 * @module
 */
import { Hono } from "hono";
import type { ConsoleKit, Json } from "../console_kit.tsx";
import { Cond, cond, DataTable, parentLabel } from "../layout.tsx";

/** Routes listed per page. */
export const PAGE_SIZE = 50;

/** The route list, `?namespace=` to narrow, `?page=` to turn. */
export function routesPage(kit: ConsoleKit): Hono {
  const ui = new Hono();
  ui.get("/", async (c) => {
    const ns = c.req.query("namespace")?.trim() || undefined;
    const pageNo = Math.max(1, Number(c.req.query("page")) || 1);
    const list = await kit.need(c, `/v1/httproutes${ns ? `?namespace=${encodeURIComponent(ns)}` : ""}`);
    const items: Json[] = list.items;
    items.sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`)
    );
    const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
    const shown = items.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
    const link = (p: number) =>
      `/console?${new URLSearchParams({ ...(ns && { namespace: ns }), page: String(p) })}`;
    return kit.page(
      c,
      "HTTPRoutes",
      (
        <>
          <form method="get" action="/console" class="card" role="search">
            <label for="namespace">Namespace</label>
            <input
              type="text"
              id="namespace"
              name="namespace"
              value={ns ?? ""}
              placeholder="all namespaces"
            />
            <button type="submit">Filter</button>
          </form>
          <p>
            {items.length} route{items.length === 1 ? "" : "s"}
            {ns ? ` in ${ns}` : ""}; page {pageNo} of {pages}.
          </p>
          <DataTable columns={["Route", "Parent", "Accepted", "ResolvedRefs"]}>
            {shown.flatMap((r) => {
              const parents: Json[] = r.status?.parents ?? [];
              const href = `/console/routes/${encodeURIComponent(r.metadata.namespace)}/${
                encodeURIComponent(r.metadata.name)
              }`;
              const rows = parents.length ? parents : [undefined];
              return rows.map((p, i) => (
                <tr>
                  <td>{i === 0 && <a href={href}>{r.metadata.namespace}/{r.metadata.name}</a>}</td>
                  <td class="mono">
                    {p
                      ? parentLabel(p.parentRef, r.metadata.namespace)
                      : (r.spec?.parentRefs ?? []).map((x: Json) => parentLabel(x, r.metadata.namespace))
                        .join(", ") || "—"}
                  </td>
                  <Cond c={cond(p, "Accepted")} />
                  <Cond c={cond(p, "ResolvedRefs")} />
                </tr>
              ));
            })}
          </DataTable>
          <nav aria-label="Pages">
            {pageNo > 1 && <a href={link(pageNo - 1)} rel="prev">← previous</a>}{" "}
            {pageNo < pages && <a href={link(pageNo + 1)} rel="next">next →</a>}
          </nav>
        </>
      ),
    );
  });
  return ui;
}
