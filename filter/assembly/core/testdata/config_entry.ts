// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the plugin configuration reader (filter/assembly/core/config.ts).
// Built by ../config_test.ts with the filter's flags plus --exportRuntime, so that
// @assemblyscript/loader carries strings. A configuration goes in as the bytes the host would hand
// over; what the reader made of it comes back as one line per field.
import { configError, decodeBase64, readConfig } from "../config";
import { toHex } from "../sha256";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

/**
 * readConfig of the UTF-8 of `text` (or of `bytes`' hex, when `text` is empty): "error: …", or
 * "blob HEX", "scope …", "pull CLUSTER AUTHORITY PATH TOKEN", "fetch CLUSTER AUTHORITY PATH TOKEN
 * DIGEST VERSION", one per line, for the fields present.
 */
export function read(text: string): string {
  const config = String.UTF8.encode(text);
  const c = readConfig(config);
  if (c === null) return "error: " + configError;
  let out = "";
  const blob = c.blob;
  if (blob !== null) out += "blob " + toHex(blob.slice(<i32>c.blobFrom, <i32>(c.blobFrom + c.blobLength))) + "\n";
  out += "scope " + c.scope + "\n";
  const pull = c.pull;
  if (pull !== null) out += "pull " + pull.cluster + " " + pull.authority + " " + pull.path + " " + pull.token + "\n";
  const fetch = c.fetch;
  if (fetch !== null) {
    out += "fetch " + fetch.cluster + " " + fetch.authority + " " + fetch.path + " " + fetch.token + " " +
      toHex(fetch.digest) + " " + fetch.version + "\n";
  }
  return out;
}

/** decodeBase64 of `text`: the bytes' hex, or "null". */
export function base64(text: string): string {
  const bytes = decodeBase64(text);
  return bytes === null ? "null" : toHex(bytes);
}
