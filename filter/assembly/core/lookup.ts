// Virtual-host lookup: which virtual host (a hot record, core/hot_table.ts) a request belongs to:
// in a sidecar, the Service it is addressed to (core/frontends.ts); else by its hostname — the exact
// name, then ever shorter wildcard suffixes, then "*" — and its port.
import { HOST_KIND_ANY, HOST_KIND_EXACT, HOST_KIND_WILDCARD } from "./blob_format";
import { frontendOf } from "./frontends";
import { equalsLowered, hashLowerBytes, hashString } from "./hash";
import { findSlot, runItem, runLength } from "./hash_index";
import { RANK_FALLBACK, RANK_OWN, VH_KIND, VH_NAME, VH_NAME_LEN, VH_PORT, VH_RANK } from "./hot_table";
import { RequestContext } from "./request_context";

const STAR_HASH = hashString("*");

/**
 * The request's virtual host, or 0 (the request passes). GAMMA: a request addressed to a Service's
 * frontend takes that Service's virtual host (0: none for its port), whatever its Host; any other
 * by Host (findVhost: the authority must be scanned).
 */
export function vhostOfRequest(ctx: RequestContext): usize {
  const frontends = ctx.table!.frontendTable;
  const f = frontendOf(frontends, ctx.req!, ctx.destination);
  if (f < 0) return findVhost(ctx);
  ctx.setPort(frontends.portOf(f));
  return frontends.vhostOf(f);
}

/**
 * The virtual host of the request's scanned authority, or 0. Most specific first: the exact host,
 * then ever shorter wildcard suffixes (a wildcard host is filed under its suffix from the "."), then
 * "*".
 */
function findVhost(ctx: RequestContext): usize {
  const authority = ctx.authority;
  const p = authority.raw.ptr, n = authority.hostLen;
  let vh = vhostFor(ctx, hashLowerBytes(p, n), 0, false, false);
  if (vh != 0) return vh;
  for (let dot = 0; dot < n; dot++) {
    if (load<u8>(p + dot) != 0x2e) continue;
    vh = vhostFor(ctx, hashLowerBytes(p + dot, n - dot), dot, true, false);
    if (vh != 0) return vh;
  }
  return vhostFor(ctx, STAR_HASH, 0, false, true);
}

/**
 * The virtual host (a hot record) filed under hash `h` that takes the request's port, or 0: one kept
 * for this proxy's own namespace (a GAMMA consumer route, a Service's short name) first, then one
 * for every client (RANK_*). When the namespace is unknown, every host applies.
 */
function vhostFor(ctx: RequestContext, h: u32, from: i32, wildcard: bool, any: bool): usize {
  const slot = findSlot(ctx.hostSlots, ctx.hostMask, h);
  if (slot == 0) return 0;
  let fallback: usize = 0;
  const records = ctx.vhostRecords, items = ctx.hostItems;
  for (let k = 0, n = runLength(slot, items); k < n; k++) {
    const vh = records + <usize>runItem(slot, items, k); // an offset (core/hot_table.ts vhostOffsets)
    if (any ? load<u32>(vh, VH_KIND) != HOST_KIND_ANY : !nameMatches(ctx, vh, from, wildcard)) continue;
    // A GAMMA route is per Service port, a Gateway route per listener port (0: not known).
    const port = load<u32>(vh, VH_PORT);
    if (port != 0 && port != ctx.port()) continue;
    const rank = load<u32>(vh, VH_RANK);
    if (rank == RANK_OWN) return vh;
    if (rank == RANK_FALLBACK && fallback == 0) fallback = vh;
  }
  return fallback;
}

/**
 * Whether host record `vh` is the request's hostname from byte `from` on: an exact host the whole
 * name, a wildcard "*" + the rest (from a "."). Hash lookups only find candidates.
 */
function nameMatches(ctx: RequestContext, vh: usize, from: i32, wildcard: bool): bool {
  if (load<u32>(vh, VH_KIND) != <u32>(wildcard ? HOST_KIND_WILDCARD : HOST_KIND_EXACT)) return false;
  const authority = ctx.authority;
  const skip = wildcard ? 1 : 0;
  const len = authority.hostLen - from;
  if (<i32>load<u32>(vh, VH_NAME_LEN) != len + skip) return false;
  return equalsLowered(authority.raw.ptr + <usize>from, <usize>load<u32>(vh, VH_NAME) + <usize>skip, len);
}
