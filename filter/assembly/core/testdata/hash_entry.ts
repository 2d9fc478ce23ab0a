// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript test entry around the filter's hashing (filter/assembly/core/hash.ts) and the path
// scan that feeds it (scanPath in core/scan.ts). Built by ../hash_test.ts with the
// filter's flags; imports nothing, so any abort is a trap.
import { Authority, scanAuthority, scanTarget } from "../scan";
import { Target } from "../target";
import { equalsLowered, hashBytes, hashLowerBytes } from "../hash";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function alloc(size: usize): usize { return heap.alloc(size); }

let target = new Target();

/** Scans the path at [ptr, ptr + len) for prefixes of the lengths in `lengths`; returns how many. */
export function scan(ptr: usize, len: i32, lengths: u64): i32 {
  target = scanTarget(target, ptr, len, lengths);
  return target.prefixCount;
}
export function prefix_end(k: i32): i32 { return target.prefixEnds[k]; }
export function path_end(): i32 { return target.pathEnd; }
export function query_start(): i32 { return target.queryStart; }
export function query_end(): i32 { return target.queryEnd; }
export function path_hash(): u32 { return target.pathHash; }

const authority = new Authority();

/** Scans the `:authority` at [ptr, ptr + len): the hostname's length. */
export function scan_authority(ptr: usize, len: i32): i32 {
  authority.raw.ptr = ptr;
  authority.raw.len = len;
  scanAuthority(authority);
  return authority.hostLen;
}
export function authority_port(): u32 { return authority.port; }
export function authority_has_port(): i32 { return authority.hasPort ? 1 : 0; }

/** 1 when every hash the scan took equals hashBytes() of the same bytes, else 0. */
export function scan_hashes_agree(): i32 {
  const p = target.raw.ptr;
  if (target.pathHash != hashBytes(p, target.pathEnd)) return 0;
  for (let k = 0; k < target.prefixCount; k++) {
    if (target.prefixHashes[k] != hashBytes(p, target.prefixEnds[k])) return 0;
  }
  return 1;
}

export function hash_bytes(ptr: usize, len: i32): u32 { return hashBytes(ptr, len); }
export function hash_lower_bytes(ptr: usize, len: i32): u32 { return hashLowerBytes(ptr, len); }
export function equals_lowered(ptr: usize, lower: usize, len: i32): i32 { return equalsLowered(ptr, lower, len) ? 1 : 0; }
