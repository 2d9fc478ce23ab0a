/**
 * The last step of `buildIr`: the entries of every HTTPRoute, filed under the hostnames of the
 * parents they attach to, become the table's virtual hosts. An index rather than a function, so
 * that a route can be taken out and put back and only the hostnames it touches are worked again
 * (`compile/incremental_compiler.ts`); `buildIr` fills a fresh one, so both paths share every rule
 * written here.
 *
 * @module
 */
import type { RouteStatus } from "../model/types.ts";
import type { RouteEntry, VirtualHost } from "./types.ts";

/** One hostname of one parent (and listener) a route attaches to. */
export interface Target {
  hostname: string;
  mode: VirtualHost["mode"];
  port: number;
  scope: string;
  /** The Gateway listener ("" for GAMMA and unchecked Gateways). */
  listener: string;
  /** GAMMA: the only namespace whose clients these routes serve. */
  clients?: string;
}

/** An entry with what Gateway API precedence compares. */
export interface Ranked {
  entry: RouteEntry;
  created: string;
  key: string;
  rule: number;
  match: number;
}

/** What one HTTPRoute contributes to the table, and its status. */
export interface RouteIr {
  namespace: string;
  name: string;
  status: RouteStatus;
  /** Every entry of the route, in rule then match order. */
  ranked: Ranked[];
  /** Where the entries go: each attached parent's targets, in parentRef order. */
  targets: Target[];
}

/** A hostname of a parent with the routes filed under it. */
interface Slot extends Target {
  /** The parent and listener (what lends rules), without the hostname. */
  parent: string;
  /** Routes filed here, with the position of their first target that landed here. */
  routes: Map<RouteIr, number>;
  /** The route (in key order) that filed here first, and that target's position: ties of order. */
  first?: { route: RouteIr; position: number };
  /** This hostname's own entries in precedence order; undefined when to be sorted again. */
  own?: RouteEntry[];
  /** Own entries, then those lent by wider hostnames; with the key that merges equal lists. */
  merged?: { routes: RouteEntry[]; key: string };
  /** The virtual host this hostname is one of. */
  group?: Group;
}

/** The slots of one merge key, in table order: one virtual host. */
interface Group {
  key: string;
  slots: Slot[];
  /** The virtual host last made of them; stale once the slots or their order changed. */
  vhost?: VirtualHost;
  stale: boolean;
}

/** Whether wildcard hostname `w` also covers the more specific `h` (exact or wildcard). */
export function covers(w: string, h: string): boolean {
  if (w === h) return false;
  if (w === "*") return true;
  return w.startsWith("*.") && h.endsWith(w.slice(1)) && h.length > w.length - 1;
}

/** Route keys in the store's order: by namespace, then name. */
const compareRoutes = (a: RouteIr, b: RouteIr) =>
  a.namespace < b.namespace
    ? -1
    : a.namespace > b.namespace
    ? 1
    : a.name < b.name
    ? -1
    : a.name > b.name
    ? 1
    : 0;

/**
 * Hostnames in order, and one hostname of several parents in the order routes (in key order)
 * first filed under them.
 */
function compareSlots(a: Slot, b: Slot): number {
  if (a.hostname !== b.hostname) return a.hostname < b.hostname ? -1 : 1;
  return compareRoutes(a.first!.route, b.first!.route) || a.first!.position - b.first!.position;
}

/** Puts `slot` into `slots`, which are in {@linkcode compareSlots} order, at its place. */
function insertInOrder(slots: Slot[], slot: Slot): void {
  let lo = 0, hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareSlots(slots[mid], slot) < 0) lo = mid + 1;
    else hi = mid;
  }
  slots.splice(lo, 0, slot);
}

/** Past this many changed or moved slots, all are sorted and grouped again rather than one by one. */
const REGROUP_ALL = 16;

const entryIds = new WeakMap<RouteEntry, number>();
let nextEntryId = 0;
function entryId(e: RouteEntry): number {
  let id = entryIds.get(e);
  if (id === undefined) entryIds.set(e, id = nextEntryId++);
  return id;
}

/**
 * The virtual hosts of a set of routes.
 *
 * Hostname specificity comes first in Gateway API's precedence: a request for `shop.example.com`
 * tries the rules of routes for that name, then those for `*.example.com`, then those for any host.
 * The filter picks one virtual host per request, so each virtual host carries, after its own rules,
 * the rules of the less specific hostnames that cover it on the same parent and listener; hostnames
 * that end up with the very same route list (the names of one Service, or a route's several
 * hostnames) share one virtual host.
 *
 * @example
 * ```ts
 * import { VirtualHostIndex } from "./virtual_host_index.ts";
 * if (new VirtualHostIndex().virtualHosts().length !== 0) throw new Error("expected none");
 * ```
 */
