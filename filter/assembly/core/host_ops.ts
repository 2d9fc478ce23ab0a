// The core's answer for the host, beyond the decision itself: a list of host operations, in the
// order the host is to carry them out. The ABI layer (filter.ts) only executes them; what they are,
// and their values, is decided here. The list is reused from request to request: clearing it keeps
// its room, so a request that needs operations allocates for their values only.
import { HeaderView } from "./request";

/** HostOps.kind: */
/** Replace the header's values with one (proxy_replace_header_map_value). */
export const OP_SET: u8 = 1;
/** Add a value, keeping the ones there (proxy_add_header_map_value). */
export const OP_ADD: u8 = 2;
/** Remove the header (proxy_remove_header_map_value). */
export const OP_REMOVE: u8 = 3;
/**
 * Send a copy of the request, as it is at this point of the list, to cluster `name`, and ignore the
 * answer (core/mirror.ts says which headers the copy has).
 */
export const OP_MIRROR: u8 = 4;

/** HostOps.map: which header map an operation is on. */
export const REQUEST: u8 = 0, RESPONSE: u8 = 1;

export class HostOps {
  kinds: Array<u8> = new Array<u8>();
  maps: Array<u8> = new Array<u8>();
  names: Array<string> = new Array<string>();
  values: Array<string> = new Array<string>();
  /** How many operations the list holds (the arrays may be longer: room kept from earlier lists). */
  count: i32 = 0;

  clear(): void {
    this.count = 0;
  }

  set(map: u8, name: string, value: string): void {
    this.push(OP_SET, map, name, value);
  }
  add(map: u8, name: string, value: string): void {
    this.push(OP_ADD, map, name, value);
  }
  remove(map: u8, name: string): void {
    this.push(OP_REMOVE, map, name, "");
  }
  mirror(cluster: string): void {
    this.push(OP_MIRROR, REQUEST, cluster, "");
  }

  /**
   * The value header `name` of `map` has once the operations so far are carried out over `view`
   * (the map as the host holds it now), as the host would answer it: its first value.
   */
  valueAfter(map: u8, name: string, view: HeaderView): string | null {
    // An add keeps what was there first; the earliest add counts only when nothing was.
    let added: string | null = null;
    for (let i = this.count - 1; i >= 0; i--) {
      if (unchecked(this.maps[i]) != map || unchecked(this.names[i]) != name) continue;
      const k = unchecked(this.kinds[i]);
      if (k == OP_SET) return unchecked(this.values[i]);
      if (k == OP_REMOVE) return added;
      if (k == OP_ADD) added = unchecked(this.values[i]);
    }
    const host = view.header(name);
    return host !== null ? host : added;
  }

  private push(kind: u8, map: u8, name: string, value: string): void {
    const i = this.count;
    if (i == this.kinds.length) {
      this.kinds.push(kind);
      this.maps.push(map);
      this.names.push(name);
      this.values.push(value);
    } else {
      unchecked(this.kinds[i] = kind);
      unchecked(this.maps[i] = map);
      unchecked(this.names[i] = name);
      unchecked(this.values[i] = value);
    }
    this.count = i + 1;
  }
}
