import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { httpExchange, parseResponse } from "./http_exchange.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("parseResponse reads the status, header pairs in order with repeats, and a chunked body", () => {
  const r = parseResponse(
    bytes(
      "HTTP/1.1 302 Found\r\nLocation: /x\r\nX-A: 1\r\nx-a: 2\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    ),
  );
  assertEquals(r.status, 302);
  assertEquals(r.headers, [["location", "/x"], ["x-a", "1"], ["x-a", "2"], ["transfer-encoding", "chunked"]]);
  assertEquals(r.body, "abcde");
});

Deno.test("parseResponse refuses a response without a complete head", () => {
  assertThrows(() => parseResponse(bytes("HTTP/1.1 200 OK\r\nX: 1")), Error, "incomplete HTTP response");
});

Deno.test("httpExchange sends :authority as Host and repeated headers as separate lines; HEAD answers end at the head", async () => {
  let seen: [string, string][] = [];
  let method = "";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    seen = [...req.headers];
    method = req.method;
    return new Response("hello", { headers: { "x-b": "1" } });
  });
  try {
    const r = await httpExchange(server.addr.port, [
      [":method", "POST"],
      [":path", "/p?q=1"],
      [":authority", "svc:8080"],
      ["x-a", "1"],
      ["x-a", "2"],
    ], "body");
    assertEquals([r.status, r.body, method], [200, "hello", "POST"]);
    assertEquals(seen.find(([k]) => k === "host")?.[1], "svc:8080");
    assertEquals(seen.find(([k]) => k === "x-a")?.[1], "1, 2");
    const head = await httpExchange(server.addr.port, [[":method", "HEAD"], [":path", "/"], [
      ":authority",
      "svc",
    ]]);
    assertEquals([head.status, head.body], [200, ""]);
  } finally {
    await server.shutdown();
  }
});
