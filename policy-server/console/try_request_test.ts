import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { parse } from "yaml";
import { requestOf, SimInputError, testCaseOf } from "./try_request.ts";

Deno.test("requestOf takes the port from its field or from host:port", () => {
  assertEquals(requestOf({ host: "reviews", port: "9080", path: "/r" }).port, 9080);
  const split = requestOf({ host: "reviews:9080", path: "/r" });
  assertEquals([split.host, split.port], ["reviews", 9080]);
  assertEquals(requestOf({ host: "shop.example.com:8443", port: "443" }).port, 443, "the field wins");
  assertEquals(requestOf({ host: "shop.example.com" }).port, undefined);
  assertThrows(() => requestOf({ host: "a", port: "99999" }), SimInputError, "port");
  assertThrows(() => requestOf({ host: "a", port: "http" }), SimInputError, "port");
});

Deno.test("requestOf makes a request with a client namespace a mesh request to the Service host names", () => {
  const req = requestOf({
    host: "reviews",
    port: "9080",
    clientNamespace: "bookinfo",
    headers: "end-user: jason",
  });
  assertEquals(req.mesh, {
    clientNamespace: "bookinfo",
    destinationService: "reviews",
    destinationPort: 9080,
  });
  assertEquals(req.headers, [["end-user", "jason"]]);
  assertThrows(
    () => requestOf({ host: "reviews", clientNamespace: "Book Info" }),
    SimInputError,
    "namespace",
  );
});

Deno.test("testCaseOf writes the request and what the filter did as a check-routes test", () => {
  const req = requestOf({ host: "reviews", port: "9080", path: "/reviews/1", headers: "end-user: jason" });
  const yaml = testCaseOf(req, {
    status: 200,
    backend: "bookinfo/reviews-v2:9080",
    matchedRoute: "bookinfo/reviews",
    matchedRule: 0,
    mirroredTo: [],
    requestHeaders: {},
    responseHeaders: {},
  });
  assertEquals(parse(yaml), {
    tests: [{
      name: "GET reviews/reviews/1",
      request: {
        method: "GET",
        host: "reviews",
        path: "/reviews/1",
        port: 9080,
        headers: { "end-user": "jason" },
      },
      expect: {
        status: 200,
        backend: "bookinfo/reviews-v2:9080",
        matchedRoute: "bookinfo/reviews",
        matchedRule: 0,
      },
    }],
  });
});