export class VirtualHostIndex {
  readonly #slots = new Map<string, Slot>();
  /** Slots in {@linkcode compareSlots} order, but for those in {@linkcode #moved}. */
  #sorted: Slot[] = [];
  /**
   * Slots that came, went or may have changed places since the order was last worked out: put in
   * place one by one when few, by sorting every slot again when many (a whole table being filed).
   */
  readonly #moved = new Set<Slot>();
  /** Slots by parent, then hostname: where lending is looked up. */
  readonly #byParent = new Map<string, Map<string, Slot>>();
  /** Slots whose merged list must be worked out again. */
  readonly #dirty = new Set<Slot>();
  /** The slots' groups by merge key; a group's virtual host is handed out again while unchanged. */
  #groups = new Map<string, Group>();

  /** Files a route's entries under its targets. */
  add(route: RouteIr): void {
    route.targets.forEach((t, position) => {
      const parent = `${t.mode}|${t.scope}|${t.listener}|${t.clients ?? ""}|${t.port}`;
      const id = `${parent}|${t.hostname}`;
      let slot = this.#slots.get(id);
      if (!slot) {
        slot = { ...t, parent, routes: new Map() };
        this.#slots.set(id, slot);
        let hosts = this.#byParent.get(parent);
        if (!hosts) this.#byParent.set(parent, hosts = new Map());
        hosts.set(t.hostname, slot);
      } else if (slot.routes.has(route)) return;
      slot.routes.set(route, position);
      const first = slot.first;
      if (!first || compareRoutes(route, first.route) < 0) {
        slot.first = { route, position };
        this.#moved.add(slot);
      }
      this.#changed(slot);
    });
  }

  /** Takes out what {@linkcode add} filed for `route` (the same object). */
  remove(route: RouteIr): void {
    for (const t of route.targets) {
      const parent = `${t.mode}|${t.scope}|${t.listener}|${t.clients ?? ""}|${t.port}`;
      const slot = this.#slots.get(`${parent}|${t.hostname}`);
      if (!slot?.routes.delete(route)) continue;
      this.#changed(slot);
      this.#moved.add(slot);
      if (slot.routes.size === 0) {
        this.#leave(slot);
        this.#slots.delete(`${parent}|${t.hostname}`);
        this.#byParent.get(parent)!.delete(t.hostname);
        this.#dirty.delete(slot);
        continue;
      }
      if (slot.first!.route === route) {
        let first: Slot["first"];
        for (const [r, position] of slot.routes) {
          if (!first || compareRoutes(r, first.route) < 0) first = { route: r, position };
        }
        slot.first = first;
      }
    }
  }

  /**
   * The virtual hosts, in table order. Only the slots that changed are grouped again (a write
   * touches a few of 10,000 hostnames); after many changes (a whole table filed) all are.
   */
  virtualHosts(): VirtualHost[] {
    const moved = [...this.#moved];
    const sortedAll = this.#order();
    for (const slot of this.#dirty) {
      const wider = this.#wider(slot);
      const routes = [...new Set([slot, ...wider].flatMap((s) => this.#own(s)))];
      const key = `${slot.mode}|${slot.scope}|${slot.port}|${slot.clients ?? ""}|${
        routes.map((e) => entryId(e)).join(",")
      }`;
      slot.merged = { routes, key };
    }
    if (sortedAll || this.#dirty.size > REGROUP_ALL) this.#regroup();
    else {
      for (const slot of this.#dirty) {
        if (slot.group?.key === slot.merged!.key) continue;
        this.#leave(slot);
        this.#join(slot);
      }
      // A slot that changed places may have changed its place among its group's hostnames.
      for (const slot of moved) {
        if (!slot.group) continue;
        slot.group.slots.sort(compareSlots);
        slot.group.stale = true;
      }
    }
    this.#dirty.clear();
    const out: VirtualHost[] = [];
    for (const slot of this.#sorted) {
      const group = slot.group!;
      if (group.slots[0] === slot) out.push(virtualHostOf(group));
    }
    return out;
  }

  /** Every slot grouped again, in table order; groups with the same key and hostnames keep their virtual host. */
  #regroup(): void {
    const before = this.#groups;
    this.#groups = new Map();
    for (const slot of this.#sorted) {
      const key = slot.merged!.key;
      let group = this.#groups.get(key);
      if (!group) {
        this.#groups.set(key, group = { key, slots: [], vhost: before.get(key)?.vhost, stale: true });
      }
      group.slots.push(slot);
      slot.group = group;
    }
  }

  /** `slot` joins the group of its merge key, in its place in table order. */
  #join(slot: Slot): void {
    const key = slot.merged!.key;
    let group = this.#groups.get(key);
    if (!group) this.#groups.set(key, group = { key, slots: [], stale: true });
    insertInOrder(group.slots, slot);
    group.stale = true;
    slot.group = group;
  }

  /** `slot` leaves its group; a group left empty is gone. */
  #leave(slot: Slot): void {
    const group = slot.group;
    if (!group) return;
    slot.group = undefined;
    group.slots.splice(group.slots.indexOf(slot), 1);
    group.stale = true;
    if (group.slots.length === 0 && this.#groups.get(group.key) === group) this.#groups.delete(group.key);
  }

  /** A slot's own entries in precedence order. */
  #own(slot: Slot): RouteEntry[] {
    if (!slot.own) {
      const ranked: Ranked[] = [];
      for (const route of slot.routes.keys()) ranked.push(...route.ranked);
      slot.own = ranked.sort(comparePrecedence).map((r) => r.entry);
    }
    return slot.own;
  }

  /** The wider hostnames of the same parent that cover `slot`'s, most specific first. */
  #wider(slot: Slot): Slot[] {
    const hosts = this.#byParent.get(slot.parent)!;
    const h = slot.hostname;
    const out: Slot[] = [];
    // A wildcard covering h is "*" and h's suffix from one of its dots; the longer, the more specific.
    for (let i = h.indexOf(".", 1); i > 0; i = h.indexOf(".", i + 1)) {
      const w = hosts.get(`*${h.slice(i)}`);
      if (w && w !== slot) out.push(w);
    }
    const any = h === "*" ? undefined : hosts.get("*");
    if (any) out.push(any);
    return out;
  }

  /** `slot`'s entries changed: its list and those of the hostnames it lends to are stale. */
  #changed(slot: Slot): void {
    slot.own = undefined;
    this.#dirty.add(slot);
    this.#lendersChanged(slot);
  }

