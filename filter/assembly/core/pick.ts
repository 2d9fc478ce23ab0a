// The backend pick of a weighted rule: a key spread over the total weight. The key is the request's
// own (from its id: the same request lands on the same backend in every host and worker), or for a
// sticky canary the hash of a header's or cookie's value (one client, one backend).
import { STICKY_HEADER, STICKY_COOKIE } from "./blob_format";
import { Action, Backend } from "./blob";
import { RequestView } from "./request";

/** The backend of `a` that the request's key picks; null when the weights leave it nowhere. */
export function pickBackend(a: Action, req: RequestView): Backend | null {
  let x = stickyKey(a, req) % a.totalWeight;
  for (let i = 0; i < a.backends.length; i++) {
    const b = unchecked(a.backends[i]);
    if (x < b.weight) return b;
    x -= b.weight;
  }
  return null;
}

/**
 * The key a weighted pick hashes: the sticky header's or cookie's value when the rule has one and
 * the request carries it, else the request's own key.
 */
function stickyKey(a: Action, req: RequestView): u32 {
  if (a.stickyFrom == STICKY_HEADER) {
    const v = req.header(a.stickyKey);
    if (v !== null) return hashKey(v);
  } else if (a.stickyFrom == STICKY_COOKIE) {
    const c = req.header("cookie");
    const v = c !== null ? cookieValue(c, a.stickyKey) : null;
    if (v !== null) return hashKey(v);
  }
  return req.requestKey();
}

/** A cookie's value from a Cookie header (`a=1; b=2`), or null. */
export function cookieValue(header: string, name: string): string | null {
  const parts = header.split(";");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i].trim();
    const eq = p.indexOf("=");
    if (eq > 0 && p.substring(0, eq) == name) return p.substring(eq + 1);
  }
  return null;
}

/**
 * FNV-1a over a string's UTF-16 code units, then murmur3's finaliser so that ids differing only in
 * their last characters (req-1, req-2, ...) still spread evenly over small weights.
 */
export function hashKey(s: string): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h = (h ^ <u32>s.charCodeAt(i)) * 0x01000193;
  }
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}
