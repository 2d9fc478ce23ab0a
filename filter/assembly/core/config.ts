// Reads the plugin configuration: Istio passes a WasmPlugin's pluginConfig Struct as JSON, so the
// blob arrives base64-encoded in its top-level "blob" member, or (too large for a WasmPlugin) is
// named by "blobCluster"/"blobAuthority"/"blobPath" and pinned by "sha256". Configuration that starts
// with the magic of a blob (plain or packed) is taken as the blob itself. Nothing here traps on any
// input. The JSON is scanned once, as the host's UTF-8 bytes: at 100,000 rules the "blob" member is
// megabytes, so it is neither turned into a string nor copied; its base64 is decoded in place.
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

/** Unescapes a JSON string ByteScanner has checked (so every escape in it is complete). */
class Scanner {
  i: i32 = 0;
  constructor(public s: string) {}
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
          unescaped = String.fromCharCode(I32.parseInt(s.substring(this.i + 2, this.i + 6), 16));
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
}

/** A top-level member of the configuration: its key, and its value's bytes in the buffer. */
class Member {
  constructor(public key: string, public isString: bool, public from: usize, public to: usize, public escaped: bool) {}
}

/**
 * The configuration's top-level members up to the first malformed one, in order, as one pass over
 * the bytes finds them; null (and configError) when it is no JSON object. A string value is kept as
 * its bytes between the quotes; a key is made a string (keys are short).
 */
function scanMembers(base: usize, len: usize): Array<Member> | null {
  const p = new ByteScanner(base, len);
  p.ws();
  if (p.i >= len || p.at(p.i) != 0x7b) {
    configError = "configuration is neither a rule blob nor a JSON object";
    return null;
  }
  p.i++;
  const members = new Array<Member>();
  while (true) {
    p.ws();
    if (p.i < len && p.at(p.i) == 0x7d) break;
    const k = p.i;
    if (!p.str()) break;
    const key = p.text(k, p.i);
    if (key === null) break;
    p.ws();
    if (p.i >= len || p.at(p.i) != 0x3a) break;
    p.i++;
    p.ws();
    const v = p.i;
    if (p.str()) {
      members.push(new Member(key, true, base + v + 1, base + p.i - 1, p.escaped));
    } else {
      members.push(new Member(key, false, 0, 0, false));
      p.i = v;
      if (!p.skip()) break;
    }
    p.ws();
    if (p.i < len && p.at(p.i) == 0x2c) p.i++;
  }
  return members;
}

/** The first member named `name`, or null (configError saying it is missing). */
function memberNamed(members: Array<Member>, name: string): Member | null {
  for (let i = 0; i < members.length; i++) {
    if (unchecked(members[i]).key == name) return unchecked(members[i]);
  }
  configError = "configuration has no \"" + name + "\" member";
  return null;
}

/** A string member's value, unescaped; null (and configError) when absent or not a string. */
function stringMember(members: Array<Member>, name: string): string | null {
  const m = memberNamed(members, name);
  if (m === null) return null;
  if (!m.isString) {
    configError = "\"" + name + "\" must be a string";
    return null;
  }
  if (!m.escaped) return String.UTF8.decodeUnsafe(m.from, m.to - m.from);
  // With its quotes, unescaped as the JSON string it is (checked when it was scanned).
  const quoted = new Scanner(String.UTF8.decodeUnsafe(m.from - 1, m.to - m.from + 2));
  return quoted.str();
}

/** A cursor over JSON bytes. */
class ByteScanner {
  i: usize = 0;
  /** Whether the last string str() passed over had an escape. */
  escaped: bool = false;
  constructor(public base: usize, public len: usize) {}
  at(i: usize): u32 {
    return <u32>load<u8>(this.base + i);
  }
  ws(): void {
    while (this.i < this.len) {
      const c = this.at(this.i);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
      this.i++;
    }
  }
  /** Passes over a JSON string at the cursor, as Scanner.str does; false if there is none or it is malformed. */
  str(): bool {
    this.escaped = false;
    if (this.i >= this.len || this.at(this.i) != 0x22) return false;
    this.i++;
    while (this.i < this.len) {
      const c = this.at(this.i);
      if (c == 0x22) {
        this.i++;
        return true;
      }
      if (c == 0x5c) {
        if (this.i + 1 >= this.len) return false;
        if (this.at(this.i + 1) == 0x75) {
          if (this.i + 6 > this.len || !hex4(this.base + this.i + 2)) return false;
          this.i += 6;
        } else {
          this.i += 2;
        }
        this.escaped = true;
        continue;
      }
      this.i++;
    }
    return false;
  }
  /** The JSON string at [from, to) (quotes included) as a string, unescaped; null if it is not one. */
  text(from: usize, to: usize): string | null {
    if (!this.escaped) return String.UTF8.decodeUnsafe(this.base + from + 1, to - from - 2);
    return new Scanner(String.UTF8.decodeUnsafe(this.base + from, to - from)).str();
  }
  /** Skips any JSON value; false if malformed. Depth is bounded so hostile input cannot recurse. */
  skip(): bool {
    let depth = 0;
    do {
      this.ws();
      if (this.i >= this.len) return false;
      const c = this.at(this.i);
      if (c == 0x22) {
        if (!this.str()) return false;
      } else if (c == 0x7b || c == 0x5b) {
        if (++depth > 64) return false;
        this.i++;
      } else if (c == 0x7d || c == 0x5d) {
        if (--depth < 0) return false;
        this.i++;
      } else {
        // A number, true, false or null is passed over whole (a comma or colon inside a container is
        // one character): a top-level member's value is one of these as often as not.
        this.i++;
        while (this.i < this.len && inLiteral(this.at(this.i))) this.i++;
      }
    } while (depth > 0);
    return true;
  }
}

