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
