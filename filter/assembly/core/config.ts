// Reads the plugin configuration: Istio passes a WasmPlugin's pluginConfig Struct as JSON, so the
// blob arrives base64-encoded in its top-level "blob" member, or (too large for a WasmPlugin) is
// named by "blobCluster"/"blobAuthority"/"blobPath" and pinned by "sha256". Configuration that starts
// with the magic of a blob (plain or packed) is taken as the blob itself. Nothing here traps on any
// input.
import { digestOfHex } from "./sha256";

export let configError: string = "";

const B64_INVALID: u8 = 255;
let b64: StaticArray<u8> | null = null;

function base64Table(): StaticArray<u8> {
  let t = b64;
  if (t === null) {
    t = new StaticArray<u8>(256);
    for (let i = 0; i < 256; i++) t[i] = B64_INVALID;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = <u8>i;
    // The URL-safe alphabet too: a hand-written config may use it.
    t[0x2d] = 62;
    t[0x5f] = 63;
    b64 = t;
  }
  return t;
}

/** Decodes base64 (padding optional, whitespace ignored); null on any other character. */
export function decodeBase64(s: string): ArrayBuffer | null {
  const t = base64Table();
  const out = new ArrayBuffer((s.length * 3) >> 2);
  const base = changetype<usize>(out);
  let acc: u32 = 0, bits: u32 = 0, n: i32 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x3d || c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) continue;
    if (c > 255) return null;
    const v = unchecked(t[c]);
    if (v == B64_INVALID) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= out.byteLength) return null;
      store<u8>(base + n++, <u8>(acc >> bits));
    }
  }
  return out.slice(0, n);
}

class Scanner {
  i: i32 = 0;
  constructor(public s: string) {}
  ws(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
      this.i++;
    }
  }
  /**
   * A JSON string at the cursor, unescaped; null if malformed. Without `keep` it is only checked
   * and passed over ("" when well formed): skipping must not copy a megabyte-sized blob member.
   */
  str(keep: bool = true): string | null {
    const s = this.s;
    if (this.i >= s.length || s.charCodeAt(this.i) != 0x22) return null;
    this.i++;
    // Built only when an escape is met: a string without one is a single substring.
    let out = "", escaped = false;
    let start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c == 0x22) {
        const rest = keep ? s.substring(start, this.i) : "";
        this.i++;
        return escaped ? out + rest : rest;
      }
      if (c == 0x5c) {
        const at = this.i;
        if (at + 1 >= s.length) return null;
        const e = s.charCodeAt(this.i + 1);
        let unescaped: string;
        if (e == 0x75) {
          if (this.i + 6 > s.length) return null;
          const code = I32.parseInt(s.substring(this.i + 2, this.i + 6), 16);
          if (isNaN(<f64>code)) return null;
          unescaped = String.fromCharCode(code);
          this.i += 6;
        } else {
          unescaped = e == 0x6e ? "\n" : e == 0x74 ? "\t" : e == 0x72 ? "\r" : e == 0x62 ? "\b" : e == 0x66 ? "\f"
            : String.fromCharCode(e);
          this.i += 2;
        }
        if (keep) out += s.substring(start, at) + unescaped;
        escaped = true;
        start = this.i;
        continue;
      }
      this.i++;
    }
    return null;
  }
  /** Skips any JSON value; false if malformed. Depth is bounded so hostile input cannot recurse. */
  skip(): bool {
    let depth = 0;
    do {
      this.ws();
      if (this.i >= this.s.length) return false;
      const c = this.s.charCodeAt(this.i);
      if (c == 0x22) {
        if (this.str(false) === null) return false;
      } else if (c == 0x7b || c == 0x5b) {
        if (++depth > 64) return false;
        this.i++;
      } else if (c == 0x7d || c == 0x5d) {
        if (--depth < 0) return false;
        this.i++;
      } else {
        this.i++;
      }
    } while (depth > 0);
    return true;
  }
}

/** A string member of a top-level JSON object; null (and configError) when absent or not a string. */
function stringMember(json: string, name: string): string | null {
  const p = new Scanner(json);
  p.ws();
  if (p.i >= json.length || json.charCodeAt(p.i) != 0x7b) {
    configError = "configuration is neither a rule blob nor a JSON object";
    return null;
  }
  p.i++;
  while (true) {
    p.ws();
    if (p.i < json.length && json.charCodeAt(p.i) == 0x7d) break;
    const key = p.str();
    if (key === null) break;
    p.ws();
    if (p.i >= json.length || json.charCodeAt(p.i) != 0x3a) break;
    p.i++;
    p.ws();
    if (key == name) {
      const v = p.str();
      if (v === null) {
        configError = "\"" + name + "\" must be a string";
        return null;
      }
      return v;
    }
    if (!p.skip()) break;
    p.ws();
    if (p.i < json.length && json.charCodeAt(p.i) == 0x2c) p.i++;
  }
  configError = "configuration has no \"" + name + "\" member";
  return null;
}

