/**
 * The blob's history: list it, fetch any generation still kept, roll back to one.
 *
 * @module
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { restoresOf } from "../delivery/write/publisher.ts";
import type { Publisher } from "../delivery/write/publisher.ts";
import type { StoredObject } from "../model/types.ts";
import { requireAccess } from "../security/bearer_auth.ts";
import type { BlobMeta, Store } from "../store/store.ts";
import { dryRunOf } from "./dry_run.ts";
import { VERSION_HEADER } from "./version_header.ts";

export interface BlobHistoryDeps {
  store: Store;
  publisher: Publisher;
  /** Called with each rollback that was stored. */
  onRollback?: (blob: BlobMeta) => void;
}

/** What the API shows of a blob version (its chunk count is the store's business). */
export function blobInfo({ chunks: _chunks, revision, ...meta }: BlobMeta) {
  return {
    ...meta,
    createdBy: meta.createdBy ?? "anonymous",
    // The resourceVersion of the objects it was compiled from: they are stored at this version.
    ...(revision !== undefined && { resourceVersion: String(revision) }),
  };
}

/**
 * - `GET /v1/blob/history`: every kept version, newest first
 * - `GET /v1/blob/:generation`: one kept version's bytes
 * - `GET /v1/blob/:generation/objects`: the objects that generation was compiled from
 * - `GET /v1/blob/diff?from=A&to=B`: what changed between two generations, object by object
 * - `POST /v1/blob/rollback` `{"generation": N}`: N's rules as a new generation (`?dryRun=All`)
 *
 * Each needs a token for every namespace (a blob holds every namespace's routes); a rollback also
 * the operator role. A route group: mount it after the `/v1` guards.
 */
export function blobHistoryRoutes(deps: BlobHistoryDeps): Hono {
  const { store, publisher } = deps;
  const app = new Hono();

  app.get("/v1/blob/history", async (c) => {
    requireAccess(c, { verb: "readAll" });
    const [current, history] = await Promise.all([store.blobMeta(), store.blobHistory()]);
    return c.json({
      kind: "BlobHistory",
      apiVersion: "wasmroute.dev/v1",
      current: current?.generation ?? null,
      items: history.map(blobInfo),
    });
  });

  app.get("/v1/blob/:generation{[0-9]+}", async (c) => {
    requireAccess(c, { verb: "readAll" });
    const generation = Number(c.req.param("generation"));
    const record = await store.blobAt(generation);
    if (!record) {
      throw new HTTPException(404, { message: `blob generation ${generation} is not in the history` });
    }
    c.header("ETag", `"${record.sha256}"`);
    c.header(VERSION_HEADER, String(record.generation));
    // A generation's bytes never change.
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    c.header("Content-Type", "application/octet-stream");
    return c.body(record.blob as Uint8Array<ArrayBuffer>);
  });

  /** The objects kept generation `generation` was compiled from; 404 when they are not known. */
  const objectsOf = async (generation: number): Promise<StoredObject[]> => {
    const meta = (await store.blobHistory()).find((m) => m.generation === generation);
    if (!meta) {
      throw new HTTPException(404, { message: `blob generation ${generation} is not in the history` });
    }
    const objects = meta.revision === undefined ? null : await store.objectsAt(meta.revision);
    if (!objects) {
      throw new HTTPException(404, { message: `blob generation ${generation} predates object history` });
    }
    return objects;
  };

  app.get("/v1/blob/:generation{[0-9]+}/objects", async (c) => {
    requireAccess(c, { verb: "readAll" });
    const generation = Number(c.req.param("generation"));
    return c.json({
      apiVersion: "v1",
      kind: "List",
      metadata: {},
      generation,
      items: await objectsOf(generation),
    });
  });

  app.get("/v1/blob/diff", async (c) => {
    requireAccess(c, { verb: "readAll" });
    const [from, to] = ["from", "to"].map((k) => Number(c.req.query(k)));
    if (![from, to].every((g) => Number.isInteger(g) && g >= 1)) {
      throw new HTTPException(400, { message: "give two kept generations: ?from=A&to=B" });
    }
    const [before, after] = await Promise.all([objectsOf(from), objectsOf(to)]);
    const CHANGE = { restored: "changed", recreated: "added", deleted: "removed" } as const;
    return c.json({
      kind: "BlobDiff",
      apiVersion: "wasmroute.dev/v1",
      from,
      to,
      objects: restoresOf(before, after).map(({ key, action, current, target }) => ({
        ...key,
        change: CHANGE[action],
        ...(current && { fromResourceVersion: current.metadata.resourceVersion, fromSpec: current.spec }),
        ...(target && { toResourceVersion: target.metadata.resourceVersion, toSpec: target.spec }),
      })),
    });
  });

  app.post("/v1/blob/rollback", async (c) => {
    const principal = requireAccess(c, { verb: "writeAll" });
    const dryRun = dryRunOf(c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HTTPException(400, { message: 'the body must be JSON: {"generation": N}' });
    }
    const generation = (body as { generation?: unknown } | null)?.generation;
    if (typeof generation !== "number" || !Number.isInteger(generation) || generation < 1) {
      throw new HTTPException(400, { message: 'the body must be {"generation": N} with N a generation ≥ 1' });
    }
    const rolled = await publisher.rollback(generation, { actor: principal.name, dryRun });
    const { blob } = rolled;
    if (!dryRun) {
      deps.onRollback?.(blob);
      c.header(VERSION_HEADER, String(blob.generation));
    }
    return c.json({
      ...blobInfo(blob),
      dryRun,
      objectsRecorded: rolled.objectsRecorded,
      objects: rolled.objects.map(({ key, action, current, target }) => ({
        ...key,
        action,
        ...(current && { fromResourceVersion: current.metadata.resourceVersion, fromSpec: current.spec }),
        ...(target && { toResourceVersion: target.metadata.resourceVersion, toSpec: target.spec }),
      })),
    });
  });
  return app;
}
