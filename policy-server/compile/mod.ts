/**
 * The compiler: HTTPRoute and friends → IR → rule blob, in one call.
 *
 * @module
 */
export { compile, sha256Hex } from "./compile.ts";
export { IncrementalCompiler } from "./incremental_compiler.ts";
export type { CompileOptions, CompileResult } from "./compile.ts";
