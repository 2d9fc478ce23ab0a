import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { sampleGateway, sampleRoute, toYaml } from "../model/testing.ts";
import { bearer, expectStatus, withApp, withServer } from "../testing.ts";
import type { App } from "../testing.ts";
import type { TokenSpec } from "./parse_tokens.ts";
import { Hono } from "hono";
import { type AuthError, bearerAuth, principalOf, requireAccess } from "./bearer_auth.ts";
import { TokenVerifier } from "./token_verifier.ts";

const TOKENS: TokenSpec[] = [
  { name: "reader-apps", token: "r3ader-apps-0123456789", namespaces: ["apps"], role: "reader" },
  { name: "writer-apps", token: "wr1ter-apps-0123456789", namespaces: ["apps"], role: "writer" },
  { name: "operator-apps", token: "op-apps-0123456789", namespaces: ["apps"], role: "operator" },
  { name: "admin", token: "adm1n-0123456789abcdef", namespaces: ["*"], role: "operator" },
  { name: "viewer", token: "v1ewer-0123456789abcdef", namespaces: ["*"], role: "reader" },
];
const token = (name: string) => TOKENS.find((t) => t.name === name)!.token;

const post = (app: App, who: string, body: string) =>
  app.request("/v1/resources", {
    method: "POST",
    body,
    headers: bearer(token(who), { "Content-Type": "application/yaml" }),
  });
const get = (app: App, who: string, path: string) => app.request(path, { headers: bearer(token(who)) });

Deno.test("without tokens the API is open, and the caller is anonymous", async () => {
  await withApp(async ({ app, logs }) => {
    const res = await app.request("/v1/routes", {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: toYaml(sampleRoute()),
    });
    assertEquals(res.status, 201);
    const history = await (await app.request("/v1/blob/history")).json();
    assertEquals(history.items[0].createdBy, "anonymous");
    assertEquals(logs.filter((l) => l.msg === "request").map((l) => l.token), ["anonymous", "anonymous"]);
  });
});

Deno.test("with tokens: 401 without a token or with a bad one, as a Status with WWW-Authenticate", async () => {
  await withApp(async ({ app, store, logs, metrics }) => {
    for (
      const headers of [{}, { Authorization: "Bearer nope" }, { Authorization: "Basic YTpi" }, bearer("")]
    ) {
      const res = await app.request("/v1/routes", {
        method: "POST",
        body: toYaml(sampleRoute()),
        headers: { ...headers, "Content-Type": "application/yaml" },
      });
      assertEquals(res.headers.get("WWW-Authenticate"), 'Bearer realm="wasmroute"');
      const body = await expectStatus(res, 401, "Unauthorized");
      assertEquals(body.message.includes("nope"), false);
    }
    await expectStatus(await app.request("/v1/blob"), 401, "Unauthorized");
    assertEquals(await store.list(), []);
    assertEquals(metrics.authFailures.get({ reason: "unauthenticated" }), 5);
    // The filter module is a build artifact Istio fetches without a token.
    const module = await app.request("/v1/filter.wasm");
    await module.body?.cancel();
    assert(module.status !== 401 && module.status !== 403, `filter.wasm: ${module.status}`);
    // Probes, metrics and the API description need no token.
    for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"]) {
      const res = await app.request(path);
      await res.body?.cancel();
      assert(res.status === 200 || (path === "/readyz" && res.status === 503), `${path}: ${res.status}`);
    }
    // No log line carries a token, good or bad.
    const text = JSON.stringify(logs);
    assertEquals(text.includes("nope") || TOKENS.some((t) => text.includes(t.token)), false);
  }, { tokenSpecs: TOKENS });
});

