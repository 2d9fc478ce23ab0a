// What a matched rule or backendRef does besides choosing a backend, typed: each FILTERS record of
// the blob (docs/blob-format.md) is decoded once, by core/blob.ts, into one of these, and a rule's
// or backend's records into one Filters. Nothing per request reads a record's raw words.

/** HeaderOp.kind: what a header modifier does to its header. */
export const HEADER_SET: u8 = 1, HEADER_ADD: u8 = 2, HEADER_REMOVE: u8 = 3;

/** A RequestHeaderModifier's or ResponseHeaderModifier's set, add or remove of one header. */
export class HeaderOp {
  constructor(public kind: u8,
    /** Lower-case. */
    public name: string,
    /** "" for a remove. */
    public value: string) {}
}

/** A redirect's or rewrite's path: ReplaceFullPath, ReplacePrefixMatch, or the request's own. */
export class PathChange {
  constructor(public modifier: u16,
    /** The new path, or what replaces the matched prefix; "" when the path is kept. */
    public path: string) {}
}

/** RequestRedirect: the request is answered with `status` and a Location. */
export class RedirectOp {
  constructor(
    /** The Location's scheme, or null for the request's. */
    public scheme: string | null,
    /** The Location's hostname, or null for the request's. */
    public hostname: string | null,
    /** The Location's port; 0 derives it from the scheme or the listener (core/rewrite.ts). */
    public port: u32,
    /** 301, 302, 303, 307 or 308. */
    public status: u32,
    public path: PathChange) {}
}

/** URLRewrite: the path is replaced in place; the hostname goes to AUTHORITY_HEADER. */
export class RewriteOp {
  constructor(
    /** The new host, or null to keep it. */
    public hostname: string | null,
    public path: PathChange) {}
}

/** RequestMirror: a `numerator`/`denominator` share of the requests is copied to `cluster`. */
export class MirrorOp {
  constructor(public cluster: string, public label: string, public numerator: u32,
    /** Greater than 0 and at least `numerator` (core/blob.ts checks). */
    public denominator: u32,
    /**
     * Mixed into the request's key, so that two mirrors of one rule sample different requests:
     * from the mirror's position in its rule's filters.
     */
    public salt: u32) {}
}

/** The CORS filter of a rule (its kind-10 record and the kind-11 record after it). */
export class CorsPolicy {
  /** Whether "*" is one of the origins. */
  anyOrigin: bool = false;
  constructor(
    /** The allowed origins, lower-case: `*`, `scheme://host[:port]` or `scheme://*.suffix`. */
    public origins: Array<string>,
    /** Access-Control-Allow-Methods. */
    public allowMethods: string,
    /** Access-Control-Allow-Headers. */
    public allowHeaders: string,
    /** Access-Control-Expose-Headers; "" without. */
    public exposeHeaders: string,
    /** Access-Control-Max-Age, in seconds. */
    public maxAge: u32,
    public allowCredentials: bool) {
    this.anyOrigin = origins.includes("*");
  }
}

const NO_HEADER_OPS = new Array<HeaderOp>(0);
const NO_REWRITES = new Array<RewriteOp>(0);
const NO_MIRRORS = new Array<MirrorOp>(0);

/** The filters of one rule or one backendRef, by what they do; each list keeps the blob's order. */
export class Filters {
  /** Request header operations, in order. */
  request: Array<HeaderOp> = NO_HEADER_OPS;
  /** Response header operations, in order. */
  response: Array<HeaderOp> = NO_HEADER_OPS;
  rewrites: Array<RewriteOp> = NO_REWRITES;
  mirrors: Array<MirrorOp> = NO_MIRRORS;
  /** The first RequestRedirect. */
  redirect: RedirectOp | null = null;
  /** The first CORS filter. */
  cors: CorsPolicy | null = null;
  /** Whether the CORS filter comes before the redirect: a preflight is then answered by CORS. */
  corsFirst: bool = false;
  /** Whether there is anything to do on a routed request (then or on its response). */
  any: bool = false;
}

/** No filters: what a rule or backend without records shares. */
export const NO_FILTERS = new Filters();
