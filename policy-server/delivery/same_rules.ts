/**
 * Whether two rule blobs say the same thing, whatever version they carry.
 *
 * @module
 */
import { HEADER_SIZE } from "../blob/format.ts";

/** Header bytes that differ between blobs of the same rules: the checksum (12..16) and generation (16..20). */
const VERSION_FIELDS = { start: 12, end: 20 } as const;

/**
 * `true` when `a` and `b` are equal except for the header's checksum and generation
 * (docs/blob-format.md), i.e. the same rules compiled at different generations. The checksum
 * covers the generation, so it has to be skipped too; every other byte — sections, magic, format,
 * length — must match. Inputs too short to hold a header are compared whole.
 */
export function sameRules(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.length < HEADER_SIZE) return a.every((byte, i) => byte === b[i]);
  for (let i = 0; i < a.length; i++) {
    if (i === VERSION_FIELDS.start) i = VERSION_FIELDS.end;
    if (a[i] !== b[i]) return false;
  }
  return true;
}
