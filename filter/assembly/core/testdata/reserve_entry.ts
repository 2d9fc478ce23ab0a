// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around core/reserve.ts, built with the filter's flags by ../reserve_test.ts.
import { reserve } from "../reserve";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

/** What the module keeps, as a table keeps its arrays. */
const kept = new Array<ArrayBuffer>();

/** Linear memory in bytes. */
export function memory_bytes(): usize { return <usize>memory.size() << 16; }
/** Keeps `bytes` more in arrays of `piece` bytes, after reserving them all first when `reserving`. */
export function keep(bytes: i32, piece: i32, reserving: bool): void {
  if (reserving) reserve(<usize>bytes + <usize>(bytes / piece) * 32);
  for (let made = 0; made < bytes; made += piece) kept.push(new ArrayBuffer(piece));
}
/** Whether every kept array is still whole: each written full of its index and read back. */
export function kept_intact(): bool {
  for (let i = 0; i < kept.length; i++) memory.fill(changetype<usize>(kept[i]), <u8>i, kept[i].byteLength);
  for (let i = 0; i < kept.length; i++) {
    const p = changetype<usize>(kept[i]);
    for (let k = 0; k < kept[i].byteLength; k++) if (load<u8>(p + k) != <u8>i) return false;
  }
  return true;
}
