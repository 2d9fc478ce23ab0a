/**
 * The console's pages over `app.request()`: what each shows, who may change what, CSRF and origin
 * checks, and a 1,000-route listing.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { withApp } from "../../policy-server/testing.ts";
import type { App } from "../../policy-server/testing.ts";
import type { TokenSpec } from "../../policy-server/security/parse_tokens.ts";

const SEED = await Deno.readTextFile(new URL("../../examples/header-routing/routes.yaml", import.meta.url));
const TOKENS: TokenSpec[] = [
  { name: "ops", token: "ops-secret-token", namespaces: ["*"], role: "operator" },
  { name: "viewer", token: "viewer-secret-token", namespaces: ["*"], role: "reader" },
];

/** A browser-like client: keeps cookies, reads the CSRF token from forms. */
class Client {
  cookies = new Map<string, string>();
  csrf = "";
  constructor(readonly app: App) {}
  async req(path: string, init: RequestInit = {}): Promise<{ res: Response; html: string }> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await this.app.request(path, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      const value = pair.slice(at + 1);
      if (value === "" || /Max-Age=0/i.test(line)) this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), value);
    }
    const html = await res.text();
    const m = /name="_csrf" value="([0-9a-f]+)"/.exec(html);
    if (m) this.csrf = m[1];
    return { res, html };
  }
  post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.req(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ _csrf: this.csrf, ...fields }),
    });
  }
  async login(token: string) {
    await this.req("/console/login");
    const { res } = await this.post("/console/login", { token, next: "/console" });
    assertEquals(res.status, 303);
    await this.req("/console");
  }
}

Deno.test("console, open mode: routes, edit (dry run, apply), try, blob diff and rollback", async () => {
  await withApp(async ({ app }) => {
    const c = new Client(app);
    let { res, html } = await c.req("/console");
    assertEquals(res.status, 200);
    assert(html.includes("0 routes"), html);
    assert(html.includes('name="viewport"'));
    await c.req("/console/edit");

    // Dry run: invalid YAML shows each error at its field path.
    ({ res, html } = await c.post("/console/edit", {
      yaml: SEED.replace("port: 80\n  rules", "port: 99999\n  rules"),
      action: "dryrun",
    }));
    assertEquals(res.status, 422, html);
    assert(html.includes("spec.parentRefs[0].port"), html);

    ({ res, html } = await c.post("/console/edit", { yaml: SEED, action: "dryrun" }));
    assertEquals(res.status, 200, html);
    assert(html.includes("Valid (dry run"), html);
    assert((await c.req("/console")).html.includes("0 routes"), "a dry run stores nothing");

    ({ res, html } = await c.post("/console/edit", { yaml: SEED, action: "apply" }));
    assertEquals(res.status, 200, html);
    assert(html.includes("Applied"), html);

    ({ html } = await c.req("/console"));
    assert(html.includes("devopssong/my-server-route"), html);
    assert(html.includes("Accepted"), html);
    assert(/class="ok">True<\/span> <span class="mono">Accepted/.test(html), html);

    ({ res, html } = await c.req("/console/routes/devopssong/my-server-route"));
    assertEquals(res.status, 200);
    assert(html.includes("header version = new"), html);
    assert(html.includes("devopssong/my-server-v2:80"), html);
    assert(html.includes("width:100.00%"), html);

    ({ res, html } = await c.req("/console/try?method=GET&host=my-server&path=%2F&headers=version%3A+new"));
    assertEquals(res.status, 200, html);
    assert(html.includes("devopssong/my-server-v2:80"), html);
    assert(html.includes("rule 0"), html);
    ({ html } = await c.req("/console/try?host=my-server&path=%2F&headers=bad+line"));
    assert(html.includes("write it as"), html);

    // A second version, then the diff and a rollback.
    await c.post("/console/edit", { yaml: SEED.replace('value: "new"', 'value: "beta"'), action: "apply" });
    ({ html } = await c.req("/console/blob"));
    assert(html.includes("changed devopssong/my-server-route#0"), html);
    assert(html.includes("HeaderExact version=beta"), html);
    const gens = [...html.matchAll(/roll back to (\d+)/g)].map((m) => Number(m[1]));
    assert(gens.length > 0, html);
    ({ res, html } = await c.req(`/console/blob/rollback?generation=${gens[0]}`));
    assertEquals(res.status, 200);
    assert(html.includes("Roll back to generation"), html);
    ({ res } = await c.post("/console/blob/rollback", { generation: String(gens[0]) }));
    assertEquals(res.status, 303);
    ({ html } = await c.req(res.headers.get("Location")!));
    assert(html.includes("Rolled back"), html);
    ({ html } = await c.req("/console/try?host=my-server&path=%2F&headers=version%3A+new"));
    assert(html.includes("devopssong/my-server-v2:80"), "the rollback serves version: new again");
  });
});

