// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the Service frontends of the filter (filter/assembly/core/frontends.ts).
// Built by ../frontends_test.ts with the filter's flags plus --exportRuntime, so that
// @assemblyscript/loader can pass strings in and read them out.
import { Frontend, FrontendTable } from "../frontends";
import { HashIndex } from "../hash_index";
import { HotTable } from "../hot_table";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function frontend_key(address: string, port: u32): string {
  return String.UTF8.decode(new Frontend(address, port, "x").keyBytes);
}

/**
 * Frontends from "address port" lines, looked up by `destination` as a host would hand it over:
 * the index of the frontend, or -1.
 */
export function find_frontend(lines: string, destination: string): i32 {
  const list = new Array<Frontend>();
  const parts = lines.split("\n");
  for (let i = 0; i < parts.length; i++) {
    const words = parts[i].split(" ");
    if (words.length == 2) list.push(new Frontend(words[0], <u32>I32.parseInt(words[1]), "x"));
  }
  const hot = new HotTable(new StaticArray<u32>(0), new StaticArray<i32>(0), new StaticArray<u32>(0), new StaticArray<u32>(0),
    new StaticArray<u32>(0), new StaticArray<u32>(1), new HashIndex(new Array<u32>(), new Array<i32>()), "");
  const table = new FrontendTable(list, hot, true);
  const bytes = String.UTF8.encode(destination);
  return table.find(changetype<usize>(bytes), bytes.byteLength);
}
