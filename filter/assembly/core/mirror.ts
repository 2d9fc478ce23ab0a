// RequestMirror: which requests a mirror copies, and what the copy is. The copy is the request as
// it will be forwarded, the host suffixed "-shadow" as Envoy's own mirroring does; the ABI layer
// sends it with an HTTP call and ignores the answer, so a mirror never changes the primary response.
import { MirrorOp } from "./filters";
import { CLUSTER_HEADER } from "./internal_headers";

/** How long a mirrored request may take; its answer is ignored either way. */
export const MIRROR_TIMEOUT_MS: u32 = 5000;

/** Whether mirror `m` copies the request of key `key` (its share, salted per mirror). */
export function mirrorSampled(m: MirrorOp, key: u32): bool {
  return ((key ^ m.salt) % m.denominator) < m.numerator;
}

/**
 * The headers of a mirror's copy, from the request's as the host holds them once the request's own
 * operations are carried out: the decision header left out, `:authority` suffixed "-shadow".
 */
export function mirrorHeaders(pairs: Array<string[]>): Array<string[]> {
  const copy = new Array<string[]>();
  for (let k = 0; k < pairs.length; k++) {
    const name = pairs[k][0];
    if (name == CLUSTER_HEADER) continue;
    copy.push(name == ":authority" ? [name, pairs[k][1] + "-shadow"] : pairs[k]);
  }
  return copy;
}