/**
 * What a plugin configuration holds: the rule blob (possibly none, in pull mode), which traffic this
 * proxy serves, and where to pull newer blobs from.
 */
export class PluginConfig {
  constructor(
    public blob: ArrayBuffer | null,
    public scope: string,
    public pull: PullConfig | null,
    public fetch: FetchConfig | null = null,
  ) {}
}

/**
 * Delivery by URL: the policy server's Envoy cluster, the authority and path of the one blob to
 * fetch, its SHA-256 (`digest`, 32 bytes) that the fetched bytes must have, the bearer token to send
 * ("" for none), and the generation the server rendered (`version`, for logs; "" when absent).
 */
export class FetchConfig {
  constructor(
    public cluster: string,
    public authority: string,
    public path: string,
    public token: string,
    public digest: ArrayBuffer,
    public version: string,
  ) {}
}

/** The "blobCluster" delivery of a configuration: null when absent, or (with configError) when wrong. */
function fetchConfigOf(json: string): FetchConfig | null {
  const cluster = stringMember(json, "blobCluster");
  if (cluster === null) {
    // Absent is fine; present but not a string, or no JSON object at all, is not.
    if (configError.startsWith("configuration has no")) configError = "";
    return null;
  }
  const authority = stringMember(json, "blobAuthority");
  const path = stringMember(json, "blobPath");
  if (authority === null || path === null || !path.startsWith("/")) {
    configError = "\"blobAuthority\" and \"blobPath\" (starting with /) must accompany \"blobCluster\"";
    return null;
  }
  const hex = stringMember(json, "sha256");
  const digest = hex !== null ? digestOfHex(hex) : null;
  if (digest === null) {
    configError = "\"sha256\" must be the 64 hex digits of the blob at \"blobPath\"";
    return null;
  }
  const token = stringMember(json, "blobToken");
  const version = stringMember(json, "version");
  configError = "";
  return new FetchConfig(cluster, authority, path, token !== null ? token : "", digest, version !== null ? version : "");
}

/**
 * Pull mode: the policy server's Envoy cluster, the authority and path of its blob endpoint, and the
 * bearer token to send when the server requires one ("" for none).
 */
export class PullConfig {
  constructor(public cluster: string, public authority: string, public path: string, public token: string) {}
}

/**
 * Reads a plugin configuration, or returns null with configError set. `scope` (optional) says which
 * virtual hosts this proxy serves: "mesh" (a sidecar: GAMMA routes), "gateway:NAMESPACE/NAME" (that
 * Gateway's routes), or "" for all of them.
 */
export function readConfig(config: ArrayBuffer): PluginConfig | null {
  const magic = config.byteLength >= 4 ? load<u32>(changetype<usize>(config)) : 0;
  if (magic == 0x42545257 || magic == 0x5a545257) { // "WRTB" (format 1) or "WRTZ" (packed)
    return new PluginConfig(config, "", null);
  }
  const json = String.UTF8.decode(config);
  const cluster = stringMember(json, "pullCluster");
  let pull: PullConfig | null = null;
  if (cluster !== null) {
    const authority = stringMember(json, "pullAuthority");
    const path = stringMember(json, "pullPath");
    if (authority === null) {
      configError = "\"pullAuthority\" must accompany \"pullCluster\"";
      return null;
    }
    const token = stringMember(json, "pullToken");
    pull = new PullConfig(cluster, authority, path !== null ? path : "/v1/blob?wait=30s", token !== null ? token : "");
  }
  const fetch = fetchConfigOf(json);
  if (fetch === null && configError.length > 0) return null;
  if (fetch !== null && pull !== null) {
    configError = "\"blobCluster\" and \"pullCluster\" are two deliveries of the blob: give one";
    return null;
  }
  const member = stringMember(json, "blob");
  if (member !== null && fetch !== null) {
    configError = "\"blob\" and \"blobCluster\" are two deliveries of the blob: give one";
    return null;
  }
  let bytes: ArrayBuffer | null = null;
  if (member !== null) {
    bytes = decodeBase64(member);
    if (bytes === null) {
      configError = "\"blob\" is not valid base64";
      return null;
    }
  } else if (pull === null && fetch === null) {
    return null; // configError names the missing "blob"
  }
  const scope = stringMember(json, "scope");
  if (scope !== null && scope != "" && scope != "mesh" && !scope.startsWith("gateway:")) {
    configError = "\"scope\" must be \"mesh\" or \"gateway:NAMESPACE/NAME\"";
    return null;
  }
  return new PluginConfig(bytes, scope !== null ? scope : "", pull, fetch);
}
