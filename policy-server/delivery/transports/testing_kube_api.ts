/**
 * Test support: a stand-in Kubernetes API server on loopback that records every request exactly as
 * it arrived (method, path, query, headers, body, the client certificate's subject) and answers as
 * the test says. HTTPS with the test CA in `testdata/tls`, optionally requiring a client
 * certificate, or plain HTTP. Built on `node:https`, the one server in Deno that can ask for and
 * verify client certificates.
 *
 * @module
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { failureStatus } from "../../model/kube_status.ts";

const TLS_DIR = new URL("./testdata/tls/", import.meta.url);
const read = (file: string) => Deno.readTextFileSync(new URL(file, TLS_DIR));

/** The test CA, server and client certificates (PEM). */
export const TEST_TLS = {
  get ca() {
    return read("ca.crt");
  },
  get serverCert() {
    return read("server.crt");
  },
  get serverKey() {
    return read("server.key");
  },
  get clientCert() {
    return read("client.crt");
  },
  get clientKey() {
    return read("client.key");
  },
};

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** Subject of the verified client certificate, when one was presented. */
  clientCert?: Record<string, string>;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export interface FakeKubeApi {
  /** `https://127.0.0.1:PORT` (or `http://`). */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A Kubernetes `Status` body, as the API server sends with a failure. */
export const kubeStatus = (code: number, reason: string, message: string) =>
  failureStatus(code, message, [], reason);

export function startFakeKubeApi(
  options: {
    tls?: boolean;
    requireClientCert?: boolean;
    reply: (req: RecordedRequest) => Reply | Promise<Reply>;
  },
): Promise<FakeKubeApi> {
  const requests: RecordedRequest[] = [];
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of req) chunks.push(chunk as Uint8Array);
    const url = new URL(req.url ?? "/", "http://x");
    const socket = req.socket as TLSSocket;
    const peer = options.tls && socket.authorized ? socket.getPeerCertificate?.() : undefined;
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer()),
      ...(peer?.subject && { clientCert: { ...peer.subject } as Record<string, string> }),
    };
    requests.push(recorded);
    const reply = await options.reply(recorded);
    res.writeHead(reply.status, { "Content-Type": "application/json" });
    res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
  };
  const server = options.tls
    ? https.createServer({
      key: TEST_TLS.serverKey,
      cert: TEST_TLS.serverCert,
      ...(options.requireClientCert && { ca: TEST_TLS.ca, requestCert: true, rejectUnauthorized: true }),
    }, handler)
    : http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as http.Server).closeAllConnections?.();
          }),
      });
    });
  });
}
