import assert from "node:assert/strict";
import { routeReselected } from "./route_reselected.ts";
import { AbiVersion } from "./types.ts";

Deno.test("routeReselected() counts an explicit clear_route_cache on any ABI", () => {
  assert.equal(routeReselected({ routeCacheClears: 1, requestHeaderMutations: 0 }, AbiVersion.V0_2_0), true);
});

Deno.test("routeReselected() counts request-header changes only for ABI 0.2.1", () => {
  const changed = { routeCacheClears: 0, requestHeaderMutations: 2 };
  assert.equal(routeReselected(changed, AbiVersion.V0_2_1), true);
  assert.equal(routeReselected(changed, AbiVersion.V0_2_0), false);
  assert.equal(routeReselected(changed, undefined), false);
  assert.equal(routeReselected({ routeCacheClears: 0, requestHeaderMutations: 0 }, AbiVersion.V0_2_1), false);
});
