/**
 * The header every answer about a blob carries: the generation it is about.
 *
 * @module
 */

/** The blob generation an answer is about (a write's, a served blob's, a rollback's). */
export const VERSION_HEADER = "X-Wasmroute-Version";
