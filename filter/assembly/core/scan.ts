// Reading a request's `:path` and `:authority` where the host's buffers lie: one pass each, eight
// bytes at a time, and no string made. What a scan finds is left in the Target or Authority it is
// given (the caller's, reused from request to request).
import { grown } from "./grown";
import { bytesOf, HASH_SEED, hashFinish, hashStep, tailWord } from "./hash";
import { Bytes } from "./request";
import { Target } from "./target";

/** The `:authority` as the host's bytes: the hostname (before a port) and the port. */
export class Authority {
  raw: Bytes = new Bytes();
  hostLen: i32 = 0;
  /** The port named in Host, else 80. */
  port: u32 = 80;
  hasPort: bool = false;
  private hostString: string | null = null;

  forgetHost(): void {
    this.hostString = null;
  }
  /** The hostname, lower-cased (for a redirect's Location). */
  host(): string {
    const known = this.hostString;
    if (known !== null) return known;
    let s = String.UTF8.decodeUnsafe(this.raw.ptr, <usize>this.hostLen);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x41 && c <= 0x5a) {
        s = s.toLowerCase();
        break;
      }
    }
    this.hostString = s;
    return s;
  }
}

/** Decimal digits as a port; 0 when there are none or the number is out of range. */
function parsePort(p: usize, n: i32): u32 {
  let v: u32 = 0;
  if (n == 0) return 0;
  for (let i = 0; i < n; i++) {
    const d = <u32>load<u8>(p + i) - 0x30;
    if (d > 9) return i == 0 ? 0 : v;
    v = v * 10 + d;
    if (v > 65535) return 0;
  }
  return v;
}

/** Makes room for more segment prefixes (core/grown.ts); the path's length bounds it. */
function growPrefixes(target: Target): i32 {
  target.prefixEnds = grown<i32>(target.prefixEnds);
  target.prefixHashes = grown<u32>(target.prefixHashes);
  return target.prefixEnds.length;
}

/**
 * Reads the request's `:path` (Target.raw) in one pass, eight bytes at a time: where the path and
 * query end, the path's hash, and the segment prefixes of a length in `lengths` (bit n: n bytes,
 * bit 63: 63 or more; RouteIndex.prefixLengths) with their hashes — the state so far finished with
 * the prefix's bytes of the current word.
 */
export function scanPath(target: Target, lengths: u64): void {
  const p = target.raw.ptr, n = target.raw.len;
  let ends = changetype<usize>(target.prefixEnds), hashes = changetype<usize>(target.prefixHashes);
  let room = target.prefixEnds.length;
  let count = 0, i = 0, end = n, h = HASH_SEED, pathHash: u32 = 0;
  // The high bit of the previous byte's "/" test: a "/" after a "/" ends no segment, nor does the first.
  let carry: u64 = 0x80;
  while (i < n) {
    const take = min(n - i, 8);
    const w = take == 8 ? load<u64>(p + <usize>i) : tailWord(p + <usize>i, take);
    let slashes = bytesOf(w, 0x2f);
    const stops = bytesOf(w, 0x3f) | bytesOf(w, 0x23);
    if (stops != 0) slashes &= (stops & (~stops + 1)) - 1; // bytes before the first "?" or "#"
    let segments = slashes & ~((slashes << 8) | carry);
    carry = slashes >> 56;
    // A prefix ending in this word is the state so far finished with its bytes of the word.
    while (segments != 0) {
      const bit = ctz(segments);
      segments &= segments - 1;
      const at = i + <i32>(bit >> 3);
      if (((lengths >> <u64>min(at, 63)) & 1) == 0) continue;
      if (count == room) {
        room = growPrefixes(target);
        ends = changetype<usize>(target.prefixEnds);
        hashes = changetype<usize>(target.prefixHashes);
      }
      store<i32>(ends + (<usize>count << 2), at);
      store<u32>(hashes + (<usize>count << 2), hashFinish(h, w & ((<u64>1 << (bit & ~7)) - 1), at));
      count++;
    }
    if (stops != 0) {
      const bit = ctz(stops);
      end = i + <i32>(bit >> 3);
      pathHash = hashFinish(h, w & ((<u64>1 << (bit & ~7)) - 1), end);
      break;
    }
    if (take < 8) pathHash = hashFinish(h, w, n);
    else h = hashStep(h, w);
    i += take;
  }
  // A path of whole words, and no "?" or "#": its hash is the state finished with no more bytes.
  if (end == n && (n & 7) == 0) pathHash = hashFinish(h, 0, n);
  target.pathHash = pathHash;
  target.pathEnd = end;
  target.prefixCount = count;
  findQuery(target);
  target.forgetStrings();
}

/** Where the query of a scanned path (pathEnd known) starts and ends: from a "?" up to a "#". */
function findQuery(target: Target): void {
  const p = target.raw.ptr, n = target.raw.len, end = target.pathEnd;
  let queryEnd = end;
  if (end < n && load<u8>(p + <usize>end) == 0x3f) {
    queryEnd = end + 1;
    while (queryEnd < n && load<u8>(p + <usize>queryEnd) != 0x23) queryEnd++;
    target.queryStart = end + 1;
  } else {
    target.queryStart = end;
  }
  target.queryEnd = queryEnd;
}

/** Reads `len` bytes at `ptr` as a request's `:path` into `target` (scanPath); returns it. */
export function scanTarget(target: Target, ptr: usize, len: i32, lengths: u64): Target {
  target.raw.ptr = ptr;
  target.raw.len = len;
  scanPath(target, lengths);
  return target;
}

/** Reads the request's `:authority` (Authority.raw): the hostname's length and the port. */
export function scanAuthority(authority: Authority): void {
  const p = authority.raw.ptr, n = authority.raw.len;
  // The last ":" or "]", eight bytes at a time: a port follows a ":" unless a "]" (the end of an
  // IPv6 literal) comes after it.
  let last = -1;
  for (let i = 0; i < n; i += 8) {
    const take = min(n - i, 8);
    const w = take == 8 ? load<u64>(p + <usize>i) : tailWord(p + <usize>i, take);
    const marks = bytesOf(w, 0x3a) | bytesOf(w, 0x5d);
    if (marks != 0) last = i + <i32>((63 - clz(marks)) >> 3);
  }
  const colon = last >= 0 && load<u8>(p + <usize>last) == 0x3a ? last : -1;
  authority.forgetHost();
  authority.hasPort = colon >= 0;
  authority.hostLen = colon >= 0 ? colon : n;
  authority.port = colon >= 0 ? parsePort(p + <usize>colon + 1, n - colon - 1) : 80;
}
