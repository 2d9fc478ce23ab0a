/**
 * What the server notes when the serving blob changes: a log entry and the blob gauges.
 *
 * @module
 */
import type { Published } from "../delivery/write/publisher.ts";
import type { ServerMetrics } from "../metrics.ts";
import type { BlobMeta } from "../store/store.ts";

export interface BlobEvents {
  /** A write was stored (or dry-run); noted only when it changed the blob. */
  published(result: Published): void;
  /** A rollback was stored. */
  rolledBack(blob: BlobMeta): void;
}

/** Blob events logged to `log` and counted in `metrics`. */
export function blobEvents(
  log: (entry: Record<string, unknown>) => void,
  metrics: Pick<ServerMetrics, "blobBytes" | "blobGeneration">,
): BlobEvents {
  const gauges = (blob: BlobMeta) => {
    metrics.blobBytes.set(blob.size);
    metrics.blobGeneration.set(blob.generation);
  };
  return {
    published({ dryRun, blobChanged, blob }) {
      if (dryRun || !blobChanged) return;
      const { generation, sha256, size, createdBy } = blob;
      log({ level: "info", msg: "blob published", generation, sha256, size, createdBy });
      gauges(blob);
    },
    rolledBack(blob) {
      const { generation, rollbackOf, createdBy } = blob;
      log({ level: "info", msg: "blob rolled back", generation, rollbackOf, createdBy });
      gauges(blob);
    },
  };
}
