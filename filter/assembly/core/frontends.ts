// GAMMA by address: a route attached to a Service applies to traffic addressed to that Service,
// whatever Host the client sends. In a sidecar, where a request is addressed is its connection's
// original destination, which Envoy gives a filter as `destination.address` ("10.96.0.20:9080",
// "[fd00::14]:9080"); the blob's FRONTENDS section (docs/blob-format.md) says which addresses are
// Services' and under which name their virtual hosts are filed. Each frontend's virtual host is
// found once per configuration, so a request costs one property read and one hash lookup — and
// nothing at all when the table has no frontends. Pure: the request is read through RequestView.
import { HOST_KIND_EXACT } from "./blob_format";
import { bytesEqual, hashBytes } from "./hash";
import { findSlot, HashIndex, runItem, runLength } from "./hash_index";
import { HotTable, RANK_FALLBACK, RANK_OWN, VH_KIND, VH_NAME, VH_NAME_LEN, VH_PORT, VH_RANK } from "./hot_table";
import { Bytes, RequestView } from "./request";

/** One FRONTENDS record: a Service's cluster IP and port, and the name its virtual hosts carry. */
export class Frontend {
  /** The destination as Envoy writes the attribute: IPv6 in brackets, then ":" and the port. */
  keyBytes: ArrayBuffer;
  /** The lower-case name, as virtual hosts are filed. */
  nameBytes: ArrayBuffer;
  constructor(public address: string, public port: u32, public hostname: string) {
    const host = address.includes(":") ? "[" + address + "]" : address;
    this.keyBytes = String.UTF8.encode(host + ":" + port.toString());
    this.nameBytes = String.UTF8.encode(hostname.toLowerCase());
  }
}

/** The frontends one proxy serves, each with its virtual host already chosen. */
export class FrontendTable {
  readonly size: i32;
  private readonly index: HashIndex;
  private readonly keys: Array<ArrayBuffer>;
  private readonly ports: Array<u32>;
  /** Per frontend: its hot virtual-host record, or 0 when its Service has none for this port. */
  private readonly vhosts: Array<usize>;

  /** `frontends` resolved against the proxy's served hosts; none when `apply` is false (a Gateway). */
  constructor(frontends: Array<Frontend>, hot: HotTable, apply: bool) {
    const hashes = new Array<u32>(), items = new Array<i32>();
    const keys = new Array<ArrayBuffer>(), ports = new Array<u32>(), vhosts = new Array<usize>();
    for (let i = 0; apply && i < frontends.length; i++) {
      const f = unchecked(frontends[i]);
      hashes.push(hashBytes(changetype<usize>(f.keyBytes), f.keyBytes.byteLength));
      items.push(i);
      keys.push(f.keyBytes);
      ports.push(f.port);
      vhosts.push(serviceVhost(hot, f.nameBytes, f.port));
    }
    this.index = new HashIndex(hashes, items);
    this.keys = keys;
    this.ports = ports;
    this.vhosts = vhosts;
    this.size = keys.length;
  }

  /** The frontend whose key is these bytes, or -1. */
  find(ptr: usize, len: i32): i32 {
    const idx = this.index;
    const slot = findSlot(idx.slotsAt, idx.slotMask, hashBytes(ptr, len));
    if (slot == 0) return -1;
    for (let k = 0, n = runLength(slot, idx.itemsAt); k < n; k++) {
      const i = runItem(slot, idx.itemsAt, k);
      if (bytesEqual(ptr, len, unchecked(this.keys[i]))) return i;
    }
    return -1;
  }
  portOf(i: i32): u32 {
    return unchecked(this.ports[i]);
  }
  vhostOf(i: i32): usize {
    return unchecked(this.vhosts[i]);
  }
}

/**
 * The virtual host a request named `name` on `port` would get (core/lookup.ts, vhostFor): an exact host
 * of that name taking the port, one kept for this proxy's namespace first, then one for every
 * client; 0 when there is none.
 */
function serviceVhost(hot: HotTable, name: ArrayBuffer, port: u32): usize {
  const n = name.byteLength, p = changetype<usize>(name);
  const slot = findSlot(hot.hostSlots, hot.hostMask, hashBytes(p, n));
  if (slot == 0) return 0;
  let fallback: usize = 0;
  for (let k = 0, count = runLength(slot, hot.hostItems); k < count; k++) {
    const vh = hot.vhosts + <usize>runItem(slot, hot.hostItems, k); // an offset (hot_table.ts vhostOffsets)
    if (load<u32>(vh, VH_KIND) != <u32>HOST_KIND_EXACT || <i32>load<u32>(vh, VH_NAME_LEN) != n) continue;
    if (memory.compare(<usize>load<u32>(vh, VH_NAME), p, <usize>n) != 0) continue;
    const own = load<u32>(vh, VH_PORT);
    if (own != 0 && own != port) continue;
    const rank = load<u32>(vh, VH_RANK);
    if (rank == RANK_OWN) return vh;
    if (rank == RANK_FALLBACK && fallback == 0) fallback = vh;
  }
  return fallback;
}

/**
 * The frontend the request is addressed to, or -1: none in the table (the property is then not
 * read), no `destination.address`, or an address that is no Service's (a pod, garbage). `destination`
 * is where the address's bytes are pointed at (the caller's, reused).
 */
export function frontendOf(table: FrontendTable, req: RequestView, destination: Bytes): i32 {
  if (table.size == 0 || !req.destinationAddress(destination)) return -1;
  return table.find(destination.ptr, destination.len);
}
