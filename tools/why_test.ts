import { assertEquals, assertMatch } from "../tests/assert.ts";
import { explainedRequestOf, explainRequest } from "../policy-server/ir/explain_request.ts";
import { checkSimRequest } from "../simulator/mod.ts";
import { why, whyText } from "./why.ts";
import { compileSimulator, loadResources } from "./simulate.ts";

const routes = await loadResources("examples/header-routing/routes.yaml");

Deno.test("why gives the filter's decision with the route that took it and why the earlier ones did not", async () => {
  const answer = await why(routes, { host: "my-server", path: "/", headers: { version: "old" } });
  assertEquals(answer.decision.backend, "devopssong/my-server-v1:80");
  assertEquals(answer.explanation.routes.at(-1)?.verdict, "matched");
  assertMatch(whyText(answer), /header version is "old", not "new"/);
});

Deno.test("why on a miss by port names the port a route for the host is on", async () => {
  const answer = await why(routes, { host: "my-server", port: 9080, path: "/" });
  assertEquals(answer.decision.passthrough, true);
  assertEquals(answer.explanation.nearest, [
    "a route for this host exists on port 80 (Service devopssong/my-server)",
  ]);
});

// GAMMA by address (tests/conformance/mesh-frontend-routing): reviews dual stack, ratings on every
// port, inventory without routes, details headless, a consumer route from namespace client.
const FRONTEND_ROUTES = await loadResources("tests/conformance/mesh-frontend-routing/resources.yaml");

Deno.test("why agrees with the filter on mesh requests by destination and by Host, whichever decides", async () => {
  const { compiled, simulator } = await compileSimulator(FRONTEND_ROUTES);
  const hosts = ["wrong.example", "reviews", "ratings.shop", "details", "reviews.shop.svc.cluster.local"];
  const destinations: [string, string?][] = [
    ["reviews"],
    ["reviews.shop", "fd00:10:96:0::a14"],
    ["ratings"],
    ["inventory"],
    ["details"],
    ["reviews", "10.244.1.7"],
  ];
  let byAddress = 0;
  for (const host of hosts) {
    for (const [service, address] of destinations) {
      for (const clientNamespace of ["shop", "client"]) {
        for (const port of [9080, 9090]) {
          const mesh = { clientNamespace, destinationService: service, destinationPort: port };
          const req = checkSimRequest({
            host,
            path: "/",
            mesh: address ? { ...mesh, destinationAddress: address } : mesh,
          });
          const d = simulator.decide(req);
          const x = explainRequest(compiled.table, explainedRequestOf(req));
          const matched = x.routes.find((r) => r.verdict === "matched");
          const where = `${host} → ${service} ${address ?? ""}:${port} from ${clientNamespace}`;
          assertEquals(
            matched && [matched.route, matched.rule],
            d.matchedRoute && [d.matchedRoute, d.matchedRule],
            where,
          );
          assertEquals(matched === undefined, d.passthrough === true, where);
          if (x.destination?.startsWith("addressed to")) byAddress++;
        }
      }
    }
  }
  // Both ways were exercised: on 9080, reviews' two addresses, ratings and inventory from shop; from
  // client, whose bare names mean client's own Services, only reviews.shop's.
  assertEquals(byAddress, hosts.length * (4 + 1));
});

Deno.test("why says a frontend's Service decided, not the Service the Host names", async () => {
  const answer = await why(FRONTEND_ROUTES, {
    host: "reviews.shop.svc.cluster.local",
    path: "/",
    mesh: { clientNamespace: "shop", destinationService: "ratings", destinationPort: 9080 },
  });
  assertEquals(answer.decision.backend, "shop/ratings-v1:9080");
  const text = whyText(answer);
  assertMatch(
    text,
    /\n {2}destination: addressed to 10\.96\.10\.21:9080, a frontend of Service shop\/ratings/,
  );
  assertMatch(
    text,
    /the Host "reviews\.shop\.svc\.cluster\.local" names Service shop\/reviews, whose routes do not apply/,
  );
});

Deno.test("why on a headless Service's request says the hostname decided", async () => {
  const answer = await why(FRONTEND_ROUTES, {
    host: "wrong.example",
    path: "/",
    mesh: { clientNamespace: "shop", destinationService: "details", destinationPort: 9080 },
  });
  assertEquals(answer.decision.passthrough, true);
  assertMatch(answer.explanation.destination!, /^Service shop\/details has no cluster IP in the table/);
});
