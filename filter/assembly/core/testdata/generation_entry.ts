// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the filter's generation rule (filter/assembly/core/generation.ts).
// Built by ../generation_test.ts with the filter's flags plus --exportRuntime, so that
// @assemblyscript/loader can read the returned string.
import { rewindOf } from "../generation";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function rewind_of(serving: u32, incoming: u32, rollback: bool): string {
  return rewindOf(serving, incoming, rollback);
}
