/**
 * Opens the server's store only if it is what wasmroute wrote: a file that is empty, truncated, not
 * a Deno KV database, another program's KV, or holds a blob whose bytes fail their digest is refused
 * with a {@linkcode StoreDamagedError} naming the file and what to do. Deno KV would otherwise start
 * a fresh, empty store over an empty file, and the server would publish generation 1 with no routes.
 *
 * @module
 */
import { Store } from "./store.ts";
import type { StoreOptions } from "./store.ts";
import { StoreDamagedError } from "./store_damaged_error.ts";

/** Written once into a new store; its absence marks a KV database that is not wasmroute's. */
const MARKER_KEY = ["meta", "store"];
const MARKER = { program: "wasmroute", format: 1 } as const;
/** Present in every store wasmroute wrote before the marker existed. */
const LEGACY_KEY = ["meta", "revision"];
/** Every SQLite database file opens with these 16 bytes; its header is 100 bytes long. */
const SQLITE_MAGIC = "SQLite format 3\0";

/**
 * Opens (creating if missing) the store at `path` and checks it whole: every entry readable, every
 * kept blob generation's bytes matching its digest.
 *
 * @throws {StoreDamagedError} the file exists but is not a sound wasmroute store.
 */
export async function openStore(path: string, options?: StoreOptions): Promise<Store> {
  const existed = await checkFileHeader(path);
  let kv: Deno.Kv;
  try {
    kv = await Deno.openKv(path);
  } catch (error) {
    throw damaged(path, `cannot be opened as a Deno KV database (${(error as Error).message})`);
  }
  try {
    await checkMarker(kv, path, existed);
    const store = new Store(kv, options);
    await checkContents(kv, store, path);
    return store;
  } catch (error) {
    kv.close();
    throw error;
  }
}

/** `false` when there is no file yet; throws when the file cannot be a SQLite database. */
async function checkFileHeader(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw damaged(path, `cannot be read (${(error as Error).message})`);
  }
  try {
    const size = (await file.stat()).size;
    if (size === 0) throw damaged(path, "is empty (0 bytes): it was truncated or never written");
    const header = new Uint8Array(100);
    const read = await readFully(file, header);
    if (read < 100) {
      throw damaged(path, `is ${size} bytes long, shorter than a database header: it was truncated`);
    }
    if (new TextDecoder().decode(header.subarray(0, 16)) !== SQLITE_MAGIC) {
      throw damaged(path, "is not a Deno KV (SQLite) database: another program's file, or damaged");
    }
    // A database file is whole pages (the size at offset 16, big-endian; 1 stands for 65536).
    const pageSize = ((header[16] << 8) | header[17]) === 1 ? 65536 : (header[16] << 8) | header[17];
    if (pageSize < 512 || size % pageSize !== 0) {
      throw damaged(
        path,
        `is ${size} bytes long, not a whole number of its ${pageSize}-byte pages: it was truncated`,
      );
    }
    return true;
  } finally {
    file.close();
  }
}

async function readFully(file: Deno.FsFile, into: Uint8Array): Promise<number> {
  let offset = 0;
  while (offset < into.length) {
    const n = await file.read(into.subarray(offset));
    if (n === null) break;
    offset += n;
  }
  return offset;
}

/** A new or empty database gets the marker; one with other keys and no marker is not ours. */
async function checkMarker(kv: Deno.Kv, path: string, existed: boolean): Promise<void> {
  const marker = await guard(path, () => kv.get<typeof MARKER>(MARKER_KEY));
  if (marker.value) {
    if (marker.value.program !== MARKER.program || marker.value.format > MARKER.format) {
      throw damaged(path, `holds a store of ${JSON.stringify(marker.value)}, which this server cannot read`);
    }
    return;
  }
  // The marker is written right after the file is created: a file that existed without it is a
  // store from before the marker (it has a revision), or not a sound wasmroute store at all.
  if (existed && !(await guard(path, () => kv.get(LEGACY_KEY))).value) {
    const any = await guard(path, async () => {
      for await (const _ of kv.list({ prefix: [] }, { limit: 1 })) return true;
      return false;
    });
    throw damaged(
      path,
      any
        ? "is a Deno KV database, but not one wasmroute wrote"
        : "holds no wasmroute data, not even the mark a new store gets: it was truncated or replaced",
    );
  }
  await guard(path, () => kv.set(MARKER_KEY, MARKER));
}

/** Reads every entry (SQLite finds damaged pages only when it reads them) and every kept blob. */
async function checkContents(kv: Deno.Kv, store: Store, path: string): Promise<void> {
  await guard(path, async () => {
    for await (const _ of kv.list({ prefix: [] })) { /* reading is the check */ }
  });
  const history = await guard(path, () => store.blobHistory());
  for (const meta of history) await guard(path, () => store.blobAt(meta.generation));
  await guard(path, () => store.currentBlob());
}

/** Runs `fn`; any failure becomes a {@linkcode StoreDamagedError} naming `path`. */
async function guard<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StoreDamagedError && error.message.startsWith(path)) throw error;
    throw damaged(path, `cannot be read whole (${(error as Error).message})`);
  }
}

function damaged(path: string, what: string): StoreDamagedError {
  return new StoreDamagedError(
    `${path} ${what}. The server will not start on it rather than serve an empty or wrong store. ` +
      `Restore it from a backup, or move it away (mv ${path} ${path}.damaged) to start with an empty store.`,
  );
}
