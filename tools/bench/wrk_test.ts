import { assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import { findWrk, parseWrkOutput, rawRequest, runWrk, wrkScript } from "./wrk.ts";

Deno.test("rawRequest() writes a keep-alive HTTP/1.1 request, :authority as Host", () => {
  assertEquals(
    rawRequest([[":authority", "a.example"], [":path", "/x?q=1"], [":method", "GET"], ["x-t", "v"]]),
    "GET /x?q=1 HTTP/1.1\r\nHost: a.example\r\nx-t: v\r\n\r\n",
  );
});

Deno.test("wrkScript() quotes requests for Lua and paces only when asked", () => {
  const script = wrkScript(['GET /"\\ HTTP/1.1\r\n\r\n']);
  assertMatch(script, /"GET \/\\"\\\\ HTTP\/1\.1\\r\\n\\r\\n",/);
  assertEquals(script.includes("delay ="), false);
  assertMatch(wrkScript(["x"], 10), /delay = function\(\) return math\.floor\(-10 \* math\.log/);
  assertThrows(() => wrkScript(["caf\u00e9"]), RangeError);
});

Deno.test("parseWrkOutput() reads the done() line", () => {
  const r = parseWrkOutput(
    'Running 1s test\nWRK_JSON {"requests":2000,"duration_us":2000000,"errors":1,"non2xx":0,"p50":80,"p99":300,"mean":95.5}\n',
  );
  assertEquals(r, {
    requests: 2000,
    seconds: 2,
    perSecond: 1000,
    p50Us: 80,
    p99Us: 300,
    meanUs: 95.5,
    errors: 1,
    non2xx: 0,
  });
});

const wrk = await findWrk();

Deno.test({
  name: "runWrk() loads a server and reads wrk's results",
  ignore: !wrk,
  async fn() {
    const ac = new AbortController();
    let seen = 0;
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
      (req) => {
        seen++;
        return new Response(new URL(req.url).pathname === "/ok" ? "ok" : "no", {
          status: new URL(req.url).pathname === "/ok" ? 200 : 404,
        });
      },
    );
    try {
      const requests = [rawRequest([[":path", "/ok"]]), rawRequest([[":path", "/missing"]])];
      const r = await runWrk({
        wrk: wrk!,
        port: server.addr.port,
        requests,
        connections: 2,
        seconds: 1,
        delayMs: 5,
      });
      assertEquals(r.requests > 10 && r.requests <= seen, true, JSON.stringify(r));
      assertEquals(Math.abs(r.non2xx - r.requests / 2) <= 2, true, JSON.stringify(r));
      // Paced at 5 ms per connection: about 400 requests/s, far from what the server could do.
      assertEquals(r.perSecond < 500, true, JSON.stringify(r));
    } finally {
      ac.abort();
      await server.finished;
    }
  },
});
