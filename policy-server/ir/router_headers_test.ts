import { assertEquals } from "../../tests/assert.ts";
import type { HTTPRoute } from "../model/types.ts";
import type { RuleProblem } from "./inventory.ts";
import { routerHeaders, STICKY_ANNOTATION, stickyKey } from "./router_headers.ts";

Deno.test("routerHeaders() turns timeouts and retries into the router's request headers", () => {
  const problems: RuleProblem[] = [];
  const headers = routerHeaders(
    { timeouts: { request: "1h30m", backendRequest: "250ms" }, retry: { attempts: 2, codes: [503] } },
    "rule 0",
    problems,
  );
  assertEquals(headers.map((h) => "value" in h ? [h.name, h.value] : []), [
    ["x-envoy-upstream-rq-timeout-ms", "5400000"],
    ["x-envoy-upstream-rq-per-try-timeout-ms", "250"],
    ["x-envoy-max-retries", "2"],
    ["x-envoy-retry-on", "retriable-status-codes"],
    ["x-envoy-retriable-status-codes", "503"],
  ]);
  assertEquals(problems, []);
});

Deno.test("routerHeaders() reports a duration it cannot read and sets nothing for it", () => {
  const problems: RuleProblem[] = [];
  assertEquals(routerHeaders({ timeouts: { request: "10 seconds" } }, "rule 3", problems), []);
  assertEquals(problems.map((p) => p.reason), ["UnsupportedValue"]);
});

Deno.test("stickyKey() reads header:NAME or cookie:NAME and reports anything else", () => {
  const route = (value: string) =>
    ({
      metadata: { name: "r", namespace: "ns", annotations: { [STICKY_ANNOTATION]: value } },
    }) as unknown as HTTPRoute;
  const problems: RuleProblem[] = [];
  assertEquals(stickyKey(route("header:X-User"), problems), { from: "header", name: "x-user" });
  assertEquals(stickyKey(route("cookie:Session"), problems), { from: "cookie", name: "Session" });
  assertEquals(stickyKey(route("query:id"), problems), undefined);
  assertEquals(problems.length, 1);
});
