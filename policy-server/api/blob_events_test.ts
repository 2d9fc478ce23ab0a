import { assertEquals } from "../../tests/assert.ts";
import type { Published } from "../delivery/write/publisher.ts";
import { createServerMetrics } from "../metrics.ts";
import type { BlobMeta } from "../store/store.ts";
import { blobEvents } from "./blob_events.ts";

const blob = (generation: number): BlobMeta =>
  ({
    generation,
    sha256: "ab",
    size: 10 * generation,
    createdBy: "ci",
    createdAt: "now",
    chunks: 1,
  }) as BlobMeta;
const published = (p: Partial<Published>) =>
  ({ dryRun: false, blobChanged: true, blob: blob(2), ...p }) as Published;

Deno.test("blobEvents notes a new blob and a rollback, not a dry run or an unchanged blob", () => {
  const logs: Record<string, unknown>[] = [];
  const metrics = createServerMetrics();
  const events = blobEvents((e) => logs.push(e), metrics);
  events.published(published({ dryRun: true }));
  events.published(published({ blobChanged: false }));
  assertEquals(logs.length, 0);
  events.published(published({}));
  events.rolledBack({ ...blob(3), rollbackOf: 1 });
  assertEquals(logs.map((l) => [l.msg, l.generation]), [["blob published", 2], ["blob rolled back", 3]]);
  assertEquals(
    metrics.registry.render().match(/^wasmroute_blob_generation \d+$/m)?.[0],
    "wasmroute_blob_generation 3",
  );
});
