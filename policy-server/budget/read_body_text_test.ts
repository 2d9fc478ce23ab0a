import { Hono } from "hono";
import { assertEquals } from "../../tests/assert.ts";
import { failureStatus } from "../model/kube_status.ts";
import { ResourceError } from "../model/resource_error.ts";
import { StatusError } from "../model/kube_status.ts";
import { readBodyText } from "./read_body_text.ts";

function app(): Hono {
  const app = new Hono();
  app.post("/", async (c) => c.text(await readBodyText(c)));
  app.onError((e, c) => {
    const code = e instanceof ResourceError || e instanceof StatusError ? e.status : 500;
    return c.json(failureStatus(code, e.message), code as 400);
  });
  return app;
}
const post = (body: BodyInit, type?: string) =>
  app().request("/", { method: "POST", body, headers: type ? { "Content-Type": type } : {} });

Deno.test("readBodyText() gives the text of a JSON or YAML body", async () => {
  assertEquals(await (await post('{"a": "é"}', "application/json")).text(), '{"a": "é"}');
  assertEquals(await (await post("a: b\n", "application/yaml")).text(), "a: b\n");
});

Deno.test("readBodyText() refuses bytes that are not UTF-8 instead of storing U+FFFD", async () => {
  const res = await post(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe]), "application/yaml");
  assertEquals([res.status, (await res.json()).message], [400, "the body is not valid UTF-8"]);
});

Deno.test("readBodyText() answers 415 for a body that is not JSON or YAML, before reading it", async () => {
  assertEquals((await post("{}", "text/plain")).status, 415);
  assertEquals((await post(new Blob(["{}"]))).status, 415);
});

Deno.test("readBodyText() refuses deep nesting before the parser sees it", async () => {
  const res = await post("[".repeat(10_000), "application/json");
  assertEquals(res.status, 400);
});
