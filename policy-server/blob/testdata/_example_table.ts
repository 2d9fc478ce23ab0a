/** Route tables of many virtual hosts for the packing tests (`segment_blob_test.ts`, `pack_blob_test.ts`). */
import type { RouteTable, VirtualHost } from "../../ir/types.ts";

/** A gateway virtual host `host-<n>.example.com` with `routes` prefix routes to one backend each. */
export function exampleHost(n: number, routes = 10, port = 8080): VirtualHost {
  return {
    hostnames: [`host-${n}.example.com`],
    mode: "gateway",
    port: 80,
    scope: "istio-system/ingress",
    routes: Array.from({ length: routes }, (_, r) => ({
      path: { type: "PathPrefix", value: `/app-${n}/service-${r}/v${r % 3}` },
      conditions: [],
      action: {
        route: `apps/route-${n}-${r}`,
        rule: 0,
        backends: [{
          cluster: `outbound|${port}||svc-${n}-${r}.apps.svc.cluster.local`,
          label: `apps/svc-${n}-${r}:${port}`,
          weight: 1,
          filters: [],
        }],
        filters: [],
      },
    })),
  } as VirtualHost;
}

/** A table of `hosts` example virtual hosts. */
export const exampleTable = (hosts: number, generation = 1): RouteTable => ({
  generation,
  vhosts: Array.from({ length: hosts }, (_, n) => exampleHost(n)),
});

