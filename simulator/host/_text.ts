// UTF-8 and header-name helpers tuned for the hot path: header names and values are short and
// nearly always ASCII, where a byte loop beats TextEncoder/TextDecoder's per-call overhead.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Lower-cases A-Z only, byte-wise like pwhost's `std::tolower` in the C locale. */
export function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return lowerFrom(s, i);
  }
  return s;
}

function lowerFrom(s: string, start: number): string {
  let out = s.slice(0, start);
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

/** Decodes UTF-8 bytes `u8[start, end)`; invalid sequences become U+FFFD. */
export function decodeUtf8(u8: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let out = "";
    for (let i = start; i < end; i++) {
      const b = u8[i];
      if (b >= 0x80) return decoder.decode(u8.subarray(start, end));
      out += String.fromCharCode(b);
    }
    return out;
  }
  return decoder.decode(u8.subarray(start, end));
}

/**
 * Short strings the module sends again and again (header names, property paths, cluster names) and
 * header values it reads again and again are converted once: Envoy keeps headers as bytes and only
 * copies them, so a host that re-encodes every value on every call would time JS string conversion,
 * not the filter. Both caches are bounded and keyed by content, so a hit returns exactly what a fresh
 * conversion would.
 */
const CACHE_LIMIT = 4096;
const CACHED_MAX_BYTES = 256;
/** A decoded string and the bytes it was decoded from. */
interface Decoded {
  bytes: Uint8Array;
  text: string;
}
const decoded = new Map<number, Decoded[]>();
let decodedCount = 0;
const encoded = new Map<string, Uint8Array>();

/**
 * The last string decoded at each place, direct-mapped: a module passes its names and table strings
 * from the same addresses every time, so most calls cost one comparison of the bytes. Each place is
 * one flat slot — its address and length, then the bytes — so a hit reads one run of memory rather
 * than an entry object and its own byte array (with a large rule table, every one a cache miss).
 */
const PLACES = 4096;
const SLOT_BYTES = 128;
const SLOT_TEXT = SLOT_BYTES - 8;
const placeBytes = new Uint8Array(PLACES * SLOT_BYTES);
const placeWords = new Int32Array(placeBytes.buffer).fill(-1);
const placeText: string[] = new Array(PLACES).fill("");
const placeLower: (string | undefined)[] = new Array(PLACES).fill(undefined);

/** As {@linkcode decodeUtf8}, remembering short byte strings it has decoded before. */
export function decodeUtf8Cached(u8: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n > SLOT_TEXT) {
    return n > CACHED_MAX_BYTES ? decodeUtf8(u8, start, end) : byContent(u8, start, end, n).text;
  }
  return placeText[placeOf(u8, start, n)];
}

/**
 * A header name sent by the module: decoded as {@linkcode decodeUtf8Cached}, then lower-cased as
 * Envoy's `LowerCaseString` does, once per distinct name rather than on every call.
 */
export function headerNameCached(u8: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n > SLOT_TEXT) return asciiLower(decodeUtf8Cached(u8, start, end));
  const place = placeOf(u8, start, n);
  return placeLower[place] ??= internalized(asciiLower(placeText[place]));
}

/** The place holding the `n` bytes at `u8[start]`, filled with them first if it held others. */
function placeOf(u8: Uint8Array, start: number, n: number): number {
  // Addresses are aligned: multiply to spread their high bits over the slot number.
  const place = Math.imul(start ^ (n << 20), 0x9e3779b1) >>> 20;
  const word = place * (SLOT_BYTES >> 2), at = place * SLOT_BYTES + 8;
  if (placeWords[word] === start && placeWords[word + 1] === n && sameBytes(placeBytes, at, u8, start, n)) {
    return place;
  }
  placeWords[word] = start;
  placeWords[word + 1] = n;
  placeBytes.set(u8.subarray(start, start + n), at);
  placeText[place] = byContent(u8, start, start + n, n).text;
  placeLower[place] = undefined;
  return place;
}

function byContent(u8: Uint8Array, start: number, end: number, n: number): Decoded {
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < end; i++) h = Math.imul(h ^ u8[i], 0x01000193);
  const bucket = decoded.get(h);
  if (bucket) {
    for (const e of bucket) if (e.bytes.length === n && sameBytes(e.bytes, 0, u8, start, n)) return e;
  }
  if (decodedCount >= CACHE_LIMIT) {
    decoded.clear();
    decodedCount = 0;
  }
  const entry: Decoded = {
    bytes: u8.slice(start, end),
    text: internalized(decodeUtf8(u8, start, end)),
  };
  if (bucket) bucket.push(entry);
  else decoded.set(h, [entry]);
  decodedCount++;
  return entry;
}

/**
 * The engine's one canonical copy of `s`. A string built a character at a time is a rope that
 * every later comparison walks again; a canonical one compares with another canonical string (the
 * header names a host holds) by identity, as Envoy compares header names it keeps as bytes. V8
 * makes the keys of object literals canonical.
 */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

/** Whether the `n` bytes at `a[at]` and at `u8[start]` are the same. */
function sameBytes(a: Uint8Array, at: number, u8: Uint8Array, start: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[at + i] !== u8[start + i]) return false;
  return true;
}

/** UTF-8 of `s`, remembered for short strings; callers must not modify the result. */
export function encodeUtf8Cached(s: string): Uint8Array {
  if (s.length > CACHED_MAX_BYTES) return encoder.encode(s);
  let bytes = encoded.get(s);
  if (bytes === undefined) {
    if (encoded.size >= CACHE_LIMIT) encoded.clear();
    encoded.set(s, bytes = encoder.encode(s));
  }
  return bytes;
}

/** Decodes a whole byte array as UTF-8. */
export function bytesToString(bytes: Uint8Array): string {
  return decodeUtf8(bytes, 0, bytes.length);
}

/** Encodes a string as UTF-8. */
export function stringToBytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Byte length of `s` in UTF-8 (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // 4 bytes for 2 UTF-16 units
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/** Writes `s` as UTF-8 at `u8[at]`; `length` must be `utf8Length(s)`. */
export function writeUtf8(u8: Uint8Array, at: number, s: string, length: number): void {
  if (length === s.length) {
    for (let i = 0; i < length; i++) u8[at + i] = s.charCodeAt(i);
  } else {
    encoder.encodeInto(s, u8.subarray(at, at + length));
  }
}