/** Whether `c` may continue a JSON number or literal (`-1.5e+3`, `true`): a letter, digit, sign or point. */
function inLiteral(c: u32): bool {
  return (c | 0x20) - 0x61 < 26 || c - 0x30 < 10 || c == 0x2b || c == 0x2d || c == 0x2e;
}

/**
 * Whether the four bytes at `p` are hex digits, as a \\u escape needs (Scanner then parses them).
 * Not I32.parseInt: an i32 has no NaN, so it answers 0 for "zzzz" as for "0000".
 */
function hex4(p: usize): bool {
  for (let k: usize = 0; k < 4; k++) {
    const c = <u32>load<u8>(p + k), lower = c | 0x20;
    if (c - 0x30 >= 10 && lower - 0x61 >= 6) return false;
  }
  return true;
}

/**
 * Decodes the base64 at [from, to) in place (each three bytes written over four read); the length
 * decoded, or -1 on a character that is not base64, padding or whitespace.
 */
function decodeBase64InPlace(from: usize, to: usize): i32 {
  const t = base64Table();
  let acc: u32 = 0, bits: u32 = 0, n: usize = 0;
  for (let p = from; p < to; p++) {
    const c = <u32>load<u8>(p);
    if (c == 0x3d || c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) continue;
    const v = unchecked(t[c]);
    if (v == B64_INVALID) return -1;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      store<u8>(from + n++, <u8>(acc >> bits));
    }
  }
  return <i32>n;
}

/**
 * What a plugin configuration holds: the rule blob (possibly none, in pull mode), which traffic this
 * proxy serves, and where to pull newer blobs from.
 */
export class PluginConfig {
  /** Where in `blob` the blob's bytes are: a base64 member is decoded in place in the configuration's buffer. */
  blobFrom: u32 = 0;
  blobLength: u32 = 0;
  constructor(
    public blob: ArrayBuffer | null,
    public scope: string,
    public pull: PullConfig | null,
    public fetch: FetchConfig | null = null,
  ) {
    if (blob !== null) this.blobLength = <u32>blob.byteLength;
  }
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
function fetchConfigOf(json: Array<Member>): FetchConfig | null {
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
 * Gateway's routes), or "" for all of them. A "blob" member is decoded in place: `config` is
 * changed, and the blob is its bytes at [blobFrom, blobFrom + blobLength).
 */
export function readConfig(config: ArrayBuffer): PluginConfig | null {
  const magic = config.byteLength >= 4 ? load<u32>(changetype<usize>(config)) : 0;
  if (magic == 0x42545257 || magic == 0x5a545257) { // "WRTB" (format 1) or "WRTZ" (packed)
    return new PluginConfig(config, "", null);
  }
  const json = scanMembers(changetype<usize>(config), <usize>config.byteLength);
  if (json === null) return null;
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
  let member = memberNamed(json, "blob");
  if (member !== null && !member.isString) {
    configError = "\"blob\" must be a string";
    member = null;
  }
  if (member !== null && fetch !== null) {
    configError = "\"blob\" and \"blobCluster\" are two deliveries of the blob: give one";
    return null;
  }
  let bytes: ArrayBuffer | null = null, from: u32 = 0, length: i32 = 0;
  if (member !== null) {
    if (member.escaped) {
      // Escapes ("\\/") in base64 are rare: decoded as before, into a buffer of their own.
      bytes = decodeBase64(stringMember(json, "blob")!);
      length = bytes !== null ? bytes.byteLength : -1;
    } else {
      bytes = config;
      from = <u32>(member.from - changetype<usize>(config));
      length = decodeBase64InPlace(member.from, member.to);
    }
    if (length < 0) {
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
  const out = new PluginConfig(bytes, scope !== null ? scope : "", pull, fetch);
  out.blobFrom = from;
  out.blobLength = <u32>length;
  return out;
}
