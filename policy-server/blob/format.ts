/**
 * Constants of rule blob format 3, as docs/blob-format.md defines them, written once: the filter's
 * decoder reads them from filter/assembly/core/blob_format.ts, which `deno task gen:blob-format`
 * (tools/gen_blob_format.ts) writes from this module, and whose test fails when the two differ.
 * (Format 1, the released format before, is in `format1.ts`, for reading stored blobs; format 2 was
 * never released.)
 *
 * @module
 */

/** `WRTB` */
export const MAGIC = [0x57, 0x52, 0x54, 0x42] as const;
export const FORMAT_VERSION = 3;
export const HEADER_SIZE = 32;
/** Bits of the header's flags word. */
export const HEADER_FLAGS = {
  /** The blob was made by a rollback: it may carry an older generation's rules on purpose. */
  ROLLBACK: 1,
} as const;
/**
 * A part's sections. The blob's body holds section 0 of every part (in part order), then section 1
 * of every part, and so on, so that fields of one kind are near each other for DEFLATE; the part
 * directory gives each part's section lengths (varints).
 */
export const SECTION = {
  /** The part's kind, strings and regex programs. */
  TABLES: 0,
  /** The virtual host and its routes (or the frontends). */
  RECORDS: 1,
  /** The HTTPRoutes of the part's rules, then one rule number per rule. */
  RULE_IDS: 2,
  /** The rules: sticky key, filters, backends. */
  RULES: 3,
} as const;
export const SECTION_COUNT = 4;

/** A part's first byte. */
export const PART_KIND = {
  /** One virtual host: its hostnames, routes, rules, backends and filters, with its own strings. */
  VirtualHost: 1,
  /** The Services' frontends (GAMMA by address); at most one part. */
  Frontends: 2,
} as const;

/**
 * A string reference (a varint): `NONE` absent, `NEXT` the part's next string not referenced yet
 * (strings are stored in the order they are first referenced), `ROUTE_NAMESPACE` the namespace of
 * the HTTPRoute of the rule being read (its name up to the `/`), `FIRST + i` string `i` of the part.
 */
export const STRING_REF = { NONE: 0, NEXT: 1, ROUTE_NAMESPACE: 2, FIRST: 3 } as const;
/** A rule's HTTPRoute may declare at most this many rules (indices below it). */
export const MAX_RULES_PER_ROUTE = 65536;
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

/** `WRTZ`: a packed blob, the envelope around a DEFLATE-compressed rule blob. */
export const PACKED_MAGIC = [0x57, 0x52, 0x54, 0x5a] as const;
export const PACKED_VERSION = 1;
/** The envelope's method byte: raw DEFLATE (RFC 1951), without a zlib or gzip wrapper. */
export const PACK_METHOD_DEFLATE = 1;
export const PACKED_HEADER_SIZE = 16;
/** The largest rule blob a packed blob may declare: 64 MiB. */
export const MAX_UNPACKED_LENGTH = 64 * 1024 * 1024;
/**
 * DEFLATE spends at least two bits on a 258-byte copy, so no stream inflates to more than 1032 times
 * its length: a larger declared length is refused before anything is allocated.
 */
export const MAX_DEFLATE_RATIO = 1032;