Deno.test("console: CSRF token and Origin are checked on POST", async () => {
  await withApp(async ({ app }) => {
    const c = new Client(app);
    await c.req("/console/edit");
    let { res } = await c.post("/console/edit", { yaml: SEED, action: "apply", _csrf: "0".repeat(64) });
    assertEquals(res.status, 403);
    ({ res } = await c.post("/console/edit", { yaml: SEED, action: "apply", _csrf: "" }));
    assertEquals(res.status, 403);
    ({ res } = await c.post("/console/edit", { yaml: SEED, action: "apply" }, {
      Origin: "https://evil.example",
    }));
    assertEquals(res.status, 403);
    ({ res } = await c.post("/console/edit", { yaml: SEED, action: "dryrun" }, {
      "Sec-Fetch-Site": "cross-site",
    }));
    assertEquals(res.status, 403);
    // Another session's token does not work here.
    const other = new Client(app);
    await other.req("/console/edit");
    ({ res } = await c.post("/console/edit", { yaml: SEED, action: "dryrun", _csrf: other.csrf }));
    assertEquals(res.status, 403);
    ({ res } = await c.post("/console/edit", { yaml: SEED, action: "dryrun" }, {
      Origin: "http://localhost",
    }));
    assertEquals(res.status, 200);
  });
});

Deno.test("console with tokens: login, cookies, readers see but cannot change", async () => {
  await withApp(async ({ app }) => {
    const anon = new Client(app);
    let { res, html } = await anon.req("/console");
    assertEquals(res.status, 303);
    assert(res.headers.get("Location")!.startsWith("/console/login"));
    await anon.req("/console/login");
    ({ res } = await anon.post("/console/login", { token: "wrong" }));
    assertEquals(res.status, 401);

    const ops = new Client(app);
    await ops.req("/console/login");
    ({ res } = await ops.post("/console/login", {
      token: "ops-secret-token",
      next: "https://evil.example/",
    }));
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("Location"), "/console");
    // The cookie holds a random session id, not the token, and expires.
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith("wasmroute_console_session="))!;
    assert(
      /HttpOnly/i.test(cookie) && /SameSite=Strict/i.test(cookie) && /Max-Age=\d+/i.test(cookie),
      cookie,
    );
    assert(!cookie.includes("ops-secret-token"), cookie);
    assertMatch(cookie, /^wasmroute_console_session=[0-9a-f]{64};/);
    await ops.req("/console/edit");
    ({ res } = await ops.post("/console/edit", { yaml: SEED, action: "apply" }));
    assertEquals(res.status, 200);
    await ops.post("/console/edit", { yaml: SEED.replace("my-server-v2", "my-server-v3"), action: "apply" });

    const viewer = new Client(app);
    await viewer.login("viewer-secret-token");
    ({ html } = await viewer.req("/console"));
    assert(html.includes("devopssong/my-server-route"));
    assert(html.includes("viewer (reader)"));
    ({ html } = await viewer.req("/console/edit"));
    assert(!html.includes('value="apply"'), "no Apply button for a reader");
    ({ html } = await viewer.req("/console/blob"));
    assert(!html.includes("roll back to"), "no rollback for a reader");
    ({ res } = await viewer.post("/console/edit", { yaml: SEED, action: "apply" }));
    assertEquals(res.status, 403);
    ({ res } = await viewer.post("/console/blob/rollback", { generation: "1" }));
    assertEquals(res.status, 403);
    ({ html } = await viewer.req("/console/routes/devopssong/my-server-route"));
    assert(!html.includes("/console/edit?namespace"), "no Edit link for a reader");

    // Pass-through Authorization works without cookies; a reader's POST is still refused.
    res = await app.request("/console/blob", { headers: { Authorization: "Bearer ops-secret-token" } });
    assertEquals(res.status, 200);
    res = await app.request("/console/edit", {
      method: "POST",
      headers: {
        Authorization: "Bearer viewer-secret-token",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ yaml: SEED, action: "apply" }),
    });
    assertEquals(res.status, 403);

    // Logout revokes the session on the server: the old cookie, replayed, is worth nothing.
    const stolen = new Map(viewer.cookies);
    ({ res } = await viewer.post("/console/logout", {}));
    assertEquals(res.status, 303);
    ({ res } = await viewer.req("/console"));
    assertEquals(res.status, 303);
    const replay = new Client(app);
    replay.cookies = stolen;
    ({ res } = await replay.req("/console"));
    assertEquals([res.status, res.headers.get("Location")?.startsWith("/console/login")], [303, true]);
  }, { tokenSpecs: TOKENS });
});

