/**
 * `GET /v1/wasmplugin`: the Istio WasmPlugin (or TrafficExtension) that carries the serving blob,
 * YAML (default) or JSON; `?gateway=NS/NAME` for the flavour that serves only that Gateway's routes.
 *
 * @module
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { flavourOptions } from "../delivery/wasmplugin/flavours.ts";
import { pluginToYaml, renderPlugin } from "../delivery/wasmplugin/render_plugin.ts";
import type { WasmPluginOptions } from "../delivery/wasmplugin/render_wasmplugin.ts";
import type { Store } from "../store/store.ts";
import { gatewayQuery } from "./gateway_query.ts";
import { VERSION_HEADER } from "./version_header.ts";

export interface WasmPluginRoutesDeps {
  store: Store;
  /** How the WasmPlugin is rendered. */
  plugin?: WasmPluginOptions;
}

/** The WasmPlugin route as a route group (mount it after the `/v1` guards). */
export function wasmPluginRoutes({ store, plugin }: WasmPluginRoutesDeps): Hono {
  const app = new Hono();
  app.get("/v1/wasmplugin", async (c) => {
    const format = c.req.query("format") ??
      (c.req.header("Accept")?.includes("application/json") ? "json" : "yaml");
    if (format !== "json" && format !== "yaml") {
      throw new HTTPException(400, { message: `format "${format}" is not supported (json or yaml)` });
    }
    const blob = await store.currentBlob();
    if (!blob) throw new HTTPException(503, { message: "no blob has been compiled yet" });
    // ?gateway=NS/NAME renders the gateway flavour: beside the Gateway, serving only its routes.
    const ref = gatewayQuery(c.req.query("gateway"));
    const rendered = renderPlugin(blob, ref ? flavourOptions({ kind: "gateway", ...ref }, plugin) : plugin);
    c.header(VERSION_HEADER, String(blob.generation));
    if (format === "json") return c.json(rendered);
    c.header("Content-Type", "application/yaml; charset=utf-8");
    return c.body(pluginToYaml(rendered));
  });
  return app;
}
