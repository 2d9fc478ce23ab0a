import { encodeBlob } from "../blob/encode_blob.ts";
import { packSegments } from "../blob/pack_blob.ts";
import { buildIr } from "../ir/build_ir.ts";
import type { RouteTable } from "../ir/types.ts";
import type { KubeObject, RouteStatus } from "../model/types.ts";
import { Buffer } from "node:buffer";

/** Options of {@linkcode compile}. */
export interface CompileOptions {
  /** The blob version written into the blob header. */
  generation: number;
  clusterDomain?: string;
  /** Gateway parents when no Gateway is stored: see `BuildIrOptions.unseenGateways`. */
  unseenGateways?: "trust" | "refuse";
}

/** Everything one compile produces. */
export interface CompileResult {
  table: RouteTable;
  /**
   * The rule blob as it is stored and delivered: packed (DEFLATE-compressed, docs/blob-format.md
   * "Packed blobs"); `unpackBlob` gives the rule blob.
   */
  blob: Uint8Array;
  /** Hex SHA-256 of `blob`. */
  sha256: string;
  /** Where in `blob` its segments begin (`PackedBlob.cuts`): a store cuts its parts there. */
  cuts: readonly number[];
  statuses: RouteStatus[];
}

/**
 * The whole pipeline on the server side: resources → IR → rule blob → packed blob.
 *
 * @example
 * ```ts
 * import { compile } from "./compile.ts";
 * const { blob, sha256 } = await compile([], { generation: 1 });
 * if (blob.length === 0 || sha256.length !== 64) throw new Error("no blob");
 * ```
 */
export async function compile(resources: KubeObject[], options: CompileOptions): Promise<CompileResult> {
  const { table, statuses } = buildIr(resources, options);
  const { bytes: blob, cuts } = packSegments(encodeBlob(table));
  return { table, blob, sha256: await sha256Hex(blob), cuts, statuses };
}

/** Hex SHA-256, as the WasmPlugin's `sha256` fields and ETags carry it. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)).toString("hex");
}
