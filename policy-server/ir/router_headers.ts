/**
 * What a rule asks of Envoy's router and of weighted picks: timeouts and retries as the request
 * headers the router honours from a filter, and the sticky-canary key (a wasmroute annotation).
 *
 * @module
 */
import type { HTTPRoute, HTTPRouteRule } from "../model/types.ts";
import type { RuleProblem } from "./inventory.ts";
import type { RouteAction, RouteFilter } from "./types.ts";

/** The annotation that turns on sticky canaries for a route's weighted rules. */
export const STICKY_ANNOTATION = "wasmroute.dev/sticky-key";

/** `header:NAME` or `cookie:NAME` from the route's annotation; a bad value is reported and ignored. */
export function stickyKey(route: HTTPRoute, problems: RuleProblem[]): RouteAction["sticky"] {
  const value = route.metadata.annotations?.[STICKY_ANNOTATION];
  if (value === undefined) return undefined;
  const m = /^(header|cookie):([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(value.trim());
  if (!m) {
    problems.push({
      type: "Accepted",
      reason: "UnsupportedValue",
      message: `annotation ${STICKY_ANNOTATION} "${value}" must be header:NAME or cookie:NAME`,
    });
    return undefined;
  }
  return { from: m[1] as "header" | "cookie", name: m[1] === "header" ? m[2].toLowerCase() : m[2] };
}

/** Gateway API's Duration: up to four number-unit pairs, e.g. `1h30m`, `500ms`. */
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

function durationMs(d: string): number | undefined {
  if (!DURATION.test(d)) return undefined;
  let ms = 0;
  for (const [, n, unit] of d.matchAll(/([0-9]+)(ms|h|m|s)/g)) ms += Number(n) * UNIT_MS[unit];
  return ms;
}

/**
 * Rule timeouts and retries, as request headers Envoy's router honours from a filter (it strips
 * them before forwarding): `request` → x-envoy-upstream-rq-timeout-ms ("0s" disables it, as in
 * Envoy), `backendRequest` → x-envoy-upstream-rq-per-try-timeout-ms, `retry.attempts` →
 * x-envoy-max-retries, `retry.codes` → x-envoy-retriable-status-codes. Envoy takes no backoff
 * from a header, so `retry.backoff` is not honoured (docs/architecture.md).
 */
export function routerHeaders(rule: HTTPRouteRule, where: string, problems: RuleProblem[]): RouteFilter[] {
  const out: RouteFilter[] = [];
  const set = (name: string, value: string) => out.push({ kind: "RequestHeaderSet", name, value });
  const timeouts = rule.timeouts as { request?: string; backendRequest?: string } | undefined;
  for (
    const [field, header] of [["request", "x-envoy-upstream-rq-timeout-ms"], [
      "backendRequest",
      "x-envoy-upstream-rq-per-try-timeout-ms",
    ]] as const
  ) {
    const value = timeouts?.[field];
    if (value === undefined) continue;
    const ms = durationMs(value);
    if (ms === undefined) {
      problems.push({
        type: "Accepted",
        reason: "UnsupportedValue",
        message: `${where}: timeouts.${field} "${value}" is not a duration`,
      });
    } else set(header, String(ms));
  }
  const retry = rule.retry as { attempts?: number; codes?: number[] } | undefined;
  if (retry) {
    set("x-envoy-max-retries", String(retry.attempts ?? 1));
    if (retry.codes?.length) {
      set("x-envoy-retry-on", "retriable-status-codes");
      set("x-envoy-retriable-status-codes", retry.codes.join(","));
    } else set("x-envoy-retry-on", "5xx");
  }
  return out;
}
