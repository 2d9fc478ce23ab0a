/**
 * The compiler: HTTPRoute and friends → IR → rule blob, in one call.
 *
 * @module
 */
export { compile, sha256Hex } from "./compile.ts";
export { IncrementalCompiler } from "./incremental_compiler.ts";
export { wholeCompiler } from "./compiler.ts";
export type { ChangeCompiled, CompileFn, Compiler, ObjectChange, ObjectRef } from "./compiler.ts";
export type { CompileOptions, CompileResult } from "./compile.ts";
