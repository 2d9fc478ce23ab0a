/**
 * `compile` with a memory: the same pipeline (resources → IR → blob), with each HTTPRoute's IR kept
 * between calls and built again only when the route or an object it read changed, and the virtual
 * hosts worked again only where such a route lands. The answer is the one `compile` gives for the
 * same objects, byte for byte (`incremental_compiler_test.ts` checks it along random write
 * sequences).
 *
 * @module
 */
import { encodeParts, type PartCache } from "../blob/encode_blob.ts";
import type { PackedBlob } from "../blob/pack_blob.ts";
import { PartPacker } from "../blob/part_packer.ts";
import { buildRouteIr, indexRouteInventory } from "../ir/build_ir.ts";
import type { Inventory } from "../ir/inventory.ts";
import { serviceFrontends } from "../ir/service_frontends.ts";
import type { RouteTable, ServiceFrontend } from "../ir/types.ts";
import { type RouteIr, VirtualHostIndex } from "../ir/virtual_host_index.ts";
import type { HTTPRoute, KubeObject, RouteParentStatus, RouteStatus } from "../model/types.ts";
import { type CompileOptions, type CompileResult, sha256Hex } from "./compile.ts";
import type { ChangeCompiled, Compiler, ObjectChange } from "./compiler.ts";

/** The inventory field each kind routes refer to is filed under. */
const FIELDS: Record<string, keyof Inventory> = {
  Gateway: "gateways",
  Service: "services",
  ServiceImport: "serviceImports",
  ReferenceGrant: "referenceGrants",
  Namespace: "namespaceLabels",
};

/** How inventory reads are named: `field|key` for one entry, `field|*` for all, `field|?` for presence. */
const dep = (field: string, key: string) => `${field}|${key}`;

/** One route's IR and the inventory entries building it read. */
interface RouteState {
  route: HTTPRoute;
  ir: RouteIr;
  reads: Set<string>;
}

const objectKey = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/**
 * A compiler object for a process that compiles the same, slowly changing set of objects again and
 * again (the policy server's write path). {@linkcode IncrementalCompiler.compile} has `compile`'s
 * signature and answer. Objects are recognised by identity: an object handed in again unchanged
 * costs a set lookup, and one replaced by a new object (as every store write does) is built again,
 * so objects must not be changed in place once handed in.
 *
 * @example
 * ```ts
 * import { IncrementalCompiler } from "./incremental_compiler.ts";
 * import { compile } from "./compile.ts";
 * const compiler = new IncrementalCompiler();
 * const a = await compiler.compile([], { generation: 1 });
 * const b = await compile([], { generation: 1 });
 * if (a.sha256 !== b.sha256) throw new Error("not the same blob");
 * ```
 */
export class IncrementalCompiler implements Compiler {
  /** What the state was built for: other options start over. */
  #options = "";
  #compileOptions: CompileOptions = { generation: 0 };
  /** Every object of the last call, by key, and the same objects as a set. */
  #objects = new Map<string, KubeObject>();
  #known = new Set<KubeObject>();
  #inventoryObjects = new Map<string, KubeObject>();
  #inventory: Inventory | undefined;
  #routes = new Map<string, RouteState>();
  /** Which routes read an inventory entry (see {@linkcode dep}). */
  #readers = new Map<string, Set<string>>();
  #hosts = new VirtualHostIndex();
  #frontends: ServiceFrontend[] | undefined;
  /**
   * Each virtual host's encoded part (and the frontends'): the index hands out the same object while
   * a virtual host is unchanged, so a write encodes only the virtual hosts it changed.
   */
  #parts: PartCache = new WeakMap();
  /** The last blob's compressed segments: a write compresses again only the segments it changed. */
  #packer = new PartPacker();
  /** Every route's status by `namespace/name`, kept as routes are built and dropped. */
  #statuses = new Map<string, RouteStatus>();
  #statusList: RouteStatus[] | undefined;
  /** The name of the set held (see {@linkcode settle}); `null` once a change is pending or unknown. */
  #basis: string | null = null;
  /** While a change is pending: the settled status of each route it rebuilt (undefined: none). */
  #prior = new Map<string, RouteStatus | undefined>();
  /** What takes the last change back, until it is settled. */
  #undo: { changed: KubeObject[]; removed: KubeObject[]; basis: string | null } | undefined;

