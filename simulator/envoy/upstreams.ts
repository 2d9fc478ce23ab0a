/**
 * Loopback HTTP servers standing in for the upstream clusters a proxy forwards to. Each records what
 * reached it (method, path, Host, headers) and answers with the response headers it was told to send
 * and a JSON body saying who answered, so a test reads from both ends where a request went.
 *
 * @module
 */

import { clusterLabel } from "../simulate.ts";

/** A request as an upstream received it. */
export interface ReceivedRequest {
  /** The cluster whose stand-in received it. */
  cluster: string;
  method: string;
  /** Path and query as received. */
  path: string;
  /** Header pairs as received, names lower-case (Host among them). */
  headers: [string, string][];
}

/** The upstreams of one proxy. */
export interface Upstreams {
  /** Where each cluster's stand-in listens. */
  addresses: { cluster: string; address: string; port: number }[];
  /** Everything received so far, in arrival order. */
  received: ReceivedRequest[];
  /** The response every upstream sends from now on: `:status` (default 200) and headers. */
  respondWith(headers: [string, string][]): void;
  /** Called with each request as it arrives. */
  onRequest?: (r: ReceivedRequest) => void;
  close(): Promise<void>;
}

/** Starts one loopback server per cluster name. */
export async function startUpstreams(clusters: string[]): Promise<Upstreams> {
  let response: [string, string][] = [];
  const servers: Deno.HttpServer[] = [];
  const upstreams: Upstreams = {
    addresses: [],
    received: [],
    respondWith: (headers) => (response = headers),
    close: async () => {
      await Promise.all(servers.map((s) => s.shutdown()));
    },
  };
  for (const cluster of new Set(clusters)) {
    const port = await new Promise<number>((resolve) => {
      servers.push(
        Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => resolve(port) }, async (req) => {
          await req.body?.cancel(); // keep-alive connections stay usable
          const url = new URL(req.url);
          const got: ReceivedRequest = {
            cluster,
            method: req.method,
            path: url.pathname + url.search,
            headers: [...req.headers],
          };
          upstreams.received.push(got);
          upstreams.onRequest?.(got);
          return Response.json({
            upstream: cluster,
            backend: clusterLabel(cluster),
            method: got.method,
            path: got.path,
            headers: Object.fromEntries(got.headers),
          }, {
            status: Number(response.find(([k]) => k === ":status")?.[1] ?? 200),
            headers: response.filter(([k]) => !k.startsWith(":")),
          });
        }),
      );
    });
    upstreams.addresses.push({ cluster, address: "127.0.0.1", port });
  }
  return upstreams;
}
