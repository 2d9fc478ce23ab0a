// Path and location arithmetic of RequestRedirect and URLRewrite, as Gateway API specifies it.
import { PATH_MODIFIER_REPLACE_FULL_PATH, PATH_MODIFIER_REPLACE_PREFIX_MATCH } from "./blob_format";
import { PathChange, RedirectOp } from "./filters";

/**
 * ReplacePrefixMatch: swaps the matched prefix for `replacement` on whole segments. A trailing "/" in
 * the replacement is dropped and an empty result is "/", which gives every row of the spec's table
 * (e.g. /foo/bar with /foo → /xyz is /xyz/bar; /foo with /foo → "" is /).
 */
export function replacePrefix(path: string, prefix: string, replacement: string): string {
  // Prefixes are stored without a trailing "/", so "/" alone means "no segment matched".
  const matched = prefix == "/" ? 0 : prefix.length;
  const rest = path.length > matched ? path.substring(matched) : "";
  let head = replacement;
  while (head.length > 0 && head.charCodeAt(head.length - 1) == 0x2f) head = head.substring(0, head.length - 1);
  let out = head + rest;
  if (out.length == 0) return "/";
  if (out.charCodeAt(0) != 0x2f) out = "/" + out;
  return out;
}

/** The path a redirect or rewrite leads to; `prefix` is what the matched route's PathPrefix held. */
export function modifiedPath(change: PathChange, path: string, prefix: string): string {
  if (change.modifier == PATH_MODIFIER_REPLACE_FULL_PATH) return change.path;
  if (change.modifier == PATH_MODIFIER_REPLACE_PREFIX_MATCH) return replacePrefix(path, prefix, change.path);
  return path;
}

function wellKnownPort(scheme: string): u32 {
  return scheme == "https" ? 443 : scheme == "http" ? 80 : 0;
}

/**
 * The Location of a RequestRedirect. Without a port in the filter, the port is the new scheme's
 * well-known port when the filter sets a scheme, else `port`, the listener's (the port the request
 * arrived on); the port is left out where it is the scheme's default, as the spec asks.
 */
export function redirectLocation(op: RedirectOp, scheme: string, host: string, port: u32, path: string, query: string,
  prefix: string): string {
  const setScheme = op.scheme;
  const toScheme = setScheme !== null ? setScheme : scheme;
  let toPort = op.port;
  if (toPort == 0) toPort = setScheme !== null ? wellKnownPort(toScheme) : port;
  const omitPort = toPort == 0 || toPort == wellKnownPort(toScheme);
  const setHost = op.hostname;
  return toScheme + "://" + (setHost !== null ? setHost : host) + (omitPort ? "" : ":" + toPort.toString()) +
    modifiedPath(op.path, path, prefix) + (query.length > 0 ? "?" + query : "");
}
