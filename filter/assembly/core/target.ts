// The request's `:path` as the host's bytes, and what one scan of it found (core/decide.ts, scanPath).
import { Bytes } from "./request";

/** Segment prefixes scanPath() has room for at first; a deeper path makes room once. */
const SEGMENTS = 32;

/**
 * The request's `:path` as the host's bytes: the path ends at "?" or "#", the query runs from "?"
 * to "#". Strings are made only when a rule needs one (a regular expression, a rewrite, a redirect).
 */
export class Target {
  raw: Bytes = new Bytes();
  pathEnd: i32 = 0;
  queryStart: i32 = 0;
  queryEnd: i32 = 0;
  /** The hash of the whole path (core/hash.ts). */
  pathHash: u32 = 0;
  /**
   * The segment prefixes some prefix rule could match, by their length, and their hashes: the
   * bytes before a "/" unless they end in "/" themselves ("/a/b/" has "/a" and "/a/b").
   */
  prefixEnds: StaticArray<i32> = new StaticArray<i32>(SEGMENTS);
  prefixHashes: StaticArray<u32> = new StaticArray<u32>(SEGMENTS);
  prefixCount: i32 = 0;
  private pathString: string | null = null;
  private queryString: string | null = null;

  /** Forgets the strings made of the last request's bytes. */
  forgetStrings(): void {
    this.pathString = null;
    this.queryString = null;
  }
  path(): string {
    const known = this.pathString;
    if (known !== null) return known;
    const s = String.UTF8.decodeUnsafe(this.raw.ptr, <usize>this.pathEnd);
    this.pathString = s;
    return s;
  }
  query(): string {
    const known = this.queryString;
    if (known !== null) return known;
    const s = String.UTF8.decodeUnsafe(this.raw.ptr + <usize>this.queryStart, <usize>(this.queryEnd - this.queryStart));
    this.queryString = s;
    return s;
  }
  /**
   * Finds the first value of query parameter `name` (UTF-8), as Envoy's query matching takes it: the
   * bytes after "=" up to the next "&" ("" without "="). Leaves it in `found`; false when absent.
   */
  findParam(name: ArrayBuffer, found: Bytes): bool {
    const p = this.raw.ptr;
    const key = changetype<usize>(name), keyLen = name.byteLength;
    let i = this.queryStart;
    const end = this.queryEnd;
    while (i < end) {
      let amp = i;
      while (amp < end && load<u8>(p + <usize>amp) != 0x26) amp++;
      let eq = i;
      while (eq < amp && load<u8>(p + <usize>eq) != 0x3d) eq++;
      if (amp > i && eq - i == keyLen && memory.compare(p + <usize>i, key, <usize>keyLen) == 0) {
        found.ptr = p + <usize>min(eq + 1, amp);
        found.len = eq < amp ? amp - eq - 1 : 0;
        return true;
      }
      i = amp + 1;
    }
    return false;
  }
}