Deno.test("writers write HTTPRoutes in their namespaces only; refusals are 403 and store nothing", async () => {
  await withApp(async ({ app, store }) => {
    assertEquals((await post(app, "writer-apps", toYaml(sampleRoute("web", "apps")))).status, 201);
    const other = await expectStatus(
      await post(app, "writer-apps", toYaml(sampleRoute("a", "apps"), sampleRoute("b", "shop"))),
      403,
      "Forbidden",
    );
    assertEquals(
      other.message,
      'httproutes.gateway.networking.k8s.io "b" is forbidden: token "writer-apps" (writer) may not write in namespace "shop"',
    );
    const gateway = await expectStatus(
      await post(app, "writer-apps", toYaml(sampleGateway("gw", "apps"))),
      403,
      "Forbidden",
    );
    assertMatch(gateway.message, /may not write Gateways; that takes the operator role/);
    await expectStatus(await post(app, "reader-apps", toYaml(sampleRoute("c", "apps"))), 403, "Forbidden");
    await expectStatus(
      await app.request("/v1/httproutes/apps/web", {
        method: "DELETE",
        headers: bearer(token("reader-apps")),
      }),
      403,
      "Forbidden",
    );
    assertEquals((await store.list()).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), [
      "HTTPRoute apps/web",
    ]);
    // Operators write Gateways in their namespaces.
    assertEquals((await post(app, "operator-apps", toYaml(sampleGateway("gw", "apps")))).status, 201);
  }, { tokenSpecs: TOKENS });
});

Deno.test("readers see their namespaces only: lists are filtered, other namespaces are 403", async () => {
  await withApp(async ({ app }) => {
    const res = await post(app, "admin", toYaml(sampleRoute("a", "apps"), sampleRoute("b", "shop")));
    assertEquals(res.status, 201);
    const names = async (path: string, who = "reader-apps") =>
      (await (await get(app, who, path)).json()).items.map((o: { metadata: { name: string } }) =>
        o.metadata.name
      );
    assertEquals(await names("/v1/routes"), ["a"]);
    assertEquals(await names("/v1/httproutes"), ["a"]);
    assertEquals(await names("/v1/routes", "viewer"), ["a", "b"]);
    assertEquals((await get(app, "reader-apps", "/v1/routes/apps/a")).status, 200);
    await expectStatus(await get(app, "reader-apps", "/v1/routes/shop/b"), 403, "Forbidden");
    // Forbidden before not found: a reader cannot probe other namespaces for names.
    await expectStatus(await get(app, "reader-apps", "/v1/routes/shop/nothing"), 403, "Forbidden");
    await expectStatus(await get(app, "reader-apps", "/v1/routes?namespace=shop"), 403, "Forbidden");
    await expectStatus(await get(app, "reader-apps", "/v1/routes/shop"), 403, "Forbidden");
    // The blob and the WasmPlugin hold every namespace's routes: a token for all namespaces reads them.
    await expectStatus(await get(app, "reader-apps", "/v1/blob"), 403, "Forbidden");
    await expectStatus(await get(app, "operator-apps", "/v1/wasmplugin"), 403, "Forbidden");
    assertEquals((await get(app, "viewer", "/v1/blob")).status, 200);
  }, { tokenSpecs: TOKENS });
});

Deno.test("rollbacks take an operator for every namespace", async () => {
  await withApp(async ({ app }) => {
    await (await post(app, "admin", toYaml(sampleRoute("a", "apps")))).body?.cancel();
    const rollback = (who: string) =>
      app.request("/v1/blob/rollback", {
        method: "POST",
        body: JSON.stringify({ generation: 1 }),
        headers: bearer(token(who), { "Content-Type": "application/json" }),
      });
    await expectStatus(await rollback("operator-apps"), 403, "Forbidden");
    await expectStatus(await rollback("viewer"), 403, "Forbidden");
    const res = await rollback("admin");
    assertEquals(res.status, 200);
    assertEquals((await res.json()).createdBy, "admin");
  }, { tokenSpecs: TOKENS });
});

Deno.test("over HTTP: a token is checked on a real server, and its name is logged, never the token", async () => {
  await withServer(async (base, { logs }) => {
    const denied = await fetch(`${base}/v1/routes`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: toYaml(sampleRoute("web", "apps")),
    });
    await expectStatus(denied, 401, "Unauthorized");
    const res = await fetch(`${base}/v1/routes`, {
      method: "POST",
      body: toYaml(sampleRoute("web", "apps")),
      headers: bearer(token("writer-apps"), { "Content-Type": "application/yaml" }),
    });
    assertEquals(res.status, 201);
    await res.body?.cancel();
    const requests = logs.filter((l) => l.msg === "request");
    assertEquals(requests.map((l) => [l.status, l.token]), [[401, undefined], [201, "writer-apps"]]);
    assertEquals(JSON.stringify(logs).includes(token("writer-apps")), false);
  }, { tokenSpecs: TOKENS });
});

