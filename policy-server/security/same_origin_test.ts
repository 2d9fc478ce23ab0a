import { Hono } from "hono";
import { assertEquals } from "../../tests/assert.ts";
import { failureStatus, StatusError } from "../model/kube_status.ts";
import { hostName, sameOrigin } from "./same_origin.ts";
import type { SameOriginOptions } from "./same_origin.ts";

function guarded(hosts: SameOriginOptions["hosts"]) {
  const app = new Hono();
  app.use("*", sameOrigin({ hosts }));
  app.all("/", (c) => c.text("ok"));
  app.onError((e, c) => c.json(failureStatus((e as StatusError).status, e.message), 403));
  return app;
}
const status = async (app: Hono, method: string, headers: Record<string, string>) =>
  (await app.request("http://127.0.0.1:8080/", { method, headers })).status;

Deno.test("hostName() drops the port and brackets", () => {
  assertEquals(
    ["localhost:8080", "[::1]:80", "127.0.0.1", "Evil.Example:1"].map(hostName),
    ["localhost", "::1", "127.0.0.1", "evil.example"],
  );
});

Deno.test("sameOrigin() in loopback mode answers only loopback Hosts (DNS rebinding), reads included", async () => {
  const app = guarded("loopback");
  for (const host of ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "127.0.0.1"]) {
    assertEquals(await status(app, "GET", { Host: host }), 200, host);
  }
  for (const host of ["evil.example:8080", "127.0.0.1.evil.example", "192.168.1.2:8080"]) {
    assertEquals(await status(app, "GET", { Host: host }), 403, host);
  }
  assertEquals(await status(guarded("any"), "GET", { Host: "evil.example" }), 200);
});

Deno.test("sameOrigin() refuses cross-site writes by Origin and Sec-Fetch-Site, in every mode", async () => {
  for (const app of [guarded("loopback"), guarded("any")]) {
    const host = { Host: "127.0.0.1:8080" };
    assertEquals(await status(app, "POST", host), 200, "a script sends neither");
    assertEquals(await status(app, "POST", { ...host, Origin: "http://127.0.0.1:8080" }), 200);
    assertEquals(await status(app, "POST", { ...host, "Sec-Fetch-Site": "same-origin" }), 200);
    assertEquals(await status(app, "DELETE", { ...host, Origin: "https://evil.example" }), 403);
    assertEquals(await status(app, "PUT", { ...host, Origin: "null" }), 403);
    assertEquals(await status(app, "POST", { ...host, Origin: "http://127.0.0.1:3000" }), 403);
    assertEquals(await status(app, "POST", { ...host, "Sec-Fetch-Site": "cross-site" }), 403);
    assertEquals(await status(app, "POST", { ...host, "Sec-Fetch-Site": "same-site" }), 403);
    assertEquals(
      await status(app, "GET", { ...host, Origin: "https://evil.example" }),
      200,
      "reads are not writes",
    );
  }
});

const refusal = async (app: Hono, method: string, headers: Record<string, string>) => {
  const res = await app.request("http://127.0.0.1:8080/", { method, headers });
  return res.status === 200 ? undefined : (await res.json()).message;
};

Deno.test("hostName() trims and lower-cases, and keeps a bracketed address whole", () => {
  assertEquals(
    [" LocalHost:8080 ", "[::1]", "[::1]:", "host:", "[0:0:0:0:0:0:0:1]:8080", "example.com"].map(hostName),
    ["localhost", "::1", "::1", "host", "0:0:0:0:0:0:0:1", "example.com"],
  );
});

Deno.test("sameOrigin() says why it refuses a Host, an Origin or a Sec-Fetch-Site", async () => {
  const app = guarded("loopback");
  assertEquals(
    await refusal(app, "GET", { Host: "evil.example:8080" }),
    'Host "evil.example:8080" is refused: a server without tokens answers only requests for a loopback name ' +
      "(localhost, 127.0.0.1, [::1])",
  );
  const host = { Host: "127.0.0.1:8080" };
  assertEquals(
    await refusal(app, "PATCH", { ...host, "Sec-Fetch-Site": "cross-site" }),
    "a cross-site request may not change anything here (Sec-Fetch-Site)",
  );
  assertEquals(
    await refusal(app, "POST", { ...host, Origin: "https://evil.example" }),
    'a request from origin "https://evil.example" may not change anything here',
  );
});

Deno.test("sameOrigin() lets a typed URL's write through and compares Origin with Host case-insensitively", async () => {
  const app = guarded("loopback");
  assertEquals(await status(app, "POST", { Host: "127.0.0.1:8080", "Sec-Fetch-Site": "none" }), 200);
  assertEquals(await status(app, "POST", { Host: "LOCALHOST:8080", Origin: "http://localhost:8080" }), 200);
  assertEquals(await status(app, "PATCH", { Host: "localhost:8080", Origin: "http://localhost:9" }), 403);
  assertEquals(await status(app, "GET", { Host: "localhost:8080", "Sec-Fetch-Site": "cross-site" }), 200);
});

Deno.test("hostName() drops only a port at the end, and brackets only around the whole host", () => {
  assertEquals(["x[::1]:80", "[::1]:80x", "a:b:80", "[::1]x"].map(hostName), [
    "x[::1]",
    "[::1]:80x",
    "a:b",
    "[::1]x",
  ]);
});

Deno.test("sameOrigin() refuses a write from an Origin that is not a URL, saying which", async () => {
  const app = guarded("any");
  for (const origin of ["null", "not a url"]) {
    assertEquals(
      await refusal(app, "POST", { Host: "127.0.0.1:8080", Origin: origin }),
      `a request from origin "${origin}" may not change anything here`,
    );
  }
});