Deno.test("console: 1,000 routes list fast, 50 a page, filtered by namespace", async () => {
  await withApp(async ({ app }) => {
    const docs: string[] = [];
    for (let i = 0; i < 1000; i++) {
      docs.push(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r${String(i).padStart(4, "0")}, namespace: ns${i % 4}}
spec:
  parentRefs: [{name: web, kind: Service, group: "", port: 80}]
  hostnames: ["h${i}.example.com"]
  rules: [{backendRefs: [{name: web, port: 80}]}]`);
    }
    for (const part of [docs.slice(0, 500), docs.slice(500)]) {
      const put = await app.request("/v1/resources", {
        method: "POST",
        headers: { "Content-Type": "application/yaml" },
        body: part.join("\n---\n"),
      });
      assertEquals(put.status, 201, await put.text());
    }
    await app.request("/console"); // warm up
    const t0 = performance.now();
    const res = await app.request("/console");
    const html = await res.text();
    const ms = performance.now() - t0;
    assertEquals(res.status, 200);
    assert(ms < 1000, `rendered in ${ms.toFixed(0)} ms`);
    assert(html.includes("1000 routes"));
    assertEquals([...html.matchAll(/href="\/console\/routes\//g)].length, 50);
    assert(html.includes("page 1 of 20"));
    const ns = await (await app.request("/console?namespace=ns1&page=5")).text();
    assert(ns.includes("250 routes in ns1") && ns.includes("page 5 of 5"), ns.slice(0, 2000));
    assert(ns.includes("ns1/r0801"));
  });
});

Deno.test("console: the dry run refuses a typo'd field, and under Warn shows the API's warnings", async () => {
  await withApp(async ({ app }) => {
    const c = new Client(app);
    await c.req("/console/edit");
    const typo = SEED.replace("headers:", "header:");
    let { res, html } = await c.post("/console/edit", { yaml: typo, action: "dryrun" });
    assertEquals(res.status, 422, html);
    assert(
      html.includes("strict decoding error: unknown field &quot;spec.rules[0].matches[0].header&quot;"),
      html,
    );
    ({ res, html } = await c.post("/console/edit", {
      yaml: typo,
      action: "dryrun",
      fieldValidation: "Warn",
    }));
    assertEquals(res.status, 200, html);
    assert(html.includes("Valid (dry run"), html);
    assert(html.includes("Warning: unknown field &quot;spec.rules[0].matches[0].header&quot;"), html);
    assert(/<option value="Warn" selected/.test(html), "the chosen directive stays selected");
  });
});

Deno.test("console: a rollback shows its object changes before confirming, and the restored route says so", async () => {
  await withApp(async ({ app }) => {
    const c = new Client(app);
    await c.req("/console/edit");
    await c.post("/console/edit", { yaml: SEED, action: "apply" });
    const first = Number(/id="current-generation">\s*(\d+)/.exec((await c.req("/console/blob")).html)![1]);
    await c.post("/console/edit", { yaml: SEED.replace('value: "new"', 'value: "beta"'), action: "apply" });

    let { res, html } = await c.req("/console/blob");
    assert(html.includes(`Objects changed from generation ${first} to ${first + 1} (1)`), html);
    assert(html.includes("devopssong/my-server-route</span>: changed"), html);

    ({ res, html } = await c.req(`/console/blob/rollback?generation=${first}`));
    assertEquals(res.status, 200, html);
    assert(html.includes("Objects the rollback changes (1)"), html);
    assert(html.includes("devopssong/my-server-route</span>: written back as it was"), html);
    assert(/class="del">- +value: beta/.test(html) && /class="add">\+ +value: new/.test(html), html);

    ({ res } = await c.post("/console/blob/rollback", { generation: String(first) }));
    ({ html } = await c.req(res.headers.get("Location")!));
    assert(html.includes("1 stored object(s) were restored"), html);
    ({ html } = await c.req("/console/routes/devopssong/my-server-route"));
    assert(html.includes(`Restored by the rollback to generation ${first}`), html);
    assert(html.includes("header version = new"), "the page shows the restored rules");
  });
});

const BOOKINFO = `${
  ["reviews", "reviews-v1", "reviews-v2"].map((name) =>
    `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: bookinfo}
spec: {ports: [{name: http, port: 9080}]}
---
`
  ).join("")
}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews, namespace: bookinfo}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  rules:
  - matches: [{headers: [{name: end-user, value: jason}]}]
    backendRefs: [{name: reviews-v2, port: 9080}]
  - backendRefs: [{name: reviews-v1, port: 9080}]
`;

Deno.test("console: try a mesh route on port 9080, and a miss on port 80 says where the route is", async () => {
  await withApp(async ({ app }) => {
    const c = new Client(app);
    await c.req("/console/edit");
    const { res: applied, html: out } = await c.post("/console/edit", { yaml: BOOKINFO, action: "apply" });
    assertEquals(applied.status, 200, out);

    let { html } = await c.req(
      "/console/try?host=reviews&port=9080&path=%2Freviews%2F1&clientNamespace=bookinfo&headers=end-user%3A+jason",
    );
    assert(/id="try-backend" class="mono">bookinfo\/reviews-v2:9080</.test(html), html);
    assert(html.includes("picked"), html);
    assert(html.includes("matchedRoute: bookinfo/reviews"), "the check-routes test case");

    ({ html } = await c.req("/console/try?host=reviews%3A9080&path=%2F"));
    assert(/id="try-backend" class="mono">bookinfo\/reviews-v1:9080</.test(html), html);
    assert(html.includes("header end-user is missing"), html);

    ({ html } = await c.req("/console/try?host=reviews&path=%2F"));
    assert(html.includes("passed through"), html);
    assert(html.includes("a route for this host exists on port 9080 (Service bookinfo/reviews)"), html);
  });
});

const FRONTENDS = `${
  [["reviews", "10.96.0.20"], ["ratings", "10.96.0.21"], ["reviews-v1"], ["ratings-v1"]].map(([name, ip]) =>
    `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec: {${ip ? `clusterIP: ${ip}, ` : ""}ports: [{name: http, port: 9080}]}
---
`
  ).join("")
}${
  ["reviews", "ratings"].map((name) =>
    `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: ${name}, port: 9080}]
  rules:
  - backendRefs: [{name: ${name}-v1, port: 9080}]
`
  ).join("---\n")
}`;

Deno.test("console: a mesh request goes to its destination Service, whatever its Host, and the Why and test case say so", async () => {
  await withApp(async ({ app }) => {
    const c = new Client(app);
    await c.req("/console/edit");
    const { res: applied, html: out } = await c.post("/console/edit", { yaml: FRONTENDS, action: "apply" });
    assertEquals(applied.status, 200, out);

    let { html } = await c.req(
      "/console/try?host=reviews&port=9080&path=%2F&clientNamespace=shop&destinationService=ratings",
    );
    assertMatch(html, /id="try-backend" class="mono">shop\/ratings-v1:9080</);
    assertMatch(
      html,
      /id="try-destination">Destination: addressed to 10\.96\.0\.21:9080, a frontend of Service shop\/ratings/,
    );
    assertMatch(html, /the Host &quot;reviews&quot; names Service shop\/reviews, whose routes do not apply/);
    assertMatch(html, /destinationService: ratings\n/);
    assertMatch(html, /name="destinationService" value="ratings"/);

    // Without a destination: the Host's own Service, reached at its cluster IP.
    ({ html } = await c.req("/console/try?host=reviews&port=9080&path=%2F&clientNamespace=shop"));
    assertMatch(html, /id="try-backend" class="mono">shop\/reviews-v1:9080</);
    assertMatch(html, /addressed to 10\.96\.0\.20:9080/);

    // A pod's address: the Host decides.
    ({ html } = await c.req(
      "/console/try?host=ratings&port=9080&path=%2F&clientNamespace=shop&destinationService=reviews&destinationAddress=10.244.1.7",
    ));
    assertMatch(html, /id="try-backend" class="mono">shop\/ratings-v1:9080</);
    assertMatch(html, /10\.244\.1\.7:9080 is no Service&#39;s cluster IP/);
    assertMatch(html, /destinationAddress: 10\.244\.1\.7\n/);

    ({ html } = await c.req("/console/try?host=reviews&path=%2F&destinationService=ratings"));
    assertMatch(html, /role="alert">destination: only a mesh request has one/);
  });
});
