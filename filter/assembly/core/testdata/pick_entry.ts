// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the pure functions of the filter's backend pick
// (filter/assembly/core/pick.ts). Built by ../pick_test.ts with the filter's flags plus
// --exportRuntime, so that @assemblyscript/loader can pass strings in and read them out.
import { cookieValue, hashKey } from "../pick";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function cookie_value(header: string, name: string): string | null { return cookieValue(header, name); }

export function hash_key(s: string): u32 { return hashKey(s); }
