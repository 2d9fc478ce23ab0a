/**
 * Liveness, readiness and Prometheus metrics.
 *
 * @module
 */
import { Hono } from "hono";
import type { Publisher } from "../delivery/write/publisher.ts";
import { failureStatus } from "../model/kube_status.ts";
import { METRICS_CONTENT_TYPE } from "../metrics.ts";
import type { ServerMetrics } from "../metrics.ts";
import type { Store } from "../store/store.ts";

export interface OpsDeps {
  store: Store;
  publisher: Publisher;
  metrics: ServerMetrics;
}

/**
 * - `GET /healthz`: 200 while the process answers
 * - `GET /readyz`: 200 once the stored objects were compiled by this process and the store
 *   answers; 503 (a Status) before, starting that first compile if nobody has
 * - `GET /metrics`: the registry in Prometheus' text format, blob gauges read fresh
 */
export function opsRoutes({ store, publisher, metrics }: OpsDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (!publisher.isReady) {
      publisher.ready().catch(() => {}); // the failure shows in the next probe; /v1 calls log it
      return c.json(failureStatus(503, "not ready: the stored objects have not been compiled yet"), 503);
    }
    try {
      const blob = await store.blobMeta();
      return c.json({ status: "ready", generation: blob?.generation ?? null });
    } catch (error) {
      return c.json(
        failureStatus(503, `not ready: the store does not answer: ${(error as Error).message}`),
        503,
      );
    }
  });

  app.get("/metrics", async (c) => {
    // The blob is the store's: another process may have written it since this one last did.
    try {
      const blob = await store.blobMeta();
      if (blob) {
        metrics.blobBytes.set(blob.size);
        metrics.blobGeneration.set(blob.generation);
      }
    } catch { /* a closed store leaves the last values */ }
    c.header("Content-Type", METRICS_CONTENT_TYPE);
    return c.body(metrics.registry.render());
  });
  return app;
}
