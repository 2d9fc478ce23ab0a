import type { TableBackend } from "./table_backends.ts";

/** What an echo backend answers: enough to see where a request went and what reached it. */
export interface EchoReply {
  /** The backend's label, `namespace/name:port`. */
  backend: string;
  method: string;
  /** Path and query as received. */
  path: string;
  /** Request headers, names lower-case. */
  headers: Record<string, string>;
}

/** A running echo backend. */
export interface EchoBackend {
  cluster: string;
  label: string;
  address: string;
  port: number;
  /** Stops listening and waits for the server to finish. */
  close(): Promise<void>;
}

/** Options of {@linkcode startEchoBackend}. */
export interface EchoBackendOptions {
  /** Default `127.0.0.1`. */
  hostname?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Receives one line per request; default `console.log`. */
  log?: (line: string) => void;
}

/**
 * Starts a loopback HTTP server standing in for one Istio cluster: it answers every request with
 * an {@linkcode EchoReply} as JSON and logs a line saying what it received.
 *
 * @example
 * ```ts
 * import { startEchoBackend } from "./echo_backend.ts";
 * const echo = await startEchoBackend({ cluster: "outbound|80||web.default.svc.cluster.local", label: "default/web:80" }, { log: () => {} });
 * const reply = await (await fetch(`http://${echo.address}:${echo.port}/x`)).json();
 * await echo.close();
 * if (reply.backend !== "default/web:80") throw new Error("wrong backend");
 * ```
 */
export function startEchoBackend(
  backend: TableBackend,
  options: EchoBackendOptions = {},
): Promise<EchoBackend> {
  const log = options.log ?? console.log;
  const hostname = options.hostname ?? "127.0.0.1";
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname,
      port: options.port ?? 0,
      onListen: ({ port }) =>
        resolve({
          ...backend,
          address: hostname,
          port,
          close: async () => {
            await server.shutdown();
          },
        }),
    }, async (request) => {
      const url = new URL(request.url);
      // Drain the body so keep-alive connections stay usable.
      await request.body?.cancel();
      const reply: EchoReply = {
        backend: backend.label,
        method: request.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
      };
      const shown = Object.entries(reply.headers)
        .filter(([name]) =>
          !["accept", "user-agent", "x-forwarded-proto", "x-envoy-expected-rq-timeout-ms"].includes(name)
        )
        .map(([name, value]) => `${name}=${value}`)
        .join(" ");
      log(`[${backend.label}] ${reply.method} ${reply.path} ${shown}`);
      return Response.json(reply);
    });
  });
}
