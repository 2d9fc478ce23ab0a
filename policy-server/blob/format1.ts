/**
 * Constants of rule blob format 1 (docs/blob-format.md, "Format 1"), which the policy server no
 * longer writes: kept so that `decode_format1.ts` can read the format-1 generations a store kept from
 * before format 2 (the blob history, a rollback). Not part of the filter's copy of the constants.
 *
 * @module
 */

/** `WRTB` */
export const MAGIC = [0x57, 0x52, 0x54, 0x42] as const;
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 32;
/** Bits of the header's flags word. */
export const HEADER_FLAGS = {
  /** The blob was made by a rollback: it may carry an older generation's rules on purpose. */
  ROLLBACK: 1,
} as const;
export const DIRECTORY_ENTRY_SIZE = 12;
/** An absent string reference. */
export const NONE = 0xffffffff;

export const Section = {
  STRINGS: 1,
  VHOSTS: 2,
  ROUTES: 3,
  CONDITIONS: 4,
  ACTIONS: 5,
  BACKENDS: 6,
  FILTERS: 7,
  PROGRAMS: 8,
  /** Optional: absent when the table has none (a decoder that predates it skips it). */
  FRONTENDS: 9,
} as const;

/** Record sizes of the record sections, by section id. */
export const RECORD_SIZE: Record<number, number> = {
  [Section.VHOSTS]: 24,
  [Section.ROUTES]: 24,
  [Section.CONDITIONS]: 16,
  [Section.ACTIONS]: 28,
  [Section.BACKENDS]: 20,
  [Section.FILTERS]: 20,
  [Section.FRONTENDS]: 16,
};

export const HOST_KIND = { any: 0, exact: 1, wildcard: 2 } as const;
export const MODE = { gateway: 0, mesh: 1 } as const;
export const PATH_KIND = { None: 0, Exact: 1, PathPrefix: 2, RegularExpression: 3 } as const;
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
  CORSExpose: 11,
} as const;
/** A redirect's or rewrite's path modifier, in a filter record's flags. */
export const PATH_MODIFIER = { ReplaceFullPath: 1, ReplacePrefixMatch: 2 } as const;
export const BACKEND_UNRESOLVED = 1;
/** An action's sticky-key source, in its flags. */
export const STICKY = { header: 1, cookie: 2 } as const;
