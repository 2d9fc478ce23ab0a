/**
 * IP address literals as Kubernetes takes them in a Service's `clusterIP`, and in the form Envoy
 * prints them (`destination.address`), which is what the rule blob stores.
 *
 * @module
 */

/** A parsed IP literal: its family and its canonical text. */
export interface IpAddress {
  family: "IPv4" | "IPv6";
  /** Dotted decimal without leading zeros, or RFC 5952 text (lower-case, longest zero run as `::`). */
  canonical: string;
}

// Go's net.ParseIP (and the API server's ParseIPSloppy) read four decimal octets, leading zeros and
// all, as decimal.
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses an IPv4 or IPv6 literal, or returns `undefined` for anything else (a zone, brackets, a
 * prefix length, `None`, a hostname).
 *
 * @example
 * ```ts
 * import { parseIpAddress } from "./ip_address.ts";
 * if (parseIpAddress("FD00:0:0::0A")?.canonical !== "fd00::a") throw new Error("not canonical");
 * if (parseIpAddress("None") !== undefined) throw new Error("not an address");
 * ```
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = IPV4.exec(text);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    return octets.every((o) => o <= 255) ? { family: "IPv4", canonical: octets.join(".") } : undefined;
  }
  if (!text.includes(":") || /[^0-9a-fA-F:.]/.test(text)) return undefined;
  try {
    // The URL parser's IPv6 serialiser is RFC 5952's: lower-case, no leading zeros, the first longest
    // run of two or more zero groups compressed.
    const host = new URL(`http://[${text}]/`).hostname;
    return { family: "IPv6", canonical: host.slice(1, -1) };
  } catch {
    return undefined;
  }
}
