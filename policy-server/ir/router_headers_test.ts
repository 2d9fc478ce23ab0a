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

Deno.test("routerHeaders() reads every unit and up to four parts of a duration, and nothing past that", () => {
  const timeout = (request: string) => {
    const problems: RuleProblem[] = [];
    const headers = routerHeaders({ timeouts: { request } }, "rule 1", problems);
    return problems.length
      ? problems.map((p) => [p.type, p.message])
      : headers.map((h) => "value" in h && h.value);
  };
  assertEquals(timeout("2h"), ["7200000"]);
  assertEquals(timeout("3m"), ["180000"]);
  assertEquals(timeout("4s"), ["4000"]);
  assertEquals(timeout("5ms"), ["5"]);
  assertEquals(timeout("1h1m1s1ms"), ["3661001"]);
  assertEquals(timeout("99999ms"), ["99999"]);
  assertEquals(timeout("0s"), ["0"]);
  for (const bad of ["1h1m1s1ms1h", "100000ms", "1d", "h", "1.5s", " 1s", "1s ", "s1", ""]) {
    assertEquals(timeout(bad), [["Accepted", `rule 1: timeouts.request "${bad}" is not a duration`]], bad);
  }
});

Deno.test("routerHeaders() retries once on 5xx when a retry names neither attempts nor codes", () => {
  const headers = (retry: unknown) =>
    routerHeaders({ retry } as never, "rule 0", []).map((h) => "value" in h ? [h.name, h.value] : []);
  assertEquals(headers({}), [["x-envoy-max-retries", "1"], ["x-envoy-retry-on", "5xx"]]);
  assertEquals(headers({ attempts: 0, codes: [] }), [["x-envoy-max-retries", "0"], [
    "x-envoy-retry-on",
    "5xx",
  ]]);
  assertEquals(headers({ codes: [502, 503] }), [
    ["x-envoy-max-retries", "1"],
    ["x-envoy-retry-on", "retriable-status-codes"],
    ["x-envoy-retriable-status-codes", "502,503"],
  ]);
  assertEquals(routerHeaders({}, "rule 0", []), []);
});

Deno.test("stickyKey() trims the annotation, takes token characters only, and says what it expects", () => {
  const route = (annotations?: Record<string, string>) =>
    ({ metadata: { name: "r", namespace: "ns", annotations } }) as unknown as HTTPRoute;
  const problems: RuleProblem[] = [];
  assertEquals(stickyKey(route(), problems), undefined);
  assertEquals(stickyKey(route({ other: "x" }), problems), undefined);
  assertEquals(stickyKey(route({ [STICKY_ANNOTATION]: " cookie:a.b~c " }), problems), {
    from: "cookie",
    name: "a.b~c",
  });
  assertEquals(problems.length, 0);
  for (const bad of ["header:", "cookie:a b", "header:a;b", "xheader:a", "header:a\nb", "Header:a"]) {
    assertEquals(stickyKey(route({ [STICKY_ANNOTATION]: bad }), problems), undefined, bad);
  }
  assertEquals(problems.map((p) => [p.type, p.reason]).slice(0, 1), [["Accepted", "UnsupportedValue"]]);
  assertEquals(
    problems[0].message,
    `annotation ${STICKY_ANNOTATION} "header:" must be header:NAME or cookie:NAME`,
  );
  assertEquals(problems.length, 6);
});
