/**
 * `Accept: application/yaml` for every JSON answer, Status errors included, as kubectl's
 * `-o yaml` users expect.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { stringify } from "yaml";

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml"];
const JSON_TYPES = ["application/json"];

/**
 * Whether `accept` prefers YAML to JSON: a YAML type is listed with a higher quality than any JSON
 * type (or `*\/*`), or with the same quality but first.
 */
export function prefersYaml(accept: string | undefined): boolean {
  if (!accept) return false;
  let best: { yaml: boolean; q: number } | undefined;
  for (const range of accept.split(",")) {
    const [type, ...params] = range.split(";").map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const yaml = YAML_TYPES.includes(type);
    if (!yaml && !JSON_TYPES.includes(type) && type !== "*/*" && type !== "application/*") continue;
    if (!best || q > best.q) best = { yaml, q };
  }
  return best?.yaml ?? false;
}

/** Re-encodes JSON answers as YAML when the request prefers it. */
export function yamlResponses(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const type = c.res.headers.get("Content-Type") ?? "";
    if (!type.startsWith("application/json") || !c.res.body) return;
    // The same URL answers JSON or YAML by Accept: caches (and ETags) must tell them apart.
    c.res.headers.append("Vary", "Accept");
    if (!prefersYaml(c.req.header("Accept"))) return;
    const value = await c.res.json();
    const headers = new Headers(c.res.headers);
    headers.set("Content-Type", "application/yaml; charset=utf-8");
    headers.delete("Content-Length");
    // Keys stay in the order the JSON had; no line folding, so long messages survive copy-paste.
    c.res = new Response(stringify(value, { lineWidth: 0 }), { status: c.res.status, headers });
  };
}