  /** Compiles `resources` as `compile` does, working again only what changed since the last call. */
  async compile(resources: KubeObject[], options: CompileOptions): Promise<CompileResult> {
    const { table, statuses } = this.buildIr(resources, options);
    const { bytes: blob, cuts } = this.pack(table);
    return { table, blob, sha256: await sha256Hex(blob), cuts, statuses };
  }

  /** The IR stage of {@linkcode compile}: what `buildIr` answers for `resources`. */
  buildIr(resources: KubeObject[], options: CompileOptions): { table: RouteTable; statuses: RouteStatus[] } {
    const domain = this.#prepare(options);
    this.#basis = null;
    this.#undo = undefined;
    this.#prior.clear();
    const { changed, removed } = this.#diff(resources);
    this.#update(changed, removed, domain, options);
    this.#statusList ??= [...this.#statuses.values()];
    return { table: this.#table(options, domain), statuses: this.#statusList };
  }

  /**
   * Compiles the objects `change` leaves. When this compiler holds the set named `change.base`
   * (the last change was settled under that name), only the change is looked at: the cost of a
   * write does not grow with the objects stored, but for the blob's encoding. Otherwise every
   * object is compared, as {@linkcode compile} does.
   */
  async compileChange(change: ObjectChange, options: CompileOptions): Promise<ChangeCompiled> {
    const table = this.changeIr(change, options);
    const { bytes: blob, cuts } = this.pack(table);
    const statuses = this.#statuses;
    return {
      blob,
      sha256: await sha256Hex(blob),
      cuts,
      statusOf: (route) => statuses.get(route)?.parents,
    };
  }

  /**
   * `packSegments(encodeBlob(table))`, from the parts of the virtual hosts encoded before and the
   * compressed segments of the last pack.
   */
  pack(table: RouteTable): PackedBlob {
    return this.#packer.pack(table, encodeParts(table, this.#parts));
  }

  /** The IR stage of {@linkcode compileChange}. */
  changeIr(change: ObjectChange, options: CompileOptions): RouteTable {
    const basis = this.#basis;
    const domain = this.#prepare(options);
    const held = change.base !== null && change.base === this.#basis;
    const { changed, removed } = held ? this.#delta(change) : this.#diff(change.objects());
    this.#basis = null;
    this.#prior.clear();
    this.#undo = { changed: removed, removed: changed, basis: held ? basis : null };
    this.#update(changed, removed, domain, options);
    return this.#table(options, domain);
  }

  settle(name: string): void {
    this.#basis = name;
    this.#undo = undefined;
    this.#prior.clear();
  }

  revert(): void {
    const undo = this.#undo;
    if (!undo) return;
    this.#undo = undefined;
    for (const obj of undo.removed) {
      if (this.#objects.get(objectKey(obj)) === obj) this.#objects.delete(objectKey(obj));
      this.#known.delete(obj);
    }
    for (const obj of undo.changed) {
      this.#objects.set(objectKey(obj), obj);
      this.#known.add(obj);
    }
    const options = this.#compileOptions;
    this.#update(undo.changed, undo.removed, this.#prepare(options), options);
    this.#prior.clear();
    this.#basis = undo.basis;
  }

  statusOf(route: string): RouteParentStatus[] | undefined {
    const status = this.#prior.has(route) ? this.#prior.get(route) : this.#statuses.get(route);
    return status?.parents;
  }

  /** Sets or removes a route's status, noting the settled one while a change is pending. */
  #setStatus(route: string, status: RouteStatus | undefined): void {
    if (this.#undo && !this.#prior.has(route)) this.#prior.set(route, this.#statuses.get(route));
    if (status) this.#statuses.set(route, status);
    else this.#statuses.delete(route);
  }

  /** The cluster domain; starts over when the options differ from the state's. */
  #prepare(options: CompileOptions): string {
    this.#compileOptions = options;
    const domain = options.clusterDomain ?? "cluster.local";
    const optionsKey = `${domain}|${options.unseenGateways ?? "trust"}`;
    if (optionsKey !== this.#options) this.#reset(optionsKey);
    return domain;
  }

  /** Rebuilds what `changed` and `removed` objects touch (both already filed in `#objects`). */
  #update(changed: KubeObject[], removed: KubeObject[], domain: string, options: CompileOptions): void {
    const stale = new Set<string>();
    const touched = new Set<string>();
    for (const obj of [...changed, ...removed]) {
      const field = FIELDS[obj.kind];
      if (obj.kind === "HTTPRoute") stale.add(objectKey(obj));
      if (!field) continue;
      const key = field === "namespaceLabels"
        ? obj.metadata.name
        : `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
      touched.add(dep(field, key)).add(dep(field, "*"));
    }
    for (const obj of removed) {
      if (FIELDS[obj.kind] && this.#inventoryObjects.get(objectKey(obj)) === obj) {
        this.#inventoryObjects.delete(objectKey(obj));
      }
    }
    for (const obj of changed) {
      if (FIELDS[obj.kind]) this.#inventoryObjects.set(objectKey(obj), obj);
    }
    if (touched.size || !this.#inventory) {
      const before = this.#inventory;
      this.#inventory = indexRouteInventory([...this.#inventoryObjects.values()], options);
      this.#frontends = undefined;
      // A kind with no object at all is taken on trust: its first object, or its last one going,
      // changes every route that looked whether there were any.
      for (const field of Object.values(FIELDS)) {
        if (before && (before[field] === undefined) !== (this.#inventory[field] === undefined)) {
          touched.add(dep(field, "?"));
        }
      }
    }
    for (const read of touched) {
      for (const route of this.#readers.get(read) ?? []) stale.add(route);
    }
    for (const key of stale) {
      const before = this.#routes.get(key);
      if (before) this.#drop(key, before);
      const route = this.#objects.get(key) as HTTPRoute | undefined;
      if (route) this.#build(key, route, domain);
    }
    if (stale.size) this.#statusList = undefined;
  }

  #table(options: CompileOptions, domain: string): RouteTable {
    const vhosts = this.#hosts.virtualHosts();
    const mesh = vhosts.some((v) => v.mode === "mesh");
    // Frontends are every Service's: made again only when a Service changed.
    const frontends = mesh
      ? this.#frontends ??= serviceFrontends([...this.#inventoryObjects.values()], domain)
      : [];
    return { generation: options.generation, vhosts, ...(frontends.length && { frontends }) };
  }

  #reset(optionsKey: string): void {
    this.#options = optionsKey;
    this.#objects = new Map();
    this.#known = new Set();
    this.#inventoryObjects = new Map();
    this.#inventory = undefined;
    this.#routes = new Map();
    this.#readers = new Map();
    this.#hosts = new VirtualHostIndex();
    this.#frontends = undefined;
    this.#statuses = new Map();
    this.#statusList = undefined;
    this.#prior = new Map();
    this.#basis = null;
    this.#undo = undefined;
  }

  /** {@linkcode diff}'s answer from a change to the set held, looking at nothing else. */
  #delta(change: ObjectChange): { changed: KubeObject[]; removed: KubeObject[] } {
    const changed: KubeObject[] = [];
    const removed: KubeObject[] = [];
    const drop = (key: string) => {
      const before = this.#objects.get(key);
      if (!before) return;
      removed.push(before);
      this.#objects.delete(key);
      this.#known.delete(before);
    };
    for (const ref of change.delete) drop(`${ref.kind}/${ref.namespace}/${ref.name}`);
    for (const obj of change.put) {
      if (this.#known.has(obj)) continue;
      drop(objectKey(obj));
      changed.push(obj);
      this.#objects.set(objectKey(obj), obj);
      this.#known.add(obj);
    }
    return { changed, removed };
  }

  /**
   * What differs from the last call: objects not seen before (new, or replacing one of the same key)
   * and objects gone. Unchanged objects cost one set lookup each.
   */
  #diff(resources: KubeObject[]): { changed: KubeObject[]; removed: KubeObject[] } {
    const changed: KubeObject[] = [];
    let kept = 0;
    for (const obj of resources) {
      if (this.#known.has(obj)) kept++;
      else changed.push(obj);
    }
    const removed: KubeObject[] = [];
    let replaced = 0;
    const changedKeys = new Set<string>();
    for (const obj of changed) {
      const key = objectKey(obj);
      changedKeys.add(key);
      const before = this.#objects.get(key);
      if (before && this.#known.has(before)) {
        replaced++;
        this.#known.delete(before);
        removed.push(before);
      }
    }
    // Objects neither kept nor replaced have gone: found by a scan only when there are any.
    if (kept + replaced < this.#objects.size) {
      const present = new Set(resources);
      for (const [key, obj] of this.#objects) {
        if (!present.has(obj) && !changedKeys.has(key)) {
          removed.push(obj);
          this.#objects.delete(key);
          this.#known.delete(obj);
        }
      }
    }
    for (const obj of changed) {
      this.#objects.set(objectKey(obj), obj);
      this.#known.add(obj);
    }
    // A replaced object counts as removed (its old self) and changed (its new self).
    return { changed, removed };
  }

  #build(key: string, route: HTTPRoute, domain: string): void {
    const reads = new Set<string>();
    const ir = buildRouteIr(route, recording(this.#inventory!, reads), domain);
    this.#routes.set(key, { route, ir, reads });
    this.#setStatus(ir.status.route, ir.status);
    for (const read of reads) {
      let readers = this.#readers.get(read);
      if (!readers) this.#readers.set(read, readers = new Set());
      readers.add(key);
    }
    this.#hosts.add(ir);
  }

  #drop(key: string, state: RouteState): void {
    this.#hosts.remove(state.ir);
    for (const read of state.reads) this.#readers.get(read)?.delete(key);
    this.#routes.delete(key);
    this.#setStatus(state.ir.status.route, undefined);
  }
}

/** `inventory` as one route sees it, noting in `reads` every entry it looks at. */
function recording(inventory: Inventory, reads: Set<string>): Inventory {
  const map = <V>(field: string, m: Map<string, V> | undefined): Map<string, V> | undefined => {
    reads.add(dep(field, "?"));
    return m && (new RecordingMap(field, m, reads) as unknown as Map<string, V>);
  };
  return {
    get gateways() {
      return map("gateways", inventory.gateways);
    },
    get services() {
      return map("services", inventory.services);
    },
    get serviceImports() {
      return map("serviceImports", inventory.serviceImports);
    },
    get referenceGrants() {
      reads.add(dep("referenceGrants", "*"));
      return inventory.referenceGrants;
    },
    get namespaceLabels() {
      return map("namespaceLabels", inventory.namespaceLabels)!;
    },
  };
}

/** A read-only view of a map that notes which keys were asked for; anything wider reads all. */
class RecordingMap<V> {
  readonly #field: string;
  readonly #map: Map<string, V>;
  readonly #reads: Set<string>;
  constructor(field: string, map: Map<string, V>, reads: Set<string>) {
    this.#field = field;
    this.#map = map;
    this.#reads = reads;
  }
  get(key: string): V | undefined {
    this.#reads.add(dep(this.#field, key));
    return this.#map.get(key);
  }
  has(key: string): boolean {
    this.#reads.add(dep(this.#field, key));
    return this.#map.has(key);
  }
  #all(): Map<string, V> {
    this.#reads.add(dep(this.#field, "*"));
    return this.#map;
  }
  get size(): number {
    return this.#all().size;
  }
  keys() {
    return this.#all().keys();
  }
  values() {
    return this.#all().values();
  }
  entries() {
    return this.#all().entries();
  }
  forEach(fn: (value: V, key: string, map: Map<string, V>) => void) {
    this.#all().forEach(fn);
  }
  [Symbol.iterator]() {
    return this.#all()[Symbol.iterator]();
  }
}
