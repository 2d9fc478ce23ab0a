import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { parse } from "yaml";
import { requestOf, serviceAddresses, SimInputError, testCaseOf } from "./try_request.ts";

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

Deno.test("requestOf sends a mesh request to a destination Service or address apart from its Host", () => {
  const req = requestOf({
    host: "reviews",
    port: "9080",
    clientNamespace: "shop",
    destinationService: " Ratings.Shop ",
    destinationAddress: "FD00::14",
  });
  assertEquals(req.host, "reviews");
  assertEquals(req.mesh, {
    clientNamespace: "shop",
    destinationService: "ratings.shop",
    destinationPort: 9080,
    destinationAddress: "fd00::14",
  });
  // Blank destination fields: the Service the Host names, at its cluster IP.
  assertEquals(
    requestOf({ host: "reviews", clientNamespace: "shop", destinationService: " ", destinationAddress: "" })
      .mesh,
    { clientNamespace: "shop", destinationService: "reviews", destinationPort: 80 },
  );
});

Deno.test("requestOf refuses a destination without a client namespace, a bad Service name or address", () => {
  assertThrows(
    () => requestOf({ host: "reviews", destinationService: "ratings" }),
    SimInputError,
    "client namespace",
  );
  assertThrows(
    () => requestOf({ host: "reviews", destinationAddress: "10.0.0.1" }),
    SimInputError,
    "client namespace",
  );
  assertThrows(
    () => requestOf({ host: "reviews", clientNamespace: "shop", destinationService: "ratings..shop" }),
    SimInputError,
    'destination Service: "ratings..shop"',
  );
  assertThrows(
    () => requestOf({ host: "reviews", clientNamespace: "shop", destinationAddress: "10.0.0.256" }),
    SimInputError,
    "destinationAddress",
  );
});

Deno.test("testCaseOf carries a mesh request's destination and names it when the Host does not", () => {
  const req = requestOf({
    host: "reviews",
    port: "9080",
    clientNamespace: "shop",
    destinationService: "ratings",
  });
  const decision = {
    status: 200,
    backend: "shop/ratings-v1:9080",
    matchedRoute: "shop/ratings-route",
    matchedRule: 0,
    mirroredTo: [],
    requestHeaders: {},
    responseHeaders: {},
  };
  const [t] =
    (parse(testCaseOf(req, decision)) as { tests: Record<string, Record<string, unknown>>[] }).tests;
  assertEquals(t.name, "GET reviews/ to ratings");
  assertEquals(t.request.mesh, {
    clientNamespace: "shop",
    destinationService: "ratings",
    destinationPort: 9080,
  });
  const byAddress = requestOf({ host: "reviews", clientNamespace: "shop", destinationAddress: "10.244.1.7" });
  const [u] = (parse(testCaseOf(byAddress, decision)) as { tests: Record<string, unknown>[] }).tests;
  assertEquals(u.name, "GET reviews/ to 10.244.1.7");
  const plain = requestOf({ host: "reviews", clientNamespace: "shop" });
  assertEquals(
    (parse(testCaseOf(plain, decision)) as { tests: { name: string }[] }).tests[0].name,
    "GET reviews/",
  );
});

Deno.test("serviceAddresses keeps each Service's first frontend address, its primary cluster IP", () => {
  const f = (address: string, service: string, port = 9080) => ({ address, port, service, hostname: "" });
  assertEquals(
    serviceAddresses([
      f("10.96.0.20", "shop/reviews"),
      f("10.96.0.20", "shop/reviews", 9090),
      f("fd00::14", "shop/reviews"),
      f("10.96.0.21", "shop/ratings"),
    ]),
    { "shop/reviews": "10.96.0.20", "shop/ratings": "10.96.0.21" },
  );
});
