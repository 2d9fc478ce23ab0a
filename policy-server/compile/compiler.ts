/**
 * What the write path asks of a compiler: to compile a change to the objects it compiled last,
 * and to hear whether that change was stored. A compiler that keeps state between calls (the
 * `IncrementalCompiler`) then works again only what the change touches; {@linkcode wholeCompiler}
 * makes any `compile`-like function one, compiling every object each time.
 *
 * @module
 */
import type { KubeObject, RouteParentStatus } from "../model/types.ts";
import type { CompileOptions, CompileResult } from "./compile.ts";

/** Names one object: `namespace` is "" for cluster-scoped kinds. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

/** A change to a set of stored objects, as one write makes it. */
export interface ObjectChange {
  /**
   * Names the stored set the change is made to (the store's revision versionstamp), `null` when it
   * has no name: a compiler holding the set of that name needs nothing else.
   */
  base: string | null;
  /** Objects created or replaced (new objects: stored objects are never changed in place). */
  put: readonly KubeObject[];
  /** Objects removed; ones that do not exist are ignored. */
  delete: readonly ObjectRef[];
  /** Every object once the change is made, for a compiler that does not hold `base`. */
  objects(): KubeObject[];
}

/** What compiling a change gives: the packed blob and the routes' statuses. */
export interface ChangeCompiled {
  blob: Uint8Array;
  /** Hex SHA-256 of `blob`. */
  sha256: string;
  /**
   * Where in `blob` its segments begin (`PackedBlob.cuts`), when known: a store cuts its parts
   * there, and two blobs of one packer compare their rules without inflating (`samePackedRules`).
   */
  cuts?: readonly number[];
  /** An HTTPRoute's status (by `namespace/name`) after the change; good until it is settled or reverted. */
  statusOf(route: string): RouteParentStatus[] | undefined;
}

/** A compiler the write path drives: one change at a time, each settled or reverted. */
export interface Compiler {
  compileChange(change: ObjectChange, options: CompileOptions): Promise<ChangeCompiled>;
  /** The set the last change made is stored under `name`: the base of the next change. */
  settle(name: string): void;
  /** The last change was not stored (a dry run, a failed or refused write): back to the set before it. */
  revert(): void;
  /**
   * An HTTPRoute's status (by `namespace/name`) in the set last settled: what readers see while a
   * change is compiled and stored.
   */
  statusOf(route: string): RouteParentStatus[] | undefined;
}

/** A `compile`-like function: every object in, blob and statuses out. */
export type CompileFn = (resources: KubeObject[], options: CompileOptions) => Promise<CompileResult>;

/**
 * `compile` as a {@linkcode Compiler}: every change compiles every object; the statuses of the set
 * last settled are kept for readers.
 */
export function wholeCompiler(compile: CompileFn): Compiler {
  let settled = new Map<string, RouteParentStatus[]>();
  let latest = settled;
  return {
    async compileChange(change, options) {
      const result = await compile(change.objects(), options);
      const statuses = new Map(result.statuses.map((s) => [s.route, s.parents]));
      latest = statuses;
      return {
        blob: result.blob,
        sha256: result.sha256,
        cuts: result.cuts,
        statusOf: (route) => statuses.get(route),
      };
    },
    settle() {
      settled = latest;
    },
    revert() {
      latest = settled;
    },
    statusOf: (route) => settled.get(route),
  };
}
