// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around delivery by URL: the configuration's "blobCluster" members
// (filter/assembly/core/config.ts) and the fetch they start (blob_fetch.ts). Built by
// ../blob_fetch_test.ts with the filter's flags plus --exportRuntime, so that
// @assemblyscript/loader can pass strings and bytes. Times are milliseconds passed as f64.
import { BlobFetch } from "../blob_fetch";
import { configError, readConfig } from "../config";
import { toHex } from "../sha256";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

/** What readConfig makes of `json`: "refused: WHY", or its deliveries, one "key=value" a line. */
export function config_of(json: string): string {
  const c = readConfig(String.UTF8.encode(json));
  if (c === null) return "refused: " + configError;
  let out = "blob=" + (c.blob !== null ? "yes" : "no") + "\npull=" + (c.pull !== null ? "yes" : "no") + "\nscope=" + c.scope;
  const f = c.fetch;
  if (f !== null) {
    out += "\ncluster=" + f.cluster + "\nauthority=" + f.authority + "\npath=" + f.path + "\ntoken=" + f.token +
      "\nsha256=" + toHex(f.digest) + "\nversion=" + f.version;
  }
  return out;
}

let fetch: BlobFetch | null = null;

/** Starts the fetch `json` configures; false when it configures none. */
export function fetch_start(json: string): bool {
  const c = readConfig(String.UTF8.encode(json));
  fetch = c !== null && c.fetch !== null ? new BlobFetch(c.fetch!) : null;
  return fetch !== null;
}
export function fetch_due(now: f64): bool { return fetch!.due(<u64>now); }
export function fetch_headers(): string {
  const h = fetch!.headers();
  let out = "";
  for (let i = 0; i < h.length; i++) out += h[i][0] + ": " + h[i][1] + "\n";
  return out;
}
export function fetch_sent(token: u32): void { fetch!.pending = token; }
export function fetch_not_sent(now: f64): void { fetch!.notSent(<u64>now); }
export function fetch_answer(status: string | null, body: ArrayBuffer | null, now: f64): i32 {
  return fetch!.answer(status, body, <u64>now);
}
export function fetch_reason(): string { return fetch!.reason; }
export function fetch_retry_ms(): u32 { return fetch!.retryMs; }
export function fetch_done(): bool { return fetch!.done; }
export function fetch_pending(): u32 { return fetch!.pending; }
