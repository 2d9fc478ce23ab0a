/**
 * Helpers for tests that drive the whole app: over `app.request()` or a real loopback server, on
 * a real Deno KV file in a temporary directory.
 *
 * @module
 */
import { assertEquals } from "../tests/assert.ts";
import { createApp } from "./app.ts";
import type { AppDeps } from "./app.ts";
import { createServerMetrics } from "./metrics.ts";
import type { ServerMetrics } from "./metrics.ts";
import type { TokenSpec } from "./security/parse_tokens.ts";
import { TokenVerifier } from "./security/token_verifier.ts";
import { Store } from "./store/store.ts";

export type App = ReturnType<typeof createApp>;

/** The KV file of a store opened by {@linkcode withStore}, for a second process-like handle. */
export const kvPath = (dir: string) => `${dir}/wasmroute.kv`;

/** A store over a real KV file in a temp dir, closed and removed afterwards. */
export async function withStore(fn: (store: Store, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-store-" });
  const store = await Store.open(kvPath(dir));
  try {
    await fn(store, dir);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

export interface AppContext {
  app: App;
  store: Store;
  logs: Record<string, unknown>[];
  metrics: ServerMetrics;
}

export interface TestAppOptions extends Partial<AppDeps> {
  /** Configured tokens; none runs the API open. */
  tokenSpecs?: TokenSpec[];
}

/** An app over a real KV file in a temp dir, removed afterwards. */
export async function withApp(
  fn: (ctx: AppContext) => Promise<void>,
  options: TestAppOptions = {},
): Promise<void> {
  const logs: Record<string, unknown>[] = [];
  const metrics = options.metrics ?? createServerMetrics();
  const { tokenSpecs, ...deps } = options;
  const tokens = tokenSpecs ? await TokenVerifier.create(tokenSpecs) : undefined;
  await withStore(async (store) => {
    const app = createApp({
      store,
      log: (e) => logs.push(e),
      metrics,
      tokens,
      // The sample routes name a Gateway they do not store; tests of the secure default say false.
      trustUnseenGateways: true,
      ...deps,
    });
    await fn({ app, store, logs, metrics });
  });
}

/** The same, served over HTTP on a loopback port. */
export async function withServer(
  fn: (base: string, ctx: AppContext) => Promise<void>,
  options: TestAppOptions = {},
): Promise<void> {
  await withApp(async (ctx) => {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, ctx.app.fetch);
    try {
      await fn(`http://127.0.0.1:${server.addr.port}`, ctx);
    } finally {
      await server.shutdown();
    }
  }, options);
}

/** Asserts a Kubernetes failure `Status` with `code` and `reason`; returns the body. */
export async function expectStatus(res: Response, code: number, reason: string) {
  const body = await res.json();
  assertEquals([res.status, body.kind, body.apiVersion, body.status, body.code, body.reason], [
    code,
    "Status",
    "v1",
    "Failure",
    code,
    reason,
  ], JSON.stringify(body));
  return body;
}

/** Request headers with a bearer token (and more). */
export const bearer = (token: string, more: Record<string, string> = {}) => ({
  Authorization: `Bearer ${token}`,
  ...more,
});
