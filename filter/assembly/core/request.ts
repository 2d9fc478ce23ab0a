// What the core needs from its host: the request's headers (and, for response header modifiers, the
// response's). The ABI layer implements it over proxy_get_header_map_value; nothing in core/ calls
// the host itself.

/** A header value as UTF-8 bytes in linear memory, valid until the host's request view is reset. */
export class Bytes {
  ptr: usize = 0;
  len: i32 = 0;
}

/** One header map of the host (the request's, or the response's). */
export abstract class HeaderView {
  /** The (first) value of a header (name lower-case, pseudo-headers included), or null if absent. */
  abstract header(name: string): string | null;
}

export abstract class RequestView extends HeaderView {
  /**
   * As header(), without making a string: points `out` at the value's bytes. The hot path reads
   * `:authority` and `:path` this way, so matching a request allocates nothing. The name is given in
   * UTF-8, encoded once by the caller.
   */
  abstract headerBytes(name: ArrayBuffer, out: Bytes): bool;
  /**
   * As headerBytes(), the name given in UTF-8 (a rule table's), for a look that ends with the next
   * peekHeader() call (header conditions).
   */
  abstract peekHeader(name: ArrayBuffer, out: Bytes): bool;
  /**
   * A number that spreads this request over weighted choices (backends, mirror shares); asked for
   * only when a choice is to be made.
   */
  abstract requestKey(): u32;
  /**
   * The port the request's connection arrived on (a Gateway listener's port, or a sidecar's original
   * destination, i.e. the Service port); 0 when the host does not say.
   */
  abstract destinationPort(): u32;
  /**
   * Points `out` at the connection's original destination as Envoy writes its `destination.address`
   * attribute ("10.96.0.20:9080", "[fd00::14]:9080"); false when the host does not say.
   */
  abstract destinationAddress(out: Bytes): bool;
}