  /** `slot` came, went or changed: the narrower hostnames it covers must look again. */
  #lendersChanged(slot: Slot): void {
    if (slot.hostname !== "*" && !slot.hostname.startsWith("*.")) return;
    for (const other of this.#byParent.get(slot.parent)?.values() ?? []) {
      if (covers(slot.hostname, other.hostname)) this.#dirty.add(other);
    }
  }

  /**
   * Puts the moved slots in place (or sorts all again), and takes out those gone. Returns whether
   * it sorted them all.
   */
  #order(): boolean {
    if (this.#moved.size === 0) return false;
    // One by one, each costs a scan of the order: beyond a few, sorting every slot is cheaper.
    if (this.#moved.size > REGROUP_ALL) {
      this.#sorted = [...this.#slots.values()].sort(compareSlots);
      this.#moved.clear();
      return true;
    }
    for (const slot of this.#moved) {
      const i = this.#sorted.indexOf(slot);
      if (i >= 0) this.#sorted.splice(i, 1);
    }
    for (const slot of this.#moved) {
      if (slot.routes.size > 0) insertInOrder(this.#sorted, slot);
    }
    this.#moved.clear();
    return false;
  }
}

/** A group's virtual host: the last one made while its hostnames are the same (the key is). */
function virtualHostOf(group: Group): VirtualHost {
  const before = group.vhost;
  if (!group.stale && before) return before;
  group.stale = false;
  const hostnames = group.slots.map((s) => s.hostname);
  if (
    before && before.hostnames.length === hostnames.length &&
    before.hostnames.every((h, i) => h === hostnames[i])
  ) {
    return before;
  }
  const slot = group.slots[0];
  return group.vhost = {
    hostnames,
    mode: slot.mode,
    port: slot.port,
    scope: slot.scope,
    ...(slot.clients && { clients: slot.clients }),
    routes: slot.merged!.routes,
  };
}

/** Gateway API precedence within one virtual host: the most specific match first. */
export function comparePrecedence(a: Ranked, b: Ranked): number {
  const pa = a.entry.path!, pb = b.entry.path!;
  // Exact paths first, then regular expressions (where the spec leaves the order to implementations,
  // as Envoy Gateway does: a catch-all prefix must not shadow them), then the longest prefix.
  const kind = (p: typeof pa) => (p.type === "Exact" ? 2 : p.type === "RegularExpression" ? 1 : 0);
  const byKind = kind(pb) - kind(pa);
  if (byKind) return byKind;
  const byLength = pb.value.length - pa.value.length;
  if (byLength) return byLength;
  const method = Number(!!b.entry.method) - Number(!!a.entry.method);
  if (method) return method;
  const count = (e: RouteEntry, q: boolean) =>
    e.conditions.filter((c) => c.kind.startsWith("Query") === q).length;
  const headers = count(b.entry, false) - count(a.entry, false);
  if (headers) return headers;
  const query = count(b.entry, true) - count(a.entry, true);
  if (query) return query;
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.rule - b.rule || a.match - b.match;
}
