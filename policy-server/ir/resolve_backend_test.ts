import { assertEquals } from "../../tests/assert.ts";
import { resolveBackend } from "./resolve_backend.ts";

const noGrants = { referenceGrants: [] };

Deno.test("resolveBackend refuses a Service in another namespace without a ReferenceGrant", () => {
  const b = resolveBackend(
    { name: "reviews", namespace: "bookinfo", port: 9080 },
    "shop",
    noGrants,
    "cluster.local",
  );
  assertEquals(b.problem?.reason, "RefNotPermitted");
});

Deno.test("resolveBackend lets a consumer route send to its parent Service without a ReferenceGrant", () => {
  const parents = new Set(["bookinfo/reviews"]);
  const ref = { name: "reviews", namespace: "bookinfo", port: 9080 };
  const b = resolveBackend(ref, "shop", noGrants, "cluster.local", parents);
  assertEquals([b.cluster, b.problem], ["outbound|9080||reviews.bookinfo.svc.cluster.local", undefined]);
  // Only the parent itself: another Service of that namespace still needs a grant.
  const other = resolveBackend({ ...ref, name: "ratings" }, "shop", noGrants, "cluster.local", parents);
  assertEquals(other.problem?.reason, "RefNotPermitted");
});