Deno.test("authorisation comes before validation: an invalid object out of scope is a 403, not a 422", async () => {
  await withApp(async ({ app }) => {
    const bad = sampleRoute("bad", "shop");
    bad.spec.rules![0].backendRefs![0].port = 0;
    await expectStatus(await post(app, "writer-apps", toYaml(bad)), 403, "Forbidden");
    await expectStatus(
      await post(app, "reader-apps", toYaml({ ...bad, metadata: { name: "bad" } })),
      403,
      "Forbidden",
    );
    const put = await app.request("/v1/httproutes/shop/bad", {
      method: "PUT",
      body: "{",
      headers: bearer(token("writer-apps"), { "Content-Type": "application/json" }),
    });
    await expectStatus(put, 403, "Forbidden");
    // In scope, the same object is judged on its fields.
    await expectStatus(
      await post(app, "writer-apps", toYaml({ ...bad, metadata: { name: "bad", namespace: "apps" } })),
      422,
      "Invalid",
    );
  }, { tokenSpecs: TOKENS });
});

/** A bare app behind bearerAuth that answers with the caller's name, or the refusal's status and message. */
function guardedBy(verifier: TokenVerifier | undefined) {
  const app = new Hono();
  app.use("*", bearerAuth({ verifier }));
  app.get("/", (c) => c.text(principalOf(c).name));
  app.get(
    "/gateways",
    (c) => c.text(requireAccess(c, { verb: "write", kind: "Gateway", namespace: "apps" }).name),
  );
  app.get("/rollback", (c) => c.text(requireAccess(c, { verb: "writeAll" }, "rolling back").name));
  app.onError((e, c) => c.text(`${(e as AuthError).status} ${e.message}`));
  return async (path: string, authorization?: string) =>
    await (await app.request(path, { headers: authorization ? { Authorization: authorization } : {} }))
      .text();
}

Deno.test("bearerAuth() reads the Bearer scheme in any case, with spaces or tabs around the one token", async () => {
  const call = guardedBy(await TokenVerifier.create(TOKENS));
  const good = token("writer-apps");
  for (const header of [`Bearer ${good}`, `bearer ${good}`, `BEARER\t${good}`, `Bearer   ${good} \t`]) {
    assertEquals(await call("/", header), "writer-apps", JSON.stringify(header));
  }
  const invalid = "401 Unauthorized: the bearer token is not valid";
  for (
    const header of [`Bearer ${good} x`, `XBearer ${good}`, `Bearer${good}`, good, `Basic ${good}`, "Bearer "]
  ) {
    assertEquals(await call("/", header), invalid, JSON.stringify(header));
  }
  assertEquals(await call("/"), "401 Unauthorized: an Authorization: Bearer <token> header is required");
});

Deno.test("bearerAuth() refusals are AuthErrors by name, as logs show them", async () => {
  const app = new Hono();
  app.use("*", bearerAuth({ verifier: await TokenVerifier.create(TOKENS) }));
  app.get("/", (c) => c.text("in"));
  app.onError((e, c) => c.text(e.name));
  assertEquals(await (await app.request("/")).text(), "AuthError");
});

Deno.test("requireAccess() refuses with 403 and the denial, after what was asked when it says", async () => {
  const call = guardedBy(await TokenVerifier.create(TOKENS));
  assertEquals(
    await call("/gateways", `Bearer ${token("writer-apps")}`),
    '403 forbidden: token "writer-apps" (writer) may not write Gateways; that takes the operator role',
  );
  assertEquals(await call("/gateways", `Bearer ${token("operator-apps")}`), "operator-apps");
  assertEquals(
    await call("/rollback", `Bearer ${token("operator-apps")}`),
    '403 rolling back is forbidden: token "operator-apps" (operator) may not change what every namespace\'s routes ' +
      'compile to; that takes namespaces ["*"]',
  );
  assertEquals(await call("/rollback", `Bearer ${token("admin")}`), "admin");
});

Deno.test("bearerAuth() without tokens lets everyone in as the anonymous operator", async () => {
  const call = guardedBy(undefined);
  assertEquals([await call("/"), await call("/rollback", "Bearer anything")], ["anonymous", "anonymous"]);
});
