/**
 * Constants of rule blob format 2 (the layout docs/blob-format.md described before format 3: one
 * self-contained part after another, each with its own CRC-32), which the policy server no longer
 * writes: kept so that `decode_format2.ts` can read the format-2 generations a store kept. Not part of
 * the filter's copy of the constants.
 *
 * @module
 */

/** `WRTB` */
export const MAGIC = [0x57, 0x52, 0x54, 0x42] as const;
export const FORMAT_VERSION = 2;
export const HEADER_SIZE = 32;
/** Bits of the header's flags word. */
export const HEADER_FLAGS = {
  /** The blob was made by a rollback: it may carry an older generation's rules on purpose. */
  ROLLBACK: 1,
} as const;
/** A part directory entry: u32 length, u32 CRC-32 of the part's bytes. */
export const PART_ENTRY_SIZE = 8;

/** A part's first byte. */
export const PART_KIND = {
  /** One virtual host: its hostnames, routes, rules, backends and filters, with its own strings. */
  VirtualHost: 1,
  /** The Services' frontends (GAMMA by address); at most one part. */
  Frontends: 2,
} as const;

/**
 * A string reference (a varint): `NONE` absent, `NEXT` the part's next string not referenced yet
 * (strings are stored in the order they are first referenced), `FIRST + i` string `i` of the part.
 */
export const STRING_REF = { NONE: 0, NEXT: 1, FIRST: 2 } as const;
/** A route's action reference (a varint): a new action follows inline, or `k` ≥ 1: the k-th latest. */
export const ACTION_REF_NEW = 0;
/** Varints are unsigned LEB128 of at most this many bytes (values below 2^32). */
export const MAX_VARINT_BYTES = 5;

/** Not on the wire: what the decoder derives from a hostname (`*`, `*.suffix`, else exact). */
export const HOST_KIND = { any: 0, exact: 1, wildcard: 2 } as const;
export const MODE = { gateway: 0, mesh: 1 } as const;
/** A route's head byte: the path kind in the low two bits, and the flags of ROUTE_FLAG. */
export const PATH_KIND = { None: 0, Exact: 1, PathPrefix: 2, RegularExpression: 3 } as const;
export const ROUTE_FLAG = { METHOD: 4, CONDITIONS: 8 } as const;
export const CONDITION_KIND = { HeaderExact: 1, HeaderRegex: 2, QueryExact: 3, QueryRegex: 4 } as const;
export const FILTER_KIND = {
  RequestHeaderSet: 1,
  RequestHeaderAdd: 2,
  RequestHeaderRemove: 3,
  ResponseHeaderSet: 4,
  ResponseHeaderAdd: 5,
  ResponseHeaderRemove: 6,
  RequestRedirect: 7,
  URLRewrite: 8,
  RequestMirror: 9,
  CORS: 10,
} as const;
/** A redirect's or rewrite's path modifier; 0: the path is kept. */
export const PATH_MODIFIER = { ReplaceFullPath: 1, ReplacePrefixMatch: 2 } as const;
/** A backend's flags byte. */
export const BACKEND_FLAG = {
  /** The backendRef could not be resolved: its share answers 500. */
  UNRESOLVED: 1,
  /**
   * The cluster and label are derived from namespace, name and port: `outbound|PORT||NAME.NS.` +
   * {@linkcode DERIVED_CLUSTER_SUFFIX} and `NS/NAME:PORT`.
   */
  DERIVED: 2,
} as const;
/** The domain part of a derived cluster name (Istio's, for the default cluster domain). */
export const DERIVED_CLUSTER_SUFFIX = "svc.cluster.local";
/** An action's sticky-key source. */
export const STICKY = { header: 1, cookie: 2 } as const;

/** Inverts one of the kind tables above. */
export function nameOf<T extends Record<string, number>>(table: T, value: number): keyof T | undefined {
  return (Object.keys(table) as (keyof T)[]).find((k) => table[k] === value);
}
