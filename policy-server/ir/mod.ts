/**
 * Resources → IR: Gateway API objects translated into the flat, precedence-ordered routing table
 * that the blob encoder writes, with route status conditions.
 *
 * @module
 */
export { buildIr } from "./build_ir.ts";
export type { BuildIrOptions, BuildIrResult } from "./build_ir.ts";
export type * from "./types.ts";
