/**
 * The object endpoints, Kubernetes-style:
 *
 * - `POST /v1/resources` (and `POST /v1/routes`, the same): any mix of HTTPRoutes, Gateways,
 *   ReferenceGrants, Services, ServiceImports and Namespaces as YAML (multi-document) or JSON; all
 *   stored or none, then everything is recompiled
 * - per kind, `{plural}` one of `httproutes`, `gateways`, `referencegrants`, `services`,
 *   `serviceimports`, `namespaces`: `GET /v1/{plural}` (`?namespace=` to narrow),
 *   `GET`, `PUT` and `DELETE /v1/{plural}/:namespace/:name` (`/v1/namespaces/:name` for Namespaces)
 * - `/v1/routes`, `/v1/routes/:namespace`, `/v1/routes/:namespace/:name`: the HTTPRoute endpoints
 *   under their first name
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { RESOURCE_KINDS } from "../model/resource_kinds.ts";
import type { ResourceKind } from "../model/resource_kinds.ts";
import { getObject, listObjects } from "./resource_reads.ts";
import type { ResourceApi } from "./resource_reads.ts";
import { createObjects, deleteObject, replaceObject } from "./resource_writes.ts";

export type { ResourceApi } from "./resource_reads.ts";

/** The object endpoints as a route group (mount it after the `/v1` guards). */
export function resourceRoutes(api: ResourceApi): Hono {
  const routes = new Hono();
  routes.post("/v1/resources", (c) => createObjects(api, c));
  routes.post("/v1/routes", (c) => createObjects(api, c));
  for (const kind of Object.values(RESOURCE_KINDS) as ResourceKind[]) {
    const base = `/v1/${kind.plural}`;
    const one = kind.namespaced ? `${base}/:namespace/:name` : `${base}/:name`;
    routes.get(base, (c) => listObjects(api, c, kind, c.req.query("namespace")));
    routes.get(one, (c) => getObject(api, c, kind, ...target(c, kind)));
    routes.put(one, (c) => replaceObject(api, c, kind, ...target(c, kind)));
    routes.delete(one, (c) => deleteObject(api, c, kind, ...target(c, kind)));
  }

  // The HTTPRoute endpoints' first name, which the README and existing clients use.
  const httpRoute = RESOURCE_KINDS.HTTPRoute as ResourceKind;
  const named = (c: Context) => [c.req.param("namespace")!, c.req.param("name")!] as const;
  routes.get("/v1/routes", (c) => listObjects(api, c, httpRoute, c.req.query("namespace")));
  routes.get("/v1/routes/:namespace", (c) => listObjects(api, c, httpRoute, c.req.param("namespace")));
  routes.get("/v1/routes/:namespace/:name", (c) => getObject(api, c, httpRoute, ...named(c)));
  routes.put("/v1/routes/:namespace/:name", (c) => replaceObject(api, c, httpRoute, ...named(c)));
  routes.delete("/v1/routes/:namespace/:name", (c) => deleteObject(api, c, httpRoute, ...named(c)));
  return routes;
}

/** Namespace and name from the path; cluster-scoped objects are stored under namespace "". */
const target = (c: Context, kind: ResourceKind) =>
  [kind.namespaced ? c.req.param("namespace")! : "", c.req.param("name")!] as const;
